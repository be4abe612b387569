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
 * bounded by the unacknowledged segments of live flows, with a global cap (24 bytes each).
 */

import { elapsedSeconds } from './packet-time.js';

const SYN = 0x02;
const FIN = 0x01;
const ACK = 0x10;

/** Wireshark's cap on remembered unacknowledged segments per direction (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED_PER_DIRECTION = 10000;

/** Default cap on remembered segments over all flows (24 bytes each: 96 MiB). */
export const DEFAULT_MAX_UNACKED_SEGMENTS = 1 << 22;

/** a > b in 32-bit sequence space (RFC 9293 §3.4). */
function seqGt(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** Unacknowledged-segment lists and handshake timing for every live flow slot. */
export class TcpRtt {
  private slots = 0;
  /** Per half-connection (slot * 2 + half): base sequence number known, and its value. */
  private baseSet = new Uint8Array(0);
  private baseSeq = new Uint32Array(0);
  private head = new Int32Array(0);
  private listLength = new Uint32Array(0);
  /** Per slot: time of the most recent SYN without ACK, and the initial RTT (NaN: none). */
  private mruSyn = new Float64Array(0);
  private mruSynNs = new Uint32Array(0);
  private firstRtt = new Float64Array(0);
  /** Per slot: the initial RTT once reported (NaN before). */
  private shownRtt = new Float64Array(0);
  /** The last `analyze` call acknowledged a remembered segment (even with a zero RTT). */
  private matched = false;

  private readonly maxNodes: number;
  private nodeSeq = new Uint32Array(0);
  private nodeNext = new Uint32Array(0);
  /** Segment send time: whole seconds (relative to the capture) and nanoseconds. */
  private nodeSec = new Float64Array(0);
  private nodeNs = new Uint32Array(0);
  private nodeLink = new Int32Array(0);
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
    const halves = slots * 2;
    const baseSet = new Uint8Array(halves);
    baseSet.set(this.baseSet);
    const baseSeq = new Uint32Array(halves);
    baseSeq.set(this.baseSeq);
    const head = new Int32Array(halves).fill(-1);
    head.set(this.head);
    const listLength = new Uint32Array(halves);
    listLength.set(this.listLength);
    const mruSyn = new Float64Array(slots).fill(Number.NaN);
    mruSyn.set(this.mruSyn);
    const mruSynNs = new Uint32Array(slots);
    mruSynNs.set(this.mruSynNs);
    const firstRtt = new Float64Array(slots).fill(Number.NaN);
    firstRtt.set(this.firstRtt);
    const shownRtt = new Float64Array(slots).fill(Number.NaN);
    shownRtt.set(this.shownRtt);
    this.baseSet = baseSet;
    this.baseSeq = baseSeq;
    this.head = head;
    this.listLength = listLength;
    this.mruSyn = mruSyn;
    this.mruSynNs = mruSynNs;
    this.firstRtt = firstRtt;
    this.shownRtt = shownRtt;
    this.slots = slots;
  }

  /** Forgets the connection in `slot` (flow ended): its segments go back to the pool. */
  resetFlow(slot: number): void {
    this.freeList(slot * 2);
    this.freeList(slot * 2 + 1);
    this.baseSet[slot * 2] = 0;
    this.baseSet[slot * 2 + 1] = 0;
    this.mruSyn[slot] = Number.NaN;
    this.firstRtt[slot] = Number.NaN;
    this.shownRtt[slot] = Number.NaN;
  }

  /**
   * A SYN without ACK whose sequence number differs from the first one seen in its direction:
   * a new connection reusing the ports (Wireshark starts a new tcp.stream).
   */
  isPortReuse(slot: number, half: number, flags: number, seq: number): boolean {
    const h = slot * 2 + half;
    return (flags & (SYN | ACK)) === SYN && this.baseSet[h] === 1 && this.baseSeq[h] !== seq;
  }

  /**
   * Sequence analysis of one segment sent on half-connection `half` (0/1) at time (sec, ns),
   * sec relative to the capture. Returns the ack RTT this segment carries (seconds, exact to
   * 1 ns) or NaN.
   */
  analyze(slot: number, half: number, sec: number, ns: number, seq: number, ack: number, seglen: number, flags: number): number {
    const fwd = slot * 2 + half;
    if (this.baseSet[fwd] === 0) {
      this.baseSeq[fwd] = flags & SYN ? seq : (seq - 1) >>> 0;
      this.baseSet[fwd] = 1;
    }
    if ((seglen > 0 || (flags & (SYN | FIN)) !== 0) && this.listLength[fwd]! < MAX_UNACKED_PER_DIRECTION) {
      const node = this.allocNode();
      if (node >= 0) {
        this.nodeSeq[node] = seq;
        this.nodeNext[node] = (seq + seglen + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
        this.nodeSec[node] = sec;
        this.nodeNs[node] = ns;
        this.nodeLink[node] = this.head[fwd]!;
        this.head[fwd] = node;
        this.listLength[fwd]! += 1;
      }
    }
    return this.acknowledge(fwd ^ 1, sec, ns, ack);
  }

  /** Walks the other direction's unacknowledged list with acknowledgement number `ack`. */
  private acknowledge(rev: number, sec: number, ns: number, ack: number): number {
    let matched = -1;
    this.matched = false;
    let prev = -1;
    let node = this.head[rev]!;
    const seqs = this.nodeSeq;
    const nexts = this.nodeNext;
    const links = this.nodeLink;
    while (node >= 0) {
      const next = nexts[node]!;
      const link = links[node]!;
      if (ack === next) {
        // Newest first: a later match is an older copy, whose time wins (as in Wireshark).
        matched = node;
      } else if (seqGt(next, ack)) {
        if (seqGt(ack, seqs[node]!)) seqs[node] = ack; // partly acknowledged: trim
        prev = node;
        node = link;
        continue;
      }
      // Acknowledged (exactly or by a later ack): drop it (a matched node's time is read below,
      // before the free list can hand it out again).
      if (prev < 0) this.head[rev] = link;
      else links[prev] = link;
      links[node] = this.freeNode;
      this.freeNode = node;
      this.listLength[rev]! -= 1;
      node = link;
    }
    if (matched < 0) return Number.NaN;
    this.matched = true;
    const rtt = elapsedSeconds(sec, ns, this.nodeSec[matched]!, this.nodeNs[matched]!);
    return rtt === 0 ? Number.NaN : rtt;
  }

  /**
   * Handshake timing for one segment (call after `analyze` of the same segment, with its
   * payload length). Returns the initial RTT when this segment reports it (seconds, rounded
   * to 1 ns), else NaN.
   */
  handshake(slot: number, sec: number, ns: number, flags: number, seglen: number): number {
    const sa = flags & (SYN | ACK);
    if (sa === SYN) {
      this.mruSyn[slot] = sec;
      this.mruSynNs[slot] = ns;
    } else if (sa === ACK) {
      const syn = this.mruSyn[slot]!;
      const first = this.firstRtt[slot]!;
      if (syn === syn && first !== first) {
        const rtt = elapsedSeconds(sec, ns, syn, this.mruSynNs[slot]!);
        // Wireshark keeps waiting while the value is zero.
        if (rtt !== 0) this.firstRtt[slot] = rtt;
      }
    }
    const first = this.firstRtt[slot]!;
    if (first !== first || this.shownRtt[slot] === this.shownRtt[slot]) return Number.NaN;
    if (!this.matched && seglen === 0) return Number.NaN;
    this.shownRtt[slot] = first;
    return first;
  }

  /** The initial RTT reported for the connection in `slot`, or NaN. */
  initialRtt(slot: number): number {
    return this.shownRtt[slot]!;
  }

  /** Segments currently remembered (all flows), for tests and memory reports. */
  rememberedSegments(): number {
    let n = 0;
    for (let h = 0; h < this.slots * 2; h++) n += this.listLength[h]!;
    return n;
  }

  private freeList(h: number): void {
    let node = this.head[h]!;
    const links = this.nodeLink;
    while (node >= 0) {
      const link = links[node]!;
      links[node] = this.freeNode;
      this.freeNode = node;
      node = link;
    }
    this.head[h] = -1;
    this.listLength[h] = 0;
  }

  private allocNode(): number {
    if (this.freeNode < 0) {
      if (this.allocated >= this.maxNodes) return -1;
      this.growPool(Math.min(this.maxNodes, this.allocated * 2));
    }
    const node = this.freeNode;
    this.freeNode = this.nodeLink[node]!;
    return node;
  }

  private growPool(size: number): void {
    const old = this.allocated;
    if (size <= old) return;
    const seq = new Uint32Array(size);
    seq.set(this.nodeSeq);
    const next = new Uint32Array(size);
    next.set(this.nodeNext);
    const nodeSec = new Float64Array(size);
    nodeSec.set(this.nodeSec);
    const nodeNs = new Uint32Array(size);
    nodeNs.set(this.nodeNs);
    const link = new Int32Array(size);
    link.set(this.nodeLink);
    // Thread the new nodes onto the free list.
    for (let n = size - 1; n >= old; n--) {
      link[n] = this.freeNode;
      this.freeNode = n;
    }
    this.nodeSeq = seq;
    this.nodeNext = next;
    this.nodeSec = nodeSec;
    this.nodeNs = nodeNs;
    this.nodeLink = link;
    this.allocated = size;
  }
}
