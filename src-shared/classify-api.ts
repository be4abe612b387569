/**
 * The flow-classification part of the API contract: traffic classes, where a flow's label came
 * from, and the user-editable label rules. Pure types and constants.
 */

/** Traffic classes a flow can be labelled with (issue 6). */
export const TRAFFIC_CLASSES = ['web', 'streaming', 'conferencing', 'messaging', 'dns', 'mail', 'file_transfer', 'vpn_tunnel', 'other'] as const;

/** A traffic class. */
export type TrafficClass = (typeof TRAFFIC_CLASSES)[number];

/** A flow's label: a class, or 'unknown' when no rule matched and nothing else labelled it. */
export type FlowLabel = TrafficClass | 'unknown';

/** Where a label came from: a label rule, the user, or a trained classifier. */
export type LabelSource = 'rule' | 'user' | 'model';

/** What a label rule matches: the server port, the TLS SNI, or the DNS query name. */
export type LabelRuleKind = 'port' | 'sni' | 'dns';

/**
 * A label rule. `pattern` is a port ("443") or port range ("6881-6889") for `port`; for `sni`
 * and `dns` a host name that matches itself and its subdomains ("netflix.com"), or a glob with
 * `*` ("*.nflxvideo.*"). Name rules are checked before port rules; within a kind, lower
 * `priority` first, then lower id.
 */
export interface LabelRule {
  readonly id: number;
  readonly kind: LabelRuleKind;
  readonly pattern: string;
  readonly label: TrafficClass;
  readonly priority: number;
  readonly enabled: boolean;
}

/** True when `v` is a traffic class. */
export function isTrafficClass(v: unknown): v is TrafficClass {
  return typeof v === 'string' && (TRAFFIC_CLASSES as readonly string[]).includes(v);
}
