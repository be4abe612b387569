/**
 * IP fragment reassembly with Wireshark's default behaviour (ip.defragment and
 * ipv6.reassemble on): fragments of one datagram are collected until every byte from 0 to the
 * end announced by the last fragment has arrived; the frame that brings the final missing piece
 * "completes" the datagram and is the one whose transport header gets reported.
 *
 * Only what decoding needs is kept: which byte ranges arrived, and a copy of the first
 * `prefixBytes` bytes of the datagram payload (enough for the transport header and a few
 * tunnel headers). Memory is fixed at construction: at most `maxEntries` datagrams in progress;
 * when the table is full, the entry that has waited longest is dropped.
 */

/** Bytes of key per entry: source (16), destination (16), id (4), protocol (1), version (1). */
const KEY_BYTES = 40;
/** Disjoint byte ranges remembered per datagram (merged as they touch). */
const MAX_RANGES = 32;

/** Datagrams being reassembled, keyed on (version, source, destination, id, protocol). */
export class IpReassembly {
  readonly maxEntries: number;
  readonly prefixBytes: number;
  /** After `add` returns a length ≥ 0: the first min(length, prefixBytes) payload bytes. */
  readonly completed: Uint8Array;

  private readonly keys: Uint8Array;
  private readonly hashes: Uint32Array;
  private readonly next: Int32Array;
  private readonly heads: Int32Array;
  private readonly born: Float64Array;
  private readonly total: Int32Array;
  private readonly rangeCount: Uint8Array;
  private readonly ranges: Uint32Array;
  private readonly prefix: Uint8Array;
  private readonly free: Int32Array;
  private freeCount: number;
  private readonly scratchKey = new Uint8Array(KEY_BYTES);
  private clock = 0;

  constructor(maxEntries = 1024, prefixBytes = 256) {
    this.maxEntries = maxEntries;
    this.prefixBytes = prefixBytes;
    this.completed = new Uint8Array(prefixBytes);
    this.keys = new Uint8Array(maxEntries * KEY_BYTES);
    this.hashes = new Uint32Array(maxEntries);
    this.next = new Int32Array(maxEntries).fill(-1);
    this.heads = new Int32Array(maxEntries).fill(-1);
    this.born = new Float64Array(maxEntries);
    this.total = new Int32Array(maxEntries);
    this.rangeCount = new Uint8Array(maxEntries);
    this.ranges = new Uint32Array(maxEntries * MAX_RANGES * 2);
    this.prefix = new Uint8Array(maxEntries * prefixBytes);
    this.free = new Int32Array(maxEntries);
    for (let k = 0; k < maxEntries; k++) this.free[k] = maxEntries - 1 - k;
    this.freeCount = maxEntries;
  }

  /** Datagrams currently waiting for fragments. */
  get pending(): number {
    return this.maxEntries - this.freeCount;
  }

  /** Forgets every datagram in progress (a new capture starts). */
  clear(): void {
    this.heads.fill(-1);
    this.next.fill(-1);
    for (let k = 0; k < this.maxEntries; k++) this.free[k] = this.maxEntries - 1 - k;
    this.freeCount = this.maxEntries;
  }

  /**
   * Adds one fragment: `data[start .. start+length)` holds the datagram bytes from
   * `fragOffset`; `more` is the more-fragments flag. Addresses are read from `data` at `src`
   * and `dst` (`addrLen` = 4 or 16 bytes). Returns the datagram's payload length when this
   * fragment completes it (its prefix is then in `completed` and the entry is freed), else −1.
   */
  add(
    data: Uint8Array, version: number, src: number, dst: number, addrLen: number,
    id: number, proto: number, fragOffset: number, start: number, length: number, more: boolean,
  ): number {
    const key = this.scratchKey;
    key.fill(0);
    for (let k = 0; k < addrLen; k++) {
      key[k] = data[src + k]!;
      key[16 + k] = data[dst + k]!;
    }
    key[32] = id >>> 24; key[33] = (id >>> 16) & 0xff; key[34] = (id >>> 8) & 0xff; key[35] = id & 0xff;
    key[36] = proto;
    key[37] = version;
    const h = hashKey(key);
    this.clock++;
    let e = this.find(key, h);
    if (e < 0) {
      e = this.allocate(key, h);
    }
    const end = fragOffset + length;
    if (!more) this.total[e] = end;
    this.addRange(e, fragOffset, end);
    this.copyPrefix(e, data, start, fragOffset, length);
    const total = this.total[e]!;
    if (total < 0 || this.rangeCount[e] !== 1) return -1;
    const base = e * MAX_RANGES * 2;
    if (this.ranges[base] !== 0 || this.ranges[base + 1]! < total) return -1;
    const n = Math.min(total, this.prefixBytes);
    this.completed.set(this.prefix.subarray(e * this.prefixBytes, e * this.prefixBytes + n));
    this.release(e);
    return total;
  }

