/**
 * Open-addressing hash index from a bidirectional flow key to a stable slot number.
 *
 * A key is KEY_WORDS uint32 words in canonical order (the lower endpoint first, so both
 * directions of a flow give the same key): lower address (4 words; IPv4 uses the first),
 * higher address, lowerPort << 16 | higherPort, ipVersion << 8 | protocol.
 *
 * The index (linear probing, load ≤ 1/2, backward-shift deletion, no tombstones) holds slot
 * numbers; keys and per-flow state live in slot-indexed arrays, so a slot never moves while
 * its flow lives. Freed slots are reused first-in first-out, which delays reuse of a slot as
 * long as possible. Memory grows with the peak number of live flows, never with the file.
 */

/** Words per flow key. */
export const KEY_WORDS = 10;

/** Hash of the key in `key[0 .. KEY_WORDS)` (murmur3-style mixing of 32-bit words). */
export function hashKey(key: Uint32Array): number {
  let h = 0x9747b28c;
  for (let w = 0; w < KEY_WORDS; w++) {
    let k = Math.imul(key[w]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Key → slot index with slot allocation. */
export class FlowKeyIndex {
  /** Scratch key for lookups and inserts; callers fill it, then call find/insert. */
  readonly key = new Uint32Array(KEY_WORDS);
  /** Slots that ever held a flow: every live slot is below this. */
  highWater = 0;
  /** Live flows. */
  size = 0;
  private slotCapacity: number;
  private keys: Uint32Array;
  private hashes: Uint32Array;
  private live: Uint8Array;
  private index: Int32Array;
  private mask: number;
  /** FIFO ring of freed slots. */
  private freeRing: Uint32Array;
  private freeHead = 0;
  private freeCount = 0;

  constructor(initialSlots = 1024) {
    this.slotCapacity = Math.max(16, initialSlots);
    this.keys = new Uint32Array(this.slotCapacity * KEY_WORDS);
    this.hashes = new Uint32Array(this.slotCapacity);
    this.live = new Uint8Array(this.slotCapacity);
    this.freeRing = new Uint32Array(this.slotCapacity);
    const indexSize = nextPow2(this.slotCapacity * 2);
    this.index = new Int32Array(indexSize).fill(-1);
    this.mask = indexSize - 1;
  }

  /** Number of slots the per-slot arrays must hold. */
  get capacity(): number {
    return this.slotCapacity;
  }

  /** Slot of the flow whose key is in `key` (hash `h`), or -1. */
  find(h: number): number {
    const index = this.index;
    const mask = this.mask;
    const keys = this.keys;
    const key = this.key;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = index[i]!;
      if (s < 0) return -1;
      if (this.hashes[s] !== h) continue;
      const b = s * KEY_WORDS;
      if (
        keys[b] === key[0] && keys[b + 1] === key[1] && keys[b + 2] === key[2] && keys[b + 3] === key[3] &&
        keys[b + 4] === key[4] && keys[b + 5] === key[5] && keys[b + 6] === key[6] && keys[b + 7] === key[7] &&
        keys[b + 8] === key[8] && keys[b + 9] === key[9]
      ) {
        return s;
      }
    }
  }

  /** Inserts the key in `key` (hash `h`, not present) and returns its new slot. May grow `capacity`. */
  insert(h: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeRing[this.freeHead]!;
      this.freeHead = (this.freeHead + 1) % this.freeRing.length;
      this.freeCount--;
    } else {
      if (this.highWater === this.slotCapacity) this.grow();
      slot = this.highWater++;
    }
    this.keys.set(this.key, slot * KEY_WORDS);
    this.hashes[slot] = h;
    this.live[slot] = 1;
    this.size++;
    const mask = this.mask;
    let i = h & mask;
    while (this.index[i]! >= 0) i = (i + 1) & mask;
    this.index[i] = slot;
    return slot;
  }

  /** Removes the flow in `slot`; the slot joins the back of the free queue. */
  remove(slot: number): void {
    if (this.live[slot] !== 1) return;
    const index = this.index;
    const mask = this.mask;
    let i = this.hashes[slot]! & mask;
    while (index[i] !== slot) i = (i + 1) & mask;
    // Backward-shift deletion (Knuth 6.4, algorithm R): keeps every probe chain unbroken.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = index[j]!;
      if (s < 0) break;
      const home = this.hashes[s]! & mask;
      // Move s back into the hole at i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        index[i] = s;
        i = j;
      }
    }
    index[i] = -1;
    this.live[slot] = 0;
    this.size--;
    this.freeRing[(this.freeHead + this.freeCount) % this.freeRing.length] = slot;
    this.freeCount++;
  }

  /** Whether `slot` holds a live flow. */
  isLive(slot: number): boolean {
    return this.live[slot] === 1;
  }

  /** Key words of `slot` (a view; valid until the next insert). */
  keyOf(slot: number): Uint32Array {
    return this.keys.subarray(slot * KEY_WORDS, slot * KEY_WORDS + KEY_WORDS);
  }

  /** Drops every flow (end of capture). */
  clear(): void {
    this.index.fill(-1);
    this.live.fill(0);
    this.highWater = 0;
    this.size = 0;
    this.freeHead = 0;
    this.freeCount = 0;
  }

  private grow(): void {
    const cap = this.slotCapacity * 2;
    const keys = new Uint32Array(cap * KEY_WORDS);
    keys.set(this.keys);
    const hashes = new Uint32Array(cap);
    hashes.set(this.hashes);
    const live = new Uint8Array(cap);
    live.set(this.live);
    // The free queue is empty when we grow (slots are only added once it is).
    this.freeRing = new Uint32Array(cap);
    this.freeHead = 0;
    this.keys = keys;
    this.hashes = hashes;
    this.live = live;
    this.slotCapacity = cap;
    const indexSize = nextPow2(cap * 2);
    const index = new Int32Array(indexSize).fill(-1);
    const mask = indexSize - 1;
    for (let s = 0; s < this.highWater; s++) {
      if (live[s] !== 1) continue;
      let i = hashes[s]! & mask;
      while (index[i]! >= 0) i = (i + 1) & mask;
      index[i] = s;
    }
    this.index = index;
    this.mask = mask;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
