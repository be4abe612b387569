/**
 * Label rules: ports, TLS SNI and DNS-name patterns mapped to traffic classes. Pure: the
 * defaults the workspace is seeded with, a compiler from a rule list to a fast matcher, and the
 * pattern checks the rules editor and the repo use.
 */
import type { FlowLabel, LabelRule, LabelRuleKind, TrafficClass } from '../../../src-shared/classify-api.js';

/** A default rule before it has an id. */
export type DefaultRule = Omit<LabelRule, 'id' | 'enabled' | 'priority'> & { readonly priority?: number };

const names = (kind: 'sni' | 'dns', label: TrafficClass, patterns: readonly string[]): DefaultRule[] =>
  patterns.map((pattern) => ({ kind, pattern, label }));
const both = (label: TrafficClass, patterns: readonly string[]): DefaultRule[] => [...names('sni', label, patterns), ...names('dns', label, patterns)];
const ports = (label: TrafficClass, list: readonly (number | string)[]): DefaultRule[] =>
  list.map((p) => ({ kind: 'port', pattern: String(p), label }));

/** The rules a new workspace starts with (migration 4 seeds them; the user edits them after). */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  ...both('dns', ['dns.google', 'cloudflare-dns.com', 'dns.adguard.com', 'dns.quad9.net', 'doh.opendns.com', 'mozilla.cloudflare-dns.com', 'dns.nextdns.io']),
  ...both('streaming', [
    'netflix.com', 'nflxvideo.net', 'nflximg.net', 'nflxext.com', 'nflxso.net', 'youtube.com', 'googlevideo.com', 'ytimg.com', 'youtu.be',
    'twitch.tv', 'ttvnw.net', 'spotify.com', 'scdn.co', 'hulu.com', 'disneyplus.com', 'primevideo.com', 'aiv-cdn.net', 'dailymotion.com',
    'vimeo.com', 'deezer.com', 'soundcloud.com', 'tiktokcdn.com', 'tiktokv.com', '1kxun.mobi', 'iqiyi.com', 'bilibili.com',
  ]),
  ...both('conferencing', [
    'zoom.us', 'zoom.com', 'webex.com', 'teams.microsoft.com', 'teams.live.com', 'skype.com', 'skypeforbusiness.com', 'lync.com',
    'meet.google.com', 'gotomeeting.com', 'bluejeans.com', 'jitsi.org', 'meet.jit.si',
  ]),
  ...both('messaging', [
    'whatsapp.net', 'whatsapp.com', 'telegram.org', 't.me', 'signal.org', 'wechat.com', 'weixin.qq.com', 'kakao.com', 'kakaocdn.net',
    'slack.com', 'slack-edge.com', 'discord.gg', 'discord.com', 'discordapp.com', 'line.me', 'viber.com', 'messenger.com', 'snapchat.com',
  ]),
  ...both('mail', ['*smtp.*', '*imap.*', '*pop.*', 'mail.google.com', 'outlook.office365.com', 'mail.yahoo.com']),
  ...both('file_transfer', ['dropbox.com', 'dropboxusercontent.com', 'wetransfer.com', 'mega.nz', '*.ftp.*', 'download.windowsupdate.com']),
  ...both('vpn_tunnel', ['*.nordvpn.com', '*.expressvpn.com', 'protonvpn.com', '*.torproject.org']),
  ...ports('dns', [53, 853, 5353, 5355, 137]),
  ...ports('web', [80, 443, 8080, 8443, 8000, 8008, 8888, 3128]),
  ...ports('mail', [25, 110, 143, 465, 587, 993, 995, 2525]),
  ...ports('file_transfer', [20, 21, 22, 69, 115, 139, 445, 873, 989, 990, 2049, 111, '6881-6889', 6346, 6347, 4662, 4672, 51413]),
  ...ports('vpn_tunnel', [1194, 500, 4500, 1701, 1723, 51820, 9001, 9030, 9050, 9150, 1080, 8388]),
  ...ports('conferencing', [3478, 3479, 5060, 5061, 8801, '8801-8810', '19302-19309', 3480, 3481, 5004, 5005, '50000-50059']),
  ...ports('messaging', [5222, 5223, 5228, 4244, 5242, 6667, 6697]),
  ...ports('other', [123, 67, 68, 161, 162, 514, 1900, 5351, 8333, 30303, 3389, 5900, 7070, 1883, 502, 4840]),
];

/** A flow as the rules see it. */
export interface RuleInput {
  readonly server_port: number;
  readonly client_port?: number;
  readonly sni: string | null;
  /** The flow's own DNS query: a flow that carries one is DNS traffic, whatever it asks for. */
  readonly dns_query: string | null;
  /** The name the server address was resolved from by a DNS answer seen earlier (see resolvedNames). */
  readonly resolved_name?: string | null;
}

/** The columns of a stored flow (the `flows` table) that rule labels and resolved names are computed from. */
export interface StoredRuleFlow {
  readonly id: number;
  readonly server_port: number;
  readonly client_port: number;
  readonly server_addr: string;
  readonly sni: string | null;
  readonly dns_query: string | null;
  /** JSON array of answer addresses, as stored. */
  readonly dns_answers: string | null;
}

