/**
 * TCP RTT per flow slot, with Wireshark 4.0's semantics so the numbers can be checked against
 * `tcp.analysis.ack_rtt` and `tcp.analysis.initial_rtt` (tcp_analyze_sequence_number; our own
 * code, written from its documented behaviour):
 *
 * - Every segment with payload, SYN or FIN is remembered per direction as unacknowledged
 *   (seq, next seq = seq + len + 1 for SYN/FIN, time), retransmissions included, newest first,
 *   at most MAX_UNACKED_PER_DIRECTION per direction.
 * - Every segment then walks the other direction's list with its acknowledgement number (the
 *   raw field, whatever the ACK flag): a segment whose next seq equals it is "acked by this
 *   frame" and dropped; when several match (a retransmission and its original) the oldest
 *   wins; one partly covered is trimmed; one entirely below it is dropped silently. The RTT
 *   is the time since the matched segment; like Wireshark, an RTT of exactly 0 is not shown.
 * - Initial (handshake) RTT: time from the most recent SYN without ACK to the first segment
 *   with ACK and without SYN (normally the ACK of the SYN/ACK), once per connection. tshark
 *   shows it only on frames that carry sequence-analysis results, so a connection whose
 *   later frames carry none (e.g. SYN, SYN/ACK, then only a RST) has no initial_rtt in its
 *   output; we report it on the first frame from there on that acknowledges a remembered
 *   segment or carries payload, which keeps those connections out as tshark does.
 *
 * Segments live in one pooled linked list store (typed arrays, free list), so memory is
 * bounded by the unacknowledged segments of live flows, with a global cap (36 bytes each).
 */

import { elapsedSeconds } from './packet-time.js';

const SYN = 0x02;
const FIN = 0x01;
const ACK = 0x10;

/** Wireshark's cap on remembered unacknowledged segments per direction (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED_PER_DIRECTION = 10000;

/** Default cap on remembered segments over all flows (36 bytes each: 72 MiB). */
export const DEFAULT_MAX_UNACKED_SEGMENTS = 1 << 21;

