/**
 * Bytes in flight per TCP half-connection with Wireshark 4.0's semantics, so the numbers can be
 * checked against `tcp.analysis.bytes_in_flight` (tcp_analyze_sequence_number, default
 * "payload-based" method; our own code, written from its documented behaviour):
 *
 * - Shown only on segments with payload, once the segment has been added to its direction's
 *   unacknowledged list and the segment's own acknowledgement number has pruned the other
 *   direction's list (TcpRtt.analyze does both): the span from the lowest sequence number still
 *   unacknowledged to the highest next sequence number in that list, sequence numbers taken
 *   relative to the direction's base (first SYN's seq, else first seq − 1, else the other side's
 *   first ack − 1). A span of 0 or ≥ 2e9 shows nothing; a SYN or FIN counts one byte less.
 * - A direction stops showing it after a gap (a segment beyond the highest next sequence number
 *   seen, "previous segment not captured") until the other direction sends an ACK.
 * - The bytes covered by the SACK blocks of the other direction's latest segment (0 when it
 *   carried none) are subtracted.
 * - Not modelled: zero-window probes (Wireshark does not let them advance the next sequence
 *   number). test/bytes-in-flight-truth.test.ts checks every frame against tshark.
 */
import type { TcpRtt } from './tcp-rtt.js';

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;

/**
 * Per half: base sequence (NaN: unknown), highest next sequence (NaN: none yet), valid flag,
 * bytes covered by the SACK blocks this direction last sent.
 */
const HALF_WORDS = 4;

/** a > b in 32-bit sequence space (RFC 9293 §3.4). */
function seqGt(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** Bytes-in-flight state for every live flow slot. */
export class BytesInFlight {
  private slots = 0;
  private halves = new Float64Array(0);

  constructor(slotCapacity: number) {
    this.ensureCapacity(slotCapacity);
  }

  /** Grows the per-slot arrays (contents kept). */
  ensureCapacity(slots: number): void {
    if (slots <= this.slots) return;
    const h = new Float64Array(slots * 2 * HALF_WORDS);
    h.set(this.halves);
    for (let k = this.slots * 2; k < slots * 2; k++) reset(h, k * HALF_WORDS);
    this.halves = h;
    this.slots = slots;
  }

  /** Forgets the connection in `slot` (flow ended). */
  resetFlow(slot: number): void {
    reset(this.halves, slot * 2 * HALF_WORDS);
    reset(this.halves, (slot * 2 + 1) * HALF_WORDS);
  }

  /**
   * Checks run before the segment enters the sequence analysis (base numbers, the ACK that
   * re-enables the other direction, the gap that disables this one). Call, then TcpRtt.analyze,
   * then `after`.
   */
  before(slot: number, half: number, seq: number, ack: number, len: number, flags: number): void {
    const h = this.halves;
    const fwd = (slot * 2 + half) * HALF_WORDS;
    const rev = (slot * 2 + (half ^ 1)) * HALF_WORDS;
    if (h[fwd] !== h[fwd]) h[fwd] = flags & SYN ? seq : (seq - 1) >>> 0;
    if (flags & ACK) {
      if (h[rev] !== h[rev]) h[rev] = (ack - 1) >>> 0;
      h[rev + 2] = 1;
    }
    const next = h[fwd + 1]!;
    // Wireshark treats a next sequence number of 0 as "none seen yet".
    if (next === next && next !== 0 && seqGt(seq, next) && (flags & RST) === 0) h[fwd + 2] = 0;
    const end = (seq + len + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    if (next !== next || next === 0 || seqGt(end, next)) h[fwd + 1] = end;
  }

  /**
   * Bytes in flight this segment shows (after TcpRtt.analyze of the same segment), or NaN.
   * `sacked`: bytes covered by the segment's SACK blocks (sackedBytes), NaN without a SACK option.
   */
  after(slot: number, half: number, len: number, flags: number, rtt: TcpRtt, sacked: number): number {
    const fwd = (slot * 2 + half) * HALF_WORDS;
    const h = this.halves;
    // The SACK blocks of the other side's latest segment are subtracted.
    const rev = (slot * 2 + (half ^ 1)) * HALF_WORDS + 3;
    h[fwd + 3] = sacked === sacked ? sacked : 0;
    if (len === 0) return Number.NaN;
    if (h[fwd + 2] !== 1) return Number.NaN;
    const span = (rtt.unackedSpan(slot, half, h[fwd]!) - h[rev]!) >>> 0;
    if (!(span > 0 && span < 2e9)) return Number.NaN;
    return flags & (SYN | FIN) ? span - 1 : span;
  }
}

function reset(h: Float64Array, o: number): void {
  h[o] = Number.NaN;
  h[o + 1] = Number.NaN;
  h[o + 2] = 1;
  h[o + 3] = 0;
}

/**
 * Bytes covered by the SACK blocks (RFC 2018 §3, option kind 5) among the TCP options in
 * data[from, to): the sum of right − left edges (32-bit); NaN when there is no SACK option.
 */
export function sackedBytes(data: Uint8Array, from: number, to: number): number {
  let p = from;
  let sum = Number.NaN;
  while (p < to) {
    const kind = data[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= to) break;
    const len = data[p + 1]!;
    if (len < 2 || p + len > to) break;
    if (kind === 5) {
      sum = 0;
      for (let b = p + 2; b + 8 <= p + len; b += 8) sum += (readU32(data, b + 4) - readU32(data, b)) >>> 0;
    }
    p += len;
  }
  return sum;
}

function readU32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}
