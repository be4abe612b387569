/**
 * TCP and UDP conversations counted as `tshark -z conv,tcp` / `conv,udp` count them.
 *
 * A conversation is an unordered (address, port) pair per transport. UDP pairs never split.
 * TCP pairs split into streams the way Wireshark 4.0's `tcp.stream` does: a SYN without ACK
 * whose sequence number differs from the base sequence number already recorded for its
 * direction starts a new stream on the same pair (port reuse). The base sequence number of a
 * direction is set by its first segment (the ISN for a SYN, else seq − 1) or, before that,
 * by the first ACK from the other side (ack − 1).
 *
 * Every layer counts in the per-direction packets and bytes (the conversation-table numbers).
 * The stream counters only take frames in which the conversation is the innermost TCP or the
 * innermost UDP layer: that is how frames group by tshark's `tcp.stream` and `udp.stream`
 * fields, and what the top-conversations list ranks by (an outer GTP-U pair carrying a UDP
 * flow then neither outranks nor duplicates the flow it carries).
 *
 * Storage is open addressing over typed arrays, with no strings and no object per
 * conversation: one 128-byte record per entry (key, counters, times, TCP base sequence
 * numbers) plus 8–16 bytes of hash slots. Entries are numbered in creation
 * order (like stream indices) and never removed; the hash slots point at the entry that is
 * current for a key, so a port-reused TCP pair leaves its older streams in the entry list,
 * unreachable by key, still counted.
 *
 * Speed: the per-packet path (addBatch) is one loop with every value in locals and the
 * record layout in module-local constants. A number ≥ 2^30 (an address word, a timestamp)
 * passed to a function that is not inlined is boxed on the heap, and constants read from an
 * object or another module are not folded; either cost more than the lookup itself.
 */

import { NO_OFFSET, ProtoBit, type DecodedBatch, type ExtraLayers } from '../ingest/decoded-batch.js';
import type { RawBatch } from '../ingest/raw-batch.js';

/** Transport numbers the table accepts (IANA protocol numbers). */
export const ConvProto = { TCP: 6, UDP: 17 } as const;
/** A transport accepted by the table. */
export type ConvProtoNumber = (typeof ConvProto)[keyof typeof ConvProto];

/**
 * Record layout: one 128-byte record per entry, seen as 32 uint32 or 16 float64 words. The
 * first cache line holds what a lookup compares and the packet counters, the second the byte
 * counters and times. Packet counters are uint32 per direction (one conversation of 4.29e9
 * packets would wrap).
 */
const REC_U32 = 32;
const REC_F64 = 16;
const R_HASH = 0;
const R_META = 1; // proto << 8 | ipVersion (never 0 in a used record)
const R_PORTS = 2; // portA << 16 | portB
const R_ADDR_A = 3; // 4 words (IPv4: one word, then zeros)
const R_ADDR_B = 7; // 4 words
const R_FLAGS = 11;
const R_BASE_SEQ_AB = 12; // + 1: B→A
const R_PACKETS_AB = 14; // + 1: B→A
const F_BYTES_AB = 8; // float64 index; + 1: B→A
const F_STREAM_BYTES = 10;
const F_STREAM_PACKETS = 11;
const F_FIRST_SEC = 12;
const F_FIRST_NSEC = 13;
const F_LAST_SEC = 14;
const F_LAST_NSEC = 15;

const FLAG_INITIATOR_IS_B = 1;
const FLAG_BASE_SEQ_AB = 2;
const FLAG_BASE_SEQ_BA = 4;

const MEMO_SLOTS = 64;
const MEMO_WORDS = 12;

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const TH_SYN = 0x02;
const TH_ACK = 0x10;

/** Live state of a conversation table; entry ids run from 0 to size − 1. */
export class ConversationTable {
  /** Number of entries (TCP streams + UDP pairs). */
  size = 0;
  tcpCount = 0;
  udpCount = 0;

  private capacity: number;
  /** Records as uint32 words, and the same buffer as float64 words; replaced on growth. */
  private u32: Uint32Array;
  private f64: Float64Array;
  private slots: Int32Array; // entry id + 1; 0 = empty
  private slotMask: number;
  /**
   * A direct-mapped cache of recent layers, MEMO_SLOTS records of MEMO_WORDS words: key in
   * that layer's own orientation (src[4], dst[4], ports, meta), entry id and orientation.
   * Its index is symmetric in source and destination, so both directions of a flow share a
   * record. Most packets belong to a flow seen a few packets earlier; a hit skips the
   * ordering, hash and probe, whose cache misses on a large table cost the most.
   */
  private readonly memo = new Uint32Array(MEMO_SLOTS * MEMO_WORDS);