/** a > b in 32-bit sequence space (RFC 9293 §3.4). */
function seqGt(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** Unacknowledged-segment lists and handshake timing for every live flow slot. */
export class TcpRtt {
  private slots = 0;
  /**
   * Per half-connection h = slot * 2 + half, HALF_WORDS numbers: base sequence number (NaN
   * while unknown), list head (-1: empty), list length. Packed so one packet touches one line.
   */
  private halves = new Float64Array(0);
  /** Per slot, CONN_WORDS numbers: most recent SYN (sec, NaN: none; ns), initial RTT, reported RTT. */
  private conns = new Float64Array(0);
  /** The last `analyze` call acknowledged a remembered segment (even with a zero RTT). */
  private matched = false;

  private readonly maxNodes: number;
  /** Per segment, NODE_WORDS numbers: seq, next seq, send time (sec relative to the capture, ns). */
  private nodes = new Float64Array(0);
  private links = new Int32Array(0);
  private freeNode = -1;
  private allocated = 0;

  constructor(slotCapacity: number, maxSegments = DEFAULT_MAX_UNACKED_SEGMENTS) {
    this.maxNodes = Math.max(1, maxSegments);
    this.ensureCapacity(slotCapacity);
    this.growPool(Math.min(1024, this.maxNodes));
  }

  /** Grows the per-slot arrays (contents kept). */
  ensureCapacity(slots: number): void {
    if (slots <= this.slots) return;
    const halves = new Float64Array(slots * 2 * HALF_WORDS);
    halves.set(this.halves);
    for (let h = this.slots * 2; h < slots * 2; h++) emptyHalf(halves, h * HALF_WORDS);
    const conns = new Float64Array(slots * CONN_WORDS).fill(Number.NaN);
    conns.set(this.conns);
    this.halves = halves;
    this.conns = conns;
    this.slots = slots;
  }

  /** Forgets the connection in `slot` (flow ended): its segments go back to the pool. */
  resetFlow(slot: number): void {
    this.freeList(slot * 2);
    this.freeList(slot * 2 + 1);
    this.conns.fill(Number.NaN, slot * CONN_WORDS, slot * CONN_WORDS + CONN_WORDS);
  }

  /**
   * A SYN without ACK whose sequence number differs from the first one seen in its direction:
   * a new connection reusing the ports (Wireshark starts a new tcp.stream).
   */
  isPortReuse(slot: number, half: number, flags: number, seq: number): boolean {
    const base = this.halves[(slot * 2 + half) * HALF_WORDS]!;
    return (flags & (SYN | ACK)) === SYN && base === base && base !== seq;
  }

  /**
   * Sequence analysis of one segment sent on half-connection `half` (0/1) at time (sec, ns),
   * sec relative to the capture. Returns the ack RTT this segment carries (seconds, exact to
   * 1 ns) or NaN.
   */
  analyze(slot: number, half: number, sec: number, ns: number, seq: number, ack: number, seglen: number, flags: number): number {
    const hv = this.halves;
    const fwd = (slot * 2 + half) * HALF_WORDS;
    if (hv[fwd] !== hv[fwd]) hv[fwd] = flags & SYN ? seq : (seq - 1) >>> 0;
    if ((seglen > 0 || (flags & (SYN | FIN)) !== 0) && hv[fwd + 2]! < MAX_UNACKED_PER_DIRECTION) {
      const node = this.allocNode();
      if (node >= 0) {
        const o = node * NODE_WORDS;
        const nd = this.nodes;
        nd[o] = seq;
        nd[o + 1] = (seq + seglen + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
        nd[o + 2] = sec;
        nd[o + 3] = ns;
        this.links[node] = hv[fwd + 1]!;
        hv[fwd + 1] = node;
        hv[fwd + 2]! += 1;
      }
    }
    return this.acknowledge((slot * 2 + (half ^ 1)) * HALF_WORDS, sec, ns, ack);
  }

  /** Walks the other direction's unacknowledged list (half at `rev`) with acknowledgement `ack`. */
  private acknowledge(rev: number, sec: number, ns: number, ack: number): number {
    const hv = this.halves;
    this.matched = false;
    let node = hv[rev + 1]!;
    if (node < 0) return Number.NaN;
    let matched = -1;
    let prev = -1;
    const nd = this.nodes;
    const links = this.links;
    while (node >= 0) {
      const o = node * NODE_WORDS;
      const next = nd[o + 1]!;
      const link = links[node]!;
      if (ack === next) {
        // Newest first: a later match is an older copy, whose time wins (as in Wireshark).
        matched = node;
      } else if (seqGt(next, ack)) {
        if (seqGt(ack, nd[o]!)) nd[o] = ack; // partly acknowledged: trim
        prev = node;
        node = link;
        continue;
      }
      // Acknowledged (exactly or by a later ack): drop it. A matched node's time is read
      // below, before the free list can hand it out again.
      if (prev < 0) hv[rev + 1] = link;
      else links[prev] = link;
      links[node] = this.freeNode;
      this.freeNode = node;
      hv[rev + 2]! -= 1;
      node = link;
    }
    if (matched < 0) return Number.NaN;
    this.matched = true;
    const o = matched * NODE_WORDS;
    const rtt = elapsedSeconds(sec, ns, nd[o + 2]!, nd[o + 3]!);
    return rtt === 0 ? Number.NaN : rtt;
  }

  /**
   * Handshake timing for one segment (call after `analyze` of the same segment, with its
   * payload length). Returns the initial RTT when this segment reports it (seconds, exact to
   * 1 ns), else NaN.
   */
  handshake(slot: number, sec: number, ns: number, flags: number, seglen: number): number {
    const c = this.conns;
    const o = slot * CONN_WORDS;
    const sa = flags & (SYN | ACK);
    if (sa === SYN) {
      c[o] = sec;
      c[o + 1] = ns;
    } else if (sa === ACK) {
      const syn = c[o]!;
      if (syn === syn && c[o + 2] !== c[o + 2]) {
        const rtt = elapsedSeconds(sec, ns, syn, c[o + 1]!);
        // Wireshark keeps waiting while the value is zero.
        if (rtt !== 0) c[o + 2] = rtt;
      }
    }
    const first = c[o + 2]!;
    if (first !== first || c[o + 3] === c[o + 3]) return Number.NaN;
    if (!this.matched && seglen === 0) return Number.NaN;
    c[o + 3] = first;
    return first;
  }

  /** The initial RTT reported for the connection in `slot`, or NaN. */
  initialRtt(slot: number): number {
    return this.conns[slot * CONN_WORDS + 3]!;
  }

  /**
   * Over the unacknowledged segments of half-connection `half`: highest next sequence number
   * minus lowest sequence number, both relative to `base` (32-bit); NaN when none are remembered.
   */
  unackedSpan(slot: number, half: number, base: number): number {
    let node = this.halves[(slot * 2 + half) * HALF_WORDS + 1]!;
    if (node < 0) return Number.NaN;
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    const nd = this.nodes;
    while (node >= 0) {
      const o = node * NODE_WORDS;
      const s = (nd[o]! - base) >>> 0;
      const e = (nd[o + 1]! - base) >>> 0;
      if (s < lo) lo = s;
      if (e > hi) hi = e;
      node = this.links[node]!;
    }
    return (hi - lo) >>> 0;
  }

  /** Segments currently remembered (all flows), for tests and memory reports. */
  rememberedSegments(): number {
    let n = 0;
    for (let h = 0; h < this.slots * 2; h++) n += this.halves[h * HALF_WORDS + 2]!;
    return n;
  }

  private freeList(h: number): void {
    const o = h * HALF_WORDS;
    let node = this.halves[o + 1]!;
    const links = this.links;
    while (node >= 0) {
      const link = links[node]!;
      links[node] = this.freeNode;
      this.freeNode = node;
      node = link;
    }
    emptyHalf(this.halves, o);
  }

  private allocNode(): number {
    if (this.freeNode < 0) {
      if (this.allocated >= this.maxNodes) return -1;
      this.growPool(Math.min(this.maxNodes, this.allocated * 2));
    }
    const node = this.freeNode;
    this.freeNode = this.links[node]!;
    return node;
  }

  private growPool(size: number): void {
    const old = this.allocated;
    if (size <= old) return;
    const nodes = new Float64Array(size * NODE_WORDS);
    nodes.set(this.nodes);
    const links = new Int32Array(size);
    links.set(this.links);
    // Thread the new nodes onto the free list.
    for (let n = size - 1; n >= old; n--) {
      links[n] = this.freeNode;
      this.freeNode = n;
    }
    this.nodes = nodes;
    this.links = links;
    this.allocated = size;
  }
}

const HALF_WORDS = 3;
const CONN_WORDS = 4;
const NODE_WORDS = 4;

function emptyHalf(halves: Float64Array, o: number): void {
  halves[o] = Number.NaN;
  halves[o + 1] = -1;
  halves[o + 2] = 0;
}
