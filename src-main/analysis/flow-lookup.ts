/**
 * Packet → flow slot: builds the canonical bidirectional key from the IP header bytes and
 * finds it in the FlowKeyIndex. In front of the index sits a small direct-mapped memo of
 * recent IPv4 packet orientations (source, destination, ports, protocol → slot and side):
 * most packets belong to a flow seen a few packets earlier, and a hit skips the key ordering,
 * the hash and the probe (whose cache misses on a big table cost the most). A memo entry is
 * checked against a per-slot serial, bumped whenever the slot's flow ends, so it never points
 * at a reused slot.
 */
import { FlowKeyIndex, hashKey } from './flow-key-index.js';

const MEMO_BITS = 12;
const MEMO_SIZE = 1 << MEMO_BITS;
const MEMO_WORDS = 8;

/** Result of `locate` when the addresses are not inside the captured bytes. */
export const NO_KEY = -2;

/** Flow lookup with a memo; see the file comment. */
export class FlowLookup {
  readonly index: FlowKeyIndex;
  /** Side of the last located packet: 1 when its source is the key's lower endpoint, else 0. */
  fromLo = 0;
  private serial: Uint32Array;
  /** MEMO_WORDS words per entry (one cache line): src, dst, ports, proto + 1 (0: empty), slot, serial, fromLo. */
  private readonly memos = new Uint32Array(MEMO_SIZE * MEMO_WORDS);
  /** The last located packet: memo entry offset (or -1 for IPv6), hash (-1 until computed). */
  private memo = -1;
  private hash = -1;
  private src = 0;
  private dst = 0;
  private ports = 0;
  private proto = 0;

  constructor(initialSlots: number) {
    this.index = new FlowKeyIndex(initialSlots);
    this.serial = new Uint32Array(this.index.capacity);
  }

  /**
   * Locates the flow of a packet whose IP header starts at d[ipOff] (captured bytes end at
   * capEnd). Returns its slot, -1 when the flow is not in the table, NO_KEY when the header
   * is not captured. Sets `fromLo`.
   */
  locate(d: Uint8Array, ipOff: number, capEnd: number, version: number, proto: number, sp: number, dp: number): number {
    this.hash = -1;
    if (capEnd > d.length) return NO_KEY;
    if (version !== 4) {
      this.memo = -1;
      if (ipOff + 40 > capEnd) return NO_KEY;
      this.fromLo = this.buildIpv6Key(d, ipOff, proto, sp, dp);
      return this.index.find(this.hashed());
    }
    if (ipOff + 20 > capEnd) return NO_KEY;
    const a = readU32(d, ipOff + 12);
    const b = readU32(d, ipOff + 16);
    const ports = ((sp << 16) | dp) >>> 0;
    const m = (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(ports, 0x85ebca6b) ^ proto, 0xc2b2ae35) >>> (32 - MEMO_BITS)) * MEMO_WORDS;
    this.memo = m;
    this.src = a;
    this.dst = b;
    this.ports = ports;
    this.proto = proto;
    const memos = this.memos;
    if (memos[m] === a && memos[m + 1] === b && memos[m + 2] === ports && memos[m + 3] === proto + 1) {
      const slot = memos[m + 4]!;
      if (this.serial[slot] === memos[m + 5] && this.index.isLive(slot)) {
        this.fromLo = memos[m + 6]!;
        return slot;
      }
    }
    this.fromLo = this.buildIpv4Key();
    const slot = this.index.find(this.hashed());
    if (slot >= 0) this.remember(slot);
    return slot;
  }

  /** Inserts the flow of the last located packet; returns its new slot (capacity may grow). */
  insert(): number {
    if (this.hash < 0) this.fromLo = this.memo >= 0 ? this.buildIpv4Key() : this.fromLo;
    const slot = this.index.insert(this.hashed());
    if (this.index.capacity > this.serial.length) {
      const grown = new Uint32Array(this.index.capacity);
      grown.set(this.serial);
      this.serial = grown;
    }
    if (this.memo >= 0) this.remember(slot);
    return slot;
  }

  /** Removes the flow in `slot`; memo entries pointing at it become stale. */
  remove(slot: number): void {
    this.serial[slot]! += 1;
    this.index.remove(slot);
  }

  /** Drops every flow. */
  clear(): void {
    for (let s = 0; s < this.index.highWater; s++) this.serial[s]! += 1;
    this.index.clear();
  }

  private remember(slot: number): void {
    const m = this.memo;
    const memos = this.memos;
    memos[m] = this.src;
    memos[m + 1] = this.dst;
    memos[m + 2] = this.ports;
    memos[m + 3] = this.proto + 1;
    memos[m + 4] = slot;
    memos[m + 5] = this.serial[slot]!;
    memos[m + 6] = this.fromLo;
  }

  private hashed(): number {
    if (this.hash < 0) this.hash = hashKey(this.index.key);
    return this.hash;
  }

  /** Canonical IPv4 key from the last located packet's fields; returns fromLo. */
  private buildIpv4Key(): number {
    const key = this.index.key;
    const a = this.src;
    const b = this.dst;
    const sp = this.ports >>> 16;
    const dp = this.ports & 0xffff;
    const lo = a < b || (a === b && sp <= dp);
    key[0] = lo ? a : b;
    key[1] = 0;
    key[2] = 0;
    key[3] = 0;
    key[4] = lo ? b : a;
    key[5] = 0;
    key[6] = 0;
    key[7] = 0;
    key[8] = lo ? this.ports : ((dp << 16) | sp) >>> 0;
    key[9] = (4 << 8) | this.proto;
    return lo ? 1 : 0;
  }

  /** Canonical IPv6 key (RFC 8200 §3: source at +8, destination at +24); returns fromLo. */
  private buildIpv6Key(d: Uint8Array, ipOff: number, proto: number, sp: number, dp: number): number {
    const key = this.index.key;
    const s = ipOff + 8;
    const t = ipOff + 24;
    let cmp = 0;
    for (let w = 0; w < 16 && cmp === 0; w += 4) {
      const a = readU32(d, s + w);
      const b = readU32(d, t + w);
      cmp = a < b ? -1 : a > b ? 1 : 0;
    }
    if (cmp === 0) cmp = sp < dp ? -1 : sp > dp ? 1 : 0;
    const lo = cmp <= 0 ? s : t;
    const hi = cmp <= 0 ? t : s;
    for (let w = 0; w < 4; w++) {
      key[w] = readU32(d, lo + 4 * w);
      key[4 + w] = readU32(d, hi + 4 * w);
    }
    key[8] = cmp <= 0 ? ((sp << 16) | dp) >>> 0 : ((dp << 16) | sp) >>> 0;
    key[9] = (6 << 8) | proto;
    return cmp <= 0 ? 1 : 0;
  }
}

function readU32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}