/** Those columns as a SELECT list. */
export const RULE_FLOW_COLUMNS = 'id, server_port, client_port, server_addr, sni, dns_query, dns_answers';

/** What the rules said about a flow: the label and the rule that gave it (null for 'unknown'). */
export interface RuleVerdict {
  readonly label: FlowLabel;
  readonly ruleId: number | null;
}

/** A compiled rule set. */
export type RuleMatcher = (flow: RuleInput) => RuleVerdict;

interface NameRule {
  readonly id: number;
  readonly label: TrafficClass;
  readonly test: (name: string) => boolean;
}

/** Checks a pattern for its kind; returns a sentence naming the problem, or null when it is fine. */
export function patternProblem(kind: LabelRuleKind, pattern: string): string | null {
  if (kind === 'port') {
    const r = parsePortRange(pattern);
    return r === null ? `"${pattern}" is not a port (0–65535) or a range "low-high"` : null;
  }
  const p = pattern.trim().toLowerCase();
  if (p === '' || p.length > 253) return 'a name pattern must have 1–253 characters';
  if (!/^[a-z0-9*._-]+$/.test(p)) return `"${pattern}" may hold only letters, digits, '.', '-', '_' and '*'`;
  return null;
}

function parsePortRange(pattern: string): readonly [number, number] | null {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(pattern);
  if (m === null) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : null;
}

function nameTest(pattern: string): (name: string) => boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  if (p.includes('*')) {
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
    return (n) => re.test(n);
  }
  return (n) => n === p || n.endsWith(`.${p}`);
}

const byOrder = (a: LabelRule, b: LabelRule): number => a.priority - b.priority || a.id - b.id;

/**
 * Compiles rules (disabled ones skipped) into a matcher: SNI rules on the SNI; a flow carrying
 * a DNS query is 'dns' (rule id null) unless a DNS-name rule labels the queried name 'dns' too;
 * DNS-name rules on the name the server address was resolved from; then port rules on the
 * server port (then the client port, for flows whose first packet came from the server side);
 * 'unknown' when nothing matches.
 */
export function compileRules(rules: readonly LabelRule[]): RuleMatcher {
  const on = rules.filter((r) => r.enabled).sort(byOrder);
  const sni: NameRule[] = on.filter((r) => r.kind === 'sni').map((r) => ({ id: r.id, label: r.label, test: nameTest(r.pattern) }));
  const dns: NameRule[] = on.filter((r) => r.kind === 'dns').map((r) => ({ id: r.id, label: r.label, test: nameTest(r.pattern) }));
  // One slot per port: the first rule (by order) covering it wins.
  const portLabel = new Int16Array(65536).fill(-1);
  const portRule: number[] = [];
  for (const r of on) {
    if (r.kind !== 'port') continue;
    const range = parsePortRange(r.pattern);
    if (range === null) continue;
    const slot = portRule.length;
    portRule.push(r.id);
    for (let p = range[0]; p <= range[1]; p++) if (portLabel[p] === -1) portLabel[p] = slot;
  }
  const portLabels = on.filter((r) => r.kind === 'port' && parsePortRange(r.pattern) !== null).map((r) => r.label);
  const byName = (list: readonly NameRule[], name: string | null): RuleVerdict | null => {
    if (name === null || name === '') return null;
    const n = name.toLowerCase().replace(/\.$/, '');
    for (const r of list) if (r.test(n)) return { label: r.label, ruleId: r.id };
    return null;
  };
  const byPort = (port: number | undefined): RuleVerdict | null => {
    if (port === undefined || port < 0 || port > 65535) return null;
    const slot = portLabel[port] ?? -1;
    return slot < 0 ? null : { label: portLabels[slot] ?? 'other', ruleId: portRule[slot] ?? null };
  };
  const lookup = (f: RuleInput): RuleVerdict | null => {
    if (f.dns_query === null || f.dns_query === '') return null;
    const named = byName(dns, f.dns_query);
    return named?.label === 'dns' ? named : (byPort(f.server_port)?.label === 'dns' ? byPort(f.server_port) : null) ?? { label: 'dns', ruleId: null };
  };
  return (f) =>
    byName(sni, f.sni) ?? lookup(f) ?? byName(dns, f.resolved_name ?? null) ?? byPort(f.server_port) ?? byPort(f.client_port) ?? { label: 'unknown', ruleId: null };
}

/**
 * Server address → DNS name, from the DNS answers of these flows (first answer wins), so
 * DNS-name rules can label the flows that followed a lookup. Flows in time order.
 */
export function resolvedNames(flows: readonly { readonly dns_query: string | null; readonly dns_answers: readonly string[] }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of flows) {
    if (f.dns_query === null) continue;
    for (const a of f.dns_answers) if (!out.has(a)) out.set(a, f.dns_query);
  }
  return out;
}

/** The default rules with ids 1…n, enabled, as the workspace seeds them. */
export function defaultRuleList(): LabelRule[] {
  return DEFAULT_RULES.map((r, i) => ({ id: i + 1, kind: r.kind, pattern: r.pattern, label: r.label, priority: r.priority ?? 100, enabled: true }));
}
