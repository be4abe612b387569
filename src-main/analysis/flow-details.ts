/**
 * What the flow stage learns from payloads and keeps for the whole capture: per flow the TLS
 * SNI, first DNS query name and a few DNS answers; per capture the RTT / latency summaries and
 * the distinct SNI and DNS names (capped). Strings are made only for the rare packets that
 * carry them (DNS messages, ClientHellos), never on the common path.
 */
import { createDnsMessage, parseDnsMessage } from './dns-parser.js';
import { parseClientHelloSni } from './tls-sni-parser.js';
import type { DnsTransactions } from './latency.js';
import { SeriesAccumulator } from './series-summary.js';
import type { SeriesSummary } from './series-summary.js';

/** Distinct names kept per capture (SNI, DNS); beyond, `names_truncated` is set. */
export const MAX_DISTINCT_NAMES = 100_000;

/** DNS answers kept per flow record. */
export const MAX_ANSWERS_PER_FLOW = 8;

/** Whole-capture figures of the flow stage (the CLI's `stats`), seconds and sorted names. */
export interface FlowCaptureStats {
  readonly ack_rtt: SeriesSummary;
  readonly handshake_rtt: SeriesSummary;
  readonly dns_latency: SeriesSummary;
  readonly tcp_latency: SeriesSummary;
  /** Distinct TLS SNI values, sorted by code point. */
  readonly sni: readonly string[];
  /** Distinct DNS query names (the last question of each message, as tshark's field), sorted. */
  readonly dns_names: readonly string[];
  /** More than MAX_DISTINCT_NAMES names of a kind were seen; the lists are incomplete. */
  readonly names_truncated: boolean;
}

const NO_ANSWERS: readonly string[] = Object.freeze([]);

/** Per-flow names and whole-capture accumulators. */
export class FlowDetails {
  readonly ackRtt = new SeriesAccumulator();
  readonly handshakeRtt = new SeriesAccumulator();
  readonly dnsLatency = new SeriesAccumulator();
  readonly tcpLatency = new SeriesAccumulator();
  private sniOf: (string | null)[] = [];
  private queryOf: (string | null)[] = [];
  private answersOf: (string[] | null)[] = [];
  private readonly sniNames = new Set<string>();
  private readonly dnsNames = new Set<string>();
  private truncated = false;
  private readonly msg = createDnsMessage();

  constructor(slots: number) {
    this.ensureCapacity(slots);
  }

  /** Grows the per-slot lists. */
  ensureCapacity(slots: number): void {
    while (this.sniOf.length < slots) {
      this.sniOf.push(null);
      this.queryOf.push(null);
      this.answersOf.push(null);
    }
  }

  /** A new flow in `slot`. */
  reset(slot: number): void {
    this.release(slot);
  }

  /** The flow in `slot` ended: drop its strings. */
  release(slot: number): void {
    this.sniOf[slot] = null;
    this.queryOf[slot] = null;
    this.answersOf[slot] = null;
  }

  /** SNI of the flow in `slot`, or null. */
  sni(slot: number): string | null {
    return this.sniOf[slot] ?? null;
  }

  /** First DNS query name of the flow in `slot`, or null. */
  dnsQuery(slot: number): string | null {
    return this.queryOf[slot] ?? null;
  }

  /** DNS answers seen in the flow in `slot` (a copy). */
  dnsAnswers(slot: number): readonly string[] {
    const a = this.answersOf[slot];
    return a ? a.slice() : NO_ANSWERS;
  }

  /**
   * A TCP payload that may start with a ClientHello. Returns true when it was one (the
   * search for this flow is then over).
   */
  tlsPayload(slot: number, data: Uint8Array, off: number, end: number): boolean {
    const sni = parseClientHelloSni(data, off, end);
    if (sni === undefined) return false;
    if (sni !== null) {
      this.sniOf[slot] = sni;
      this.addName(this.sniNames, sni);
    }
    return true;
  }

  /**
   * DNS message(s) in a UDP payload, or in a TCP segment (each message behind its 2-byte
   * length, RFC 1035 §4.2.2; only messages complete in the segment). Returns the dns.time
   * latency completed by a response, else NaN.
   */
  dnsPayload(slot: number, data: Uint8Array, off: number, end: number, tcp: boolean, sec: number, ns: number, dns: DnsTransactions): number {
    if (!tcp) return this.dnsMessage(slot, data, off, end, sec, ns, dns);
    let latency = Number.NaN;
    for (let p = off; p + 2 <= end;) {
      const len = (data[p]! << 8) | data[p + 1]!;
      if (len < 12 || p + 2 + len > end) break;
      const l = this.dnsMessage(slot, data, p + 2, p + 2 + len, sec, ns, dns);
      if (l === l) latency = l;
      p += 2 + len;
    }
    return latency;
  }

  private dnsMessage(slot: number, data: Uint8Array, off: number, end: number, sec: number, ns: number, dns: DnsTransactions): number {
    const m = this.msg;
    if (!parseDnsMessage(data, off, end, m)) return Number.NaN;
    if (m.lastQuestion !== null) {
      if (this.queryOf[slot] === null) this.queryOf[slot] = m.questions[0] ?? null;
      // tshark's `-E occurrence=l` (the corpus truth) keeps the last question of a message.
      this.addName(this.dnsNames, m.lastQuestion);
    }
    if (!m.isResponse) {
      dns.query(slot, m.id, sec, ns);
      return Number.NaN;
    }
    if (m.answers.length > 0) {
      let list = this.answersOf[slot] ?? null;
      if (list === null) list = this.answersOf[slot] = [];
      for (const a of m.answers) {
        if (list.length >= MAX_ANSWERS_PER_FLOW) break;
        if (!list.includes(a)) list.push(a);
      }
    }
    return dns.response(slot, m.id, sec, ns);
  }

  private addName(set: Set<string>, name: string): void {
    if (set.has(name)) return;
    if (set.size >= MAX_DISTINCT_NAMES) {
      this.truncated = true;
      return;
    }
    set.add(name);
  }

  /** The whole-capture figures so far. */
  captureStats(): FlowCaptureStats {
    return {
      ack_rtt: this.ackRtt.summary(),
      handshake_rtt: this.handshakeRtt.summary(),
      dns_latency: this.dnsLatency.summary(),
      tcp_latency: this.tcpLatency.summary(),
      sni: sortByCodePoint([...this.sniNames]),
      dns_names: sortByCodePoint([...this.dnsNames]),
      names_truncated: this.truncated,
    };
  }
}

/** Sorts strings by Unicode code point (as Python and SQLite's BINARY do), not UTF-16 unit. */
export function sortByCodePoint(values: string[]): string[] {
  return values.sort((a, b) => {
    const x = [...a];
    const y = [...b];
    const n = Math.min(x.length, y.length);
    for (let k = 0; k < n; k++) {
      const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
      if (d !== 0) return d;
    }
    return x.length - y.length;
  });
}