  constructor(initialCapacity = 4096) {
    const cap = Math.max(16, 2 ** Math.ceil(Math.log2(initialCapacity)));
    this.capacity = cap;
    const buffer = new ArrayBuffer(cap * REC_U32 * 4);
    this.u32 = new Uint32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.slots = new Int32Array(cap * 2);
    this.slotMask = cap * 2 - 1;
  }

  /**
   * Adds every TCP/UDP layer of a decoded batch: for each frame its outer (tunnel) layers
   * first, in the decoder's outer → inner order, then its primary layer, so entries are
   * created in the order tshark dissects them. Headers quoted inside ICMP errors are not
   * layers (the decoder reports the ICMP message as the primary transport), as in tshark's
   * tables. A layer needs a complete transport header (l4Offset set, as ProtoBit.L4_HEADER
   * promises) and its IP header's offset.
   */
  addBatch(raw: RawBatch, dec: DecodedBatch): void {
    const rawData = raw.data;
    const layers = dec.layers;
    const memo = this.memo;
    let e = 0;
    for (let i = 0; i < dec.count; i++) {
      // A frame that completed a reassembly has every offset in the reassembled copy.
      const data = (dec.protoMask[i]! & ProtoBit.REASSEMBLED) !== 0 ? dec.reassembled.data : rawData;
      const pProto = dec.ipProto[i]!;
      const primary = (pProto === IPPROTO_TCP || pProto === IPPROTO_UDP) &&
        dec.ipOffset[i] !== NO_OFFSET && dec.l4Offset[i] !== NO_OFFSET ? pProto : 0;
      const wireLen = raw.wirelen[i]!;
      const sec = raw.tsSec[i]!;
      const nsec = raw.tsNsec[i]!;
      let primaryDone = primary === 0;

      for (;;) {
        let proto: number, ipVersion: number, o: number, srcPort: number, dstPort: number;
        let tcpFlags = -1, seq = 0, ack = 0, innermost: boolean;
        if (e < layers.count && layers.packetIndex[e] === i) {
          const here = e++;
          proto = layers.ipProto[here]!;
          o = layers.ipOffset[here]!;
          if ((proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) || o === NO_OFFSET) continue;
          ipVersion = layers.ipVersion[here]!;
          srcPort = layers.srcPort[here]!;
          dstPort = layers.dstPort[here]!;
          innermost = proto !== primary && !deeperLayerOf(layers, here, i, proto);
        } else if (!primaryDone) {
          primaryDone = true;
          proto = primary;
          o = dec.ipOffset[i]!;
          ipVersion = dec.ipVersion[i]!;
          srcPort = dec.srcPort[i]!;
          dstPort = dec.dstPort[i]!;
          innermost = true;
          if (proto === IPPROTO_TCP) {
            tcpFlags = dec.tcpFlags[i]!;
            seq = dec.tcpSeq[i]!;
            ack = dec.tcpAck[i]!;
          }
        } else {
          break;
        }

        // Addresses: RFC 791 §3.1 (IPv4 at +12/+16), RFC 8200 §3 (IPv6 at +8/+24).
        const v4 = ipVersion === 4;
        let s0: number, s1 = 0, s2 = 0, s3 = 0, d0: number, d1 = 0, d2 = 0, d3 = 0;
        if (v4) {
          s0 = ((data[o + 12]! << 24) | (data[o + 13]! << 16) | (data[o + 14]! << 8) | data[o + 15]!) >>> 0;
          d0 = ((data[o + 16]! << 24) | (data[o + 17]! << 16) | (data[o + 18]! << 8) | data[o + 19]!) >>> 0;
        } else {
          s0 = ((data[o + 8]! << 24) | (data[o + 9]! << 16) | (data[o + 10]! << 8) | data[o + 11]!) >>> 0;
          s1 = ((data[o + 12]! << 24) | (data[o + 13]! << 16) | (data[o + 14]! << 8) | data[o + 15]!) >>> 0;
          s2 = ((data[o + 16]! << 24) | (data[o + 17]! << 16) | (data[o + 18]! << 8) | data[o + 19]!) >>> 0;
          s3 = ((data[o + 20]! << 24) | (data[o + 21]! << 16) | (data[o + 22]! << 8) | data[o + 23]!) >>> 0;
          d0 = ((data[o + 24]! << 24) | (data[o + 25]! << 16) | (data[o + 26]! << 8) | data[o + 27]!) >>> 0;
          d1 = ((data[o + 28]! << 24) | (data[o + 29]! << 16) | (data[o + 30]! << 8) | data[o + 31]!) >>> 0;
          d2 = ((data[o + 32]! << 24) | (data[o + 33]! << 16) | (data[o + 34]! << 8) | data[o + 35]!) >>> 0;
          d3 = ((data[o + 36]! << 24) | (data[o + 37]! << 16) | (data[o + 38]! << 8) | data[o + 39]!) >>> 0;
        }
        const meta = (proto << 8) | ipVersion;
        const sd = ((srcPort << 16) | dstPort) >>> 0;
        const ds = ((dstPort << 16) | srcPort) >>> 0;

        let x = s0 ^ d0 ^ s3 ^ d3 ^ srcPort ^ dstPort;
        x ^= x >>> 16;
        x ^= x >>> 8;
        const mo = (x & (MEMO_SLOTS - 1)) * MEMO_WORDS;
        let id = -1;
        let srcIsA: boolean;
        if (memo[mo + 9] === meta && memo[mo + 8] === sd && memo[mo] === s0 && memo[mo + 4] === d0 &&
            (v4 || (memo[mo + 1] === s1 && memo[mo + 2] === s2 && memo[mo + 3] === s3 &&
                    memo[mo + 5] === d1 && memo[mo + 6] === d2 && memo[mo + 7] === d3))) {
          id = memo[mo + 10]!;
          srcIsA = memo[mo + 11] === 1;
        } else if (memo[mo + 9] === meta && memo[mo + 8] === ds && memo[mo] === d0 && memo[mo + 4] === s0 &&
            (v4 || (memo[mo + 1] === d1 && memo[mo + 2] === d2 && memo[mo + 3] === d3 &&
                    memo[mo + 5] === s1 && memo[mo + 6] === s2 && memo[mo + 7] === s3))) {
          id = memo[mo + 10]!;
          srcIsA = memo[mo + 11] !== 1;
        } else {
          srcIsA = s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : s2 !== d2 ? s2 < d2 : s3 !== d3 ? s3 < d3 : srcPort <= dstPort;
          const ports = srcIsA ? sd : ds;
          const a0 = srcIsA ? s0 : d0, a1 = srcIsA ? s1 : d1, a2 = srcIsA ? s2 : d2, a3 = srcIsA ? s3 : d3;
          const b0 = srcIsA ? d0 : s0, b1 = srcIsA ? d1 : s1, b2 = srcIsA ? d2 : s2, b3 = srcIsA ? d3 : s3;
          // Murmur3-style mixing of the canonical key (IPv4 skips the zero words), finalised.
          let h = mixWord(mixWord(mixWord(0x2f0f4d1b ^ meta, a0), b0), ports);
          if (!v4) h = mixWord(mixWord(mixWord(mixWord(mixWord(mixWord(h, a1), a2), a3), b1), b2), b3);
          h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
          const hash = h >>> 0;
          const u32 = this.u32;
          const slots = this.slots;
          const mask = this.slotMask;
          let slot = hash & mask;
          for (;;) {
            const v = slots[slot]!;
            if (v === 0) break;
            const r = (v - 1) * REC_U32;
            if (u32[r + R_HASH] === hash && u32[r + R_META] === meta && u32[r + R_PORTS] === ports &&
                u32[r + R_ADDR_A] === a0 && u32[r + R_ADDR_B] === b0 &&
                (v4 || (u32[r + R_ADDR_A + 1] === a1 && u32[r + R_ADDR_A + 2] === a2 && u32[r + R_ADDR_A + 3] === a3 &&
                        u32[r + R_ADDR_B + 1] === b1 && u32[r + R_ADDR_B + 2] === b2 && u32[r + R_ADDR_B + 3] === b3))) {
              id = v - 1;
              break;
            }
            slot = (slot + 1) & mask;
          }
          if (id < 0) {
            id = this.newEntry(srcIsA, meta);
            const w = this.u32; // newEntry may have grown the records
            const r = id * REC_U32;
            w[r + R_HASH] = hash; w[r + R_META] = meta; w[r + R_PORTS] = ports;
            w[r + R_ADDR_A] = a0; w[r + R_ADDR_A + 1] = a1; w[r + R_ADDR_A + 2] = a2; w[r + R_ADDR_A + 3] = a3;
            w[r + R_ADDR_B] = b0; w[r + R_ADDR_B + 1] = b1; w[r + R_ADDR_B + 2] = b2; w[r + R_ADDR_B + 3] = b3;
            this.slots[slot] = id + 1;
            // Load factor stays at or below 1/2: probes stay short, an empty slot always exists.
            if (this.size * 2 > this.slots.length) this.rehash();
          }
        }

        let u32 = this.u32;
        let ru = id * REC_U32;
        const fwd = srcIsA ? 0 : 1;
        if (tcpFlags >= 0) {
          const fwdBit = srcIsA ? FLAG_BASE_SEQ_AB : FLAG_BASE_SEQ_BA;
          // Port reuse: a fresh SYN with another ISN than this direction's base starts a stream.
          if ((tcpFlags & (TH_SYN | TH_ACK)) === TH_SYN && (u32[ru + R_FLAGS]! & fwdBit) !== 0 &&
              u32[ru + R_BASE_SEQ_AB + fwd] !== seq) {
            id = this.newStream(id, srcIsA);
            u32 = this.u32;
            ru = id * REC_U32;
          }
          const revBit = srcIsA ? FLAG_BASE_SEQ_BA : FLAG_BASE_SEQ_AB;
          const f = u32[ru + R_FLAGS]!;
          if ((f & fwdBit) === 0) {
            u32[ru + R_BASE_SEQ_AB + fwd] = (tcpFlags & TH_SYN) !== 0 ? seq : seq - 1;
            u32[ru + R_FLAGS] = u32[ru + R_FLAGS]! | fwdBit;
          }
          if ((f & revBit) === 0 && (tcpFlags & TH_ACK) !== 0) {
            u32[ru + R_BASE_SEQ_AB + 1 - fwd] = ack - 1;
            u32[ru + R_FLAGS] = u32[ru + R_FLAGS]! | revBit;
          }
        }

        u32[ru + R_PACKETS_AB + fwd] = u32[ru + R_PACKETS_AB + fwd]! + 1;
        const f64 = this.f64;
        const rf = id * REC_F64;
        f64[rf + F_BYTES_AB + fwd] = f64[rf + F_BYTES_AB + fwd]! + wireLen;
        if (innermost) {
          f64[rf + F_STREAM_BYTES] = f64[rf + F_STREAM_BYTES]! + wireLen;
          f64[rf + F_STREAM_PACKETS] = f64[rf + F_STREAM_PACKETS]! + 1;
        }
        const fs = f64[rf + F_FIRST_SEC]!;
        if (sec < fs || (sec === fs && nsec < f64[rf + F_FIRST_NSEC]!)) {
          f64[rf + F_FIRST_SEC] = sec;
          f64[rf + F_FIRST_NSEC] = nsec;
        }
        const ls = f64[rf + F_LAST_SEC]!;
        if (sec > ls || (sec === ls && nsec > f64[rf + F_LAST_NSEC]!)) {
          f64[rf + F_LAST_SEC] = sec;
          f64[rf + F_LAST_NSEC] = nsec;
        }

        memo[mo] = s0; memo[mo + 1] = s1; memo[mo + 2] = s2; memo[mo + 3] = s3;
        memo[mo + 4] = d0; memo[mo + 5] = d1; memo[mo + 6] = d2; memo[mo + 7] = d3;
        memo[mo + 8] = sd; memo[mo + 9] = meta; memo[mo + 10] = id; memo[mo + 11] = srcIsA ? 1 : 0;
      }
    }
  }

