/**
 * Request→response latency per flow slot (DESIGN.md, Definitions):
 *
 * - DNS, as Wireshark's `dns.time`: a response is matched, on the same conversation (our
 *   bidirectional flow) and transaction id, to the most recent query with that id; the time
 *   is response − query. A query answered once gets no time from a second response (that is
 *   a retransmitted answer); a repeated query replaces the earlier one. Direction is not
 *   checked: an mDNS query and its multicast answer travel the same way.
 * - TCP: first payload byte from the client → first payload byte from the server after it,
 *   once per connection, only when the client is known from the handshake.
 *
 * DNS transactions live in a pooled linked list store (typed arrays, free list), at most
 * MAX_PENDING_PER_FLOW per flow and a global cap, so memory follows the live flows.
 */

import { elapsedSeconds } from './packet-time.js';

/** Outstanding DNS transactions remembered per flow (the oldest is forgotten beyond). */
export const MAX_PENDING_PER_FLOW = 64;

/** Wireshark's dns.retransmission_timer default: a repeated id within it is a retransmission. */
export const DNS_RETRANSMISSION_SECONDS = 5;

/** Default cap on remembered DNS transactions over all flows. */
export const DEFAULT_MAX_DNS_TRANSACTIONS = 1 << 20;

/** DNS query/response matching for every live flow slot. */
export class DnsTransactions {
  private slots = 0;
  private head = new Int32Array(0);
  private length = new Uint16Array(0);
  private readonly maxNodes: number;
  private nodeId = new Uint16Array(0);
  private nodeSec = new Float64Array(0);
  private nodeNs = new Uint32Array(0);
  private nodeAnswered = new Uint8Array(0);
  private nodeLink = new Int32Array(0);
  private freeNode = -1;
  private allocated = 0;

  constructor(slotCapacity: number, maxTransactions = DEFAULT_MAX_DNS_TRANSACTIONS) {
    this.maxNodes = Math.max(1, maxTransactions);
    this.ensureCapacity(slotCapacity);
  }

  /** Grows the per-slot arrays (contents kept). */
  ensureCapacity(slots: number): void {
    if (slots <= this.slots) return;
    const head = new Int32Array(slots).fill(-1);
    head.set(this.head);
    const length = new Uint16Array(slots);
    length.set(this.length);
    this.head = head;
    this.length = length;
    this.slots = slots;
  }

  /** A query with transaction `id` at time (sec, ns), sec relative to the capture. */
  query(slot: number, id: number, sec: number, ns: number): void {
    let prev = -1;
    let node = this.head[slot]!;
    while (node >= 0) {
      if (this.nodeId[node] === id) {
        const since = elapsedSeconds(sec, ns, this.nodeSec[node]!, this.nodeNs[node]!);
        if (this.nodeAnswered[node] === 0 && since >= 0 && since <= DNS_RETRANSMISSION_SECONDS) return;
        this.nodeSec[node] = sec;
        this.nodeNs[node] = ns;
        this.nodeAnswered[node] = 0;
        return;
      }
      // Remember the second-to-last node: the tail is dropped when the list is full.
      if (this.nodeLink[node]! >= 0) prev = node;
      node = this.nodeLink[node]!;
    }
    if (this.length[slot]! >= MAX_PENDING_PER_FLOW && prev >= 0) {
      const tail = this.nodeLink[prev]!;
      this.nodeLink[prev] = -1;
      this.release(tail);
      this.length[slot]! -= 1;
    }
    const fresh = this.alloc();
    if (fresh < 0) return;
    this.nodeId[fresh] = id;
    this.nodeSec[fresh] = sec;
    this.nodeNs[fresh] = ns;
    this.nodeAnswered[fresh] = 0;
    this.nodeLink[fresh] = this.head[slot]!;
    this.head[slot] = fresh;
    this.length[slot]! += 1;
  }

