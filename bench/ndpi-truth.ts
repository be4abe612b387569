/**
 * nDPI's per-flow verdicts (`ndpiReader -v` output in corpus/truth/ndpi/*.out) as ground truth
 * for the flow classifier: parsed by flow line, keyed by unordered 5-tuple, and mapped from
 * nDPI's category (and protocol, for DNS and conferencing apps) to Flowbench's traffic classes.
 */
import type { TrafficClass } from '../src-shared/classify-api.js';

/** One nDPI flow verdict. */
export interface NdpiFlow {
  readonly key: string;
  readonly proto: string;
  readonly category: string;
  readonly traffic: TrafficClass;
}

const LINE = /^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<->\s+(\S+)\s+\[proto:\s*([^\]]+)\].*?\[cat:\s*([^/\]]+)\//;
const DNS_PROTOCOLS = new Set(['DNS', 'MDNS', 'LLMNR', 'DNScrypt', 'DoH_DoT']);
const CONFERENCING_APPS = new Set(['Zoom', 'Webex', 'Teams', 'Skype_Teams', 'Skype_TeamsCall', 'GoogleMeet', 'FaceTime', 'WhatsAppCall', 'GoogleCall', 'SignalVoip', 'TelegramVoip']);

const CATEGORY: Readonly<Record<string, TrafficClass>> = {
  Web: 'web', SocialNetwork: 'web', Cloud: 'web', Advertisement: 'web', Shopping: 'web', SoftwareUpdate: 'web', ConnCheck: 'web',
  VirtAssistant: 'web', Collaborative: 'web',
  Streaming: 'streaming', Video: 'streaming', Music: 'streaming', Media: 'streaming',
  VoIP: 'conferencing', Chat: 'messaging', Email: 'mail', Download: 'file_transfer', DataTransfer: 'file_transfer', VPN: 'vpn_tunnel',
};

/** The traffic class of an nDPI verdict: DNS-family protocols → dns, conferencing apps → conferencing, else by category ('other' when unmapped). */
export function ndpiTrafficClass(proto: string, category: string): TrafficClass {
  const names = (proto.split('/')[1] ?? '').split('.');
  if (names.some((n) => DNS_PROTOCOLS.has(n))) return 'dns';
  if (names.some((n) => CONFERENCING_APPS.has(n))) return 'conferencing';
  return CATEGORY[category] ?? 'other';
}

/** Parses "a.b.c.d:port" or "[v6]:port". */
function endpoint(s: string): string {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  return m === null ? s.toLowerCase() : `${(m[1] ?? '').toLowerCase()}|${m[2] ?? ''}`;
}

/** The unordered 5-tuple key Flowbench flows and nDPI lines share. */
export function flowKey(proto: number | string, a: string, aPort: number, b: string, bPort: number): string {
  const p = typeof proto === 'number' ? (proto === 6 ? 'TCP' : proto === 17 ? 'UDP' : String(proto)) : proto;
  const x = `${a.toLowerCase()}|${aPort}`;
  const y = `${b.toLowerCase()}|${bPort}`;
  return x < y ? `${p} ${x} ${y}` : `${p} ${y} ${x}`;
}

/** Flow verdicts of one .out file, first verdict per 5-tuple. */
export function parseNdpiOut(text: string): Map<string, NdpiFlow> {
  const out = new Map<string, NdpiFlow>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, l4 = '', a = '', b = '', proto = '', category = ''] = m;
    const [ea, eb] = [endpoint(a), endpoint(b)];
    const key = ea < eb ? `${l4} ${ea} ${eb}` : `${l4} ${eb} ${ea}`;
    if (!out.has(key)) out.set(key, { key, proto, category, traffic: ndpiTrafficClass(proto, category) });
  }
  return out;
}