  /** Transport of an entry (6 or 17). */
  proto(id: number): ConvProtoNumber {
    return (this.u32[id * REC_U32 + R_META]! >>> 8) as ConvProtoNumber;
  }

  /** IP version of an entry (4 or 6). */
  ipVersion(id: number): 4 | 6 {
    return (this.u32[id * REC_U32 + R_META]! & 0xff) as 4 | 6;
  }

  /** Endpoint `side` (0 = A, the lower one; 1 = B) of an entry: address words and port. */
  endpoint(id: number, side: 0 | 1): { words: Uint32Array; port: number } {
    const r = id * REC_U32;
    const at = r + (side === 0 ? R_ADDR_A : R_ADDR_B);
    const ports = this.u32[r + R_PORTS]!;
    return { words: this.u32.slice(at, at + 4), port: side === 0 ? ports >>> 16 : ports & 0xffff };
  }

  /** True when the first packet of the entry went from B to A (B is the initiator). */
  initiatorIsB(id: number): boolean {
    return (this.u32[id * REC_U32 + R_FLAGS]! & FLAG_INITIATOR_IS_B) !== 0;
  }

  /** Packets of an entry, every layer: direction 0 = A→B, 1 = B→A. */
  packets(id: number, direction: 0 | 1): number {
    return this.u32[id * REC_U32 + R_PACKETS_AB + direction]!;
  }