  private find(key: Uint8Array, h: number): number {
    const keys = this.keys;
    let e = this.heads[h % this.maxEntries]!;
    while (e >= 0) {
      if (this.hashes[e] === h) {
        const b = e * KEY_BYTES;
        let same = true;
        for (let k = 0; k < KEY_BYTES; k++) {
          if (keys[b + k] !== key[k]) { same = false; break; }
        }
        if (same) return e;
      }
      e = this.next[e]!;
    }
    return -1;
  }

  private allocate(key: Uint8Array, h: number): number {
    if (this.freeCount === 0) this.release(this.oldest());
    const e = this.free[--this.freeCount]!;
    this.keys.set(key, e * KEY_BYTES);
    this.hashes[e] = h;
    this.born[e] = this.clock;
    this.total[e] = -1;
    this.rangeCount[e] = 0;
    const bucket = h % this.maxEntries;
    this.next[e] = this.heads[bucket]!;
    this.heads[bucket] = e;
    return e;
  }

  /** The live entry created first: the one a full table gives up. Runs only when full. */
  private oldest(): number {
    let best = -1;
    let bestBorn = Infinity;
    for (let bucket = 0; bucket < this.maxEntries; bucket++) {
      for (let e = this.heads[bucket]!; e >= 0; e = this.next[e]!) {
        if (this.born[e]! < bestBorn) { bestBorn = this.born[e]!; best = e; }
      }
    }
    return best;
  }

  private release(e: number): void {
    const bucket = this.hashes[e]! % this.maxEntries;
    let prev = -1;
    for (let x = this.heads[bucket]!; x >= 0; prev = x, x = this.next[x]!) {
      if (x !== e) continue;
      if (prev < 0) this.heads[bucket] = this.next[x]!;
      else this.next[prev] = this.next[x]!;
      break;
    }
    this.next[e] = -1;
    this.free[this.freeCount++] = e;
  }

  /** Inserts [from, to) into the entry's sorted, merged range list. */
  private addRange(e: number, from: number, to: number): void {
    if (to <= from) return;
    const r = this.ranges;
    const base = e * MAX_RANGES * 2;
    let n = this.rangeCount[e]!;
    let lo = from;
    let hi = to;
    let w = 0;
    let inserted = false;
    // Rebuild in place: ranges entirely before or after pass through; touching ones merge.
    const tmp = RANGE_SCRATCH;
    let t = 0;
    for (let k = 0; k < n; k++) {
      const a = r[base + 2 * k]!;
      const b = r[base + 2 * k + 1]!;
      if (b < lo) { tmp[t++] = a; tmp[t++] = b; continue; }
      if (a > hi) {
        if (!inserted) { tmp[t++] = lo; tmp[t++] = hi; inserted = true; }
        tmp[t++] = a; tmp[t++] = b;
        continue;
      }
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    if (!inserted) { tmp[t++] = lo; tmp[t++] = hi; }
    n = t >> 1;
    if (n > MAX_RANGES) return; // too scattered: this fragment is ignored
    for (w = 0; w < t; w++) r[base + w] = tmp[w]!;
    this.rangeCount[e] = n;
  }

  private copyPrefix(e: number, data: Uint8Array, start: number, fragOffset: number, length: number): void {
    const cap = this.prefixBytes;
    if (fragOffset >= cap) return;
    const n = Math.min(length, cap - fragOffset);
    this.prefix.set(data.subarray(start, start + n), e * cap + fragOffset);
  }
}

const RANGE_SCRATCH = new Uint32Array((MAX_RANGES + 1) * 2);

/** FNV-1a over the key bytes. */
function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < KEY_BYTES; k++) {
    h ^= key[k]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