  /** A response with transaction `id` at time (sec, ns): the latency in seconds, or NaN. */
  response(slot: number, id: number, sec: number, ns: number): number {
    for (let node = this.head[slot]!; node >= 0; node = this.nodeLink[node]!) {
      if (this.nodeId[node] !== id) continue;
      if (this.nodeAnswered[node] === 1) return Number.NaN;
      this.nodeAnswered[node] = 1;
      return elapsedSeconds(sec, ns, this.nodeSec[node]!, this.nodeNs[node]!);
    }
    return Number.NaN;
  }

  /** Forgets the transactions of `slot` (flow ended). */
  resetFlow(slot: number): void {
    let node = this.head[slot]!;
    while (node >= 0) {
      const link = this.nodeLink[node]!;
      this.release(node);
      node = link;
    }
    this.head[slot] = -1;
    this.length[slot] = 0;
  }

  private release(node: number): void {
    this.nodeLink[node] = this.freeNode;
    this.freeNode = node;
  }

  private alloc(): number {
    if (this.freeNode < 0 && !this.grow()) return -1;
    const node = this.freeNode;
    this.freeNode = this.nodeLink[node]!;
    return node;
  }

  private grow(): boolean {
    const old = this.allocated;
    const size = Math.min(this.maxNodes, Math.max(256, old * 2));
    if (size <= old) return false;
    const id = new Uint16Array(size);
    id.set(this.nodeId);
    const nodeSec = new Float64Array(size);
    nodeSec.set(this.nodeSec);
    const nodeNs = new Uint32Array(size);
    nodeNs.set(this.nodeNs);
    const answered = new Uint8Array(size);
    answered.set(this.nodeAnswered);
    const link = new Int32Array(size);
    link.set(this.nodeLink);
    for (let n = size - 1; n >= old; n--) {
      link[n] = this.freeNode;
      this.freeNode = n;
    }
    this.nodeId = id;
    this.nodeSec = nodeSec;
    this.nodeNs = nodeNs;
    this.nodeAnswered = answered;
    this.nodeLink = link;
    this.allocated = size;
    return true;
  }
}

const WAIT_REQUEST = 0;
const WAIT_RESPONSE = 1;
const DONE = 2;

/** TCP first-request-byte → first-response-byte latency for every live flow slot. */
export class TcpRequestResponse {
  private state = new Uint8Array(0);
  private requestSec = new Float64Array(0);
  private requestNs = new Uint32Array(0);

  constructor(slotCapacity: number) {
    this.ensureCapacity(slotCapacity);
  }

  /** Grows the per-slot arrays (contents kept). */
  ensureCapacity(slots: number): void {
    if (slots <= this.state.length) return;
    const state = new Uint8Array(slots);
    state.set(this.state);
    const sec = new Float64Array(slots);
    sec.set(this.requestSec);
    const ns = new Uint32Array(slots);
    ns.set(this.requestNs);
    this.state = state;
    this.requestSec = sec;
    this.requestNs = ns;
  }

  /** Starts a connection in `slot`; `clientKnown` false (no handshake seen) disables it. */
  reset(slot: number, clientKnown: boolean): void {
    this.state[slot] = clientKnown ? WAIT_REQUEST : DONE;
  }

  /** A segment with payload, from the client or not, at time (sec, ns). Latency or NaN. */
  payload(slot: number, fromClient: boolean, sec: number, ns: number): number {
    const s = this.state[slot]!;
    if (s === WAIT_REQUEST) {
      if (fromClient) {
        this.requestSec[slot] = sec;
        this.requestNs[slot] = ns;
        this.state[slot] = WAIT_RESPONSE;
      }
      return Number.NaN;
    }
    if (s === WAIT_RESPONSE && !fromClient) {
      this.state[slot] = DONE;
      return elapsedSeconds(sec, ns, this.requestSec[slot]!, this.requestNs[slot]!);
    }
    return Number.NaN;
  }
}