  /** Wire bytes of an entry, every layer: direction 0 = A→B, 1 = B→A. */
  bytes(id: number, direction: 0 | 1): number {
    return this.f64[id * REC_F64 + F_BYTES_AB + direction]!;
  }

  /** Packets in both directions, every layer. */
  totalPackets(id: number): number {
    return this.packets(id, 0) + this.packets(id, 1);
  }

  /** Wire bytes in both directions, every layer. */
  totalBytes(id: number): number {
    return this.bytes(id, 0) + this.bytes(id, 1);
  }

  /** Frames in which this entry is the innermost layer of its transport (tshark stream grouping). */
  streamPackets(id: number): number {
    return this.f64[id * REC_F64 + F_STREAM_PACKETS]!;
  }

  /** Wire bytes of the frames counted by {@link streamPackets}. */
  streamBytes(id: number): number {
    return this.f64[id * REC_F64 + F_STREAM_BYTES]!;
  }

  /** Earliest packet time of an entry: [seconds, nanoseconds]. */
  firstTime(id: number): [number, number] {
    const r = id * REC_F64;
    return [this.f64[r + F_FIRST_SEC]!, this.f64[r + F_FIRST_NSEC]!];
  }

  /** Latest packet time of an entry: [seconds, nanoseconds]. */
  lastTime(id: number): [number, number] {
    const r = id * REC_F64;
    return [this.f64[r + F_LAST_SEC]!, this.f64[r + F_LAST_NSEC]!];
  }

