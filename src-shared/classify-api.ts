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

/**
 * A rule as `labels.rules.save` takes it: with `id` it replaces that rule, without it adds one.
 * `priority` defaults to 100 and `enabled` to true.
 */
export interface LabelRuleInput {
  readonly id?: number;
  readonly kind: LabelRuleKind;
  readonly pattern: string;
  readonly label: TrafficClass;
  readonly priority?: number;
  readonly enabled?: boolean;
}

/** What `labels.import` did with a labelled CSV (header + one row per flow or 5-tuple). */
export interface LabelImportResult {
  /** Data rows read (the header not counted). */
  readonly rows: number;
  /** Rows that matched at least one flow, and rows that matched none. */
  readonly matchedRows: number;
  readonly unmatchedRows: number;
  /** Flows that got a user label from the file. */
  readonly flowsLabelled: number;
  /** Line numbers (1 = the header) of the first unmatched rows, at most 20. */
  readonly unmatchedLines: readonly number[];
}

/**
 * What a classifier reads of a flow (`traffic.classify`): behaviour only, the statistics and
 * the first packets of a FlowRecord without addresses, ports or names (extra fields are refused).
 */
export interface FlowBehaviour {
  /** IP protocol number (6 TCP, 17 UDP, …). */
  readonly proto: number;
  readonly duration: number;
  readonly fwd_packets: number;
  readonly bwd_packets: number;
  readonly fwd_bytes: number;
  readonly bwd_bytes: number;
  readonly fwd_header_bytes?: number;
  readonly bwd_header_bytes?: number;
  /** { min, mean, max, std } of packet lengths (all, client→server, server→client) and inter-arrival seconds; omitted = zeros. */
  readonly pkt_len?: FlowSeriesStats;
  readonly fwd_pkt_len?: FlowSeriesStats;
  readonly bwd_pkt_len?: FlowSeriesStats;
  readonly iat?: FlowSeriesStats;
  readonly fwd_iat?: FlowSeriesStats;
  readonly bwd_iat?: FlowSeriesStats;
  readonly syn_count?: number;
  readonly fin_count?: number;
  readonly rst_count?: number;
  readonly psh_count?: number;
  readonly ack_count?: number;
  readonly urg_count?: number;
  /** Seconds; null or omitted without a complete handshake. */
  readonly handshake_rtt?: number | null;
  /** Up to 30 [wire size, direction 1|-1, seconds since the previous packet]. */
  readonly early_packets: readonly (readonly [number, 1 | -1, number])[];
}

/** min / mean / max / std of a flow series. */
export interface FlowSeriesStats {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly std: number;
}

/** One flow's predicted label. */
export interface FlowPrediction {
  readonly label: TrafficClass;
  /** Probability of `label`. */
  readonly confidence: number;
}

/** `traffic.classify`: predictions for the given flows, in request order. */
export interface TrafficClassifyResult {
  readonly modelId: number;
  readonly predictions: readonly FlowPrediction[];
}

/** `flows.classify`: a classify model applied to every flow of a source (labels stored as label_source 'model'). */
export interface SourceClassifyResult {
  readonly modelId: number;
  readonly sourceId: number;
  /** Flow records labelled. */
  readonly flows: number;
  /** Flows per predicted label, largest first. */
  readonly counts: readonly { readonly label: TrafficClass; readonly count: number }[];
  readonly elapsedMs: number;
}