  /** Appends an entry (key not yet written) whose first packet went A→B when `srcIsA`. */
  private newEntry(srcIsA: boolean, meta: number): number {
    if (this.size === this.capacity) this.growEntries();
    const id = this.size++;
    this.u32[id * REC_U32 + R_FLAGS] = srcIsA ? 0 : FLAG_INITIATOR_IS_B;
    const rf = id * REC_F64;
    this.f64[rf + F_FIRST_SEC] = Infinity;
    this.f64[rf + F_LAST_SEC] = -Infinity;
    if (meta >>> 8 === IPPROTO_TCP) this.tcpCount++;
    else this.udpCount++;
    return id;
  }

  /** A new TCP stream on the key of entry `old` (port reuse); `old` stays counted, unreachable. */
  private newStream(old: number, srcIsA: boolean): number {
    const id = this.newEntry(srcIsA, this.u32[old * REC_U32 + R_META]!);
    const u32 = this.u32;
    const from = old * REC_U32;
    const to = id * REC_U32;
    u32.copyWithin(to + R_HASH, from + R_HASH, from + R_ADDR_B + 4);
    const mask = this.slotMask;
    let slot = u32[to + R_HASH]! & mask;
    while (this.slots[slot] !== old + 1) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
    return id;
  }

  private growEntries(): void {
    const cap = this.capacity * 2;
    const buffer = new ArrayBuffer(cap * REC_U32 * 4);
    const u32 = new Uint32Array(buffer);
    u32.set(this.u32);
    this.u32 = u32;
    this.f64 = new Float64Array(buffer);
    this.capacity = cap;
  }

  /** Doubles the slot array; only the entries the old slots point at are reachable. */
  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i]!;
      if (v === 0) continue;
      let s = this.u32[(v - 1) * REC_U32 + R_HASH]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = v;
    }
    this.slots = slots;
    this.slotMask = mask;
  }
}

/** True when an extra layer after `e` in packet `i` has transport `proto` (layers go outer → inner). */
function deeperLayerOf(layers: ExtraLayers, e: number, i: number, proto: number): boolean {
  for (let k = e + 1; k < layers.count && layers.packetIndex[k] === i; k++) {
    if (layers.ipProto[k] === proto) return true;
  }
  return false;
}

/** One Murmur3 mixing round (32-bit); small enough to be inlined. */
function mixWord(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
