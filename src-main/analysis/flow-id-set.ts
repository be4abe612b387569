/**
 * An exact set of non-zero 32-bit flow ids: open addressing with linear probing over a
 * power-of-two Uint32Array (0 marks an empty cell), plus a dense list of the members so that
 * iterating and clearing cost the member count, not the table size. No allocation per
 * insert; the table doubles at 50 % load.
 */

const MIN_CAPACITY = 16;

/** Set of non-zero uint32 ids (flow serials) for counting distinct flows per window. */
export class FlowIdSet {
  private table = new Uint32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  /** 32 - log2(capacity): the hash takes the product's high bits (Fibonacci hashing). */
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private members = new Uint32Array(MIN_CAPACITY / 2);
  private length = 0;

  /** Number of distinct ids held. */
  get size(): number {
    return this.length;
  }

  /** Adds `id` (must be non-zero); returns true when it was not yet present. */
  add(id: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let i = Math.imul(id, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const cell = table[i]!;
      if (cell === id) return false;
      if (cell === 0) break;
      i = (i + 1) & mask;
    }
    table[i] = id;
    this.members[this.length++] = id;
    if (this.length * 2 > mask) this.grow();
    return true;
  }

  /** Adds every member of `other`; returns how many were new. */
  addAll(other: FlowIdSet): number {
    let added = 0;
    const src = other.members;
    for (let k = 0; k < other.length; k++) if (this.add(src[k]!)) added++;
    return added;
  }

  /** True when `id` is a member. */
  has(id: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let i = Math.imul(id, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const cell = table[i]!;
      if (cell === id) return true;
      if (cell === 0) return false;
      i = (i + 1) & mask;
    }
  }

  /** Empties the set, keeping its capacity unless it is far larger than what was used. */
  clear(): void {
    const capacity = this.mask + 1;
    if (capacity > 1024 && this.length * 32 < capacity) {
      // A burst window grew the table; do not keep scanning/holding it for quiet windows.
      this.allocate(Math.max(MIN_CAPACITY, nextPow2(this.length * 4)));
    } else {
      this.table.fill(0);
    }
    this.length = 0;
  }

  private grow(): void {
    const old = this.members;
    const n = this.length;
    this.allocate((this.mask + 1) * 2);
    // Members are distinct: re-insert without the membership check, keeping their order.
    const table = this.table;
    const mask = this.mask;
    for (let k = 0; k < n; k++) {
      const id = old[k]!;
      let i = Math.imul(id, 0x9e3779b1) >>> this.shift;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = id;
      this.members[k] = id;
    }
  }

  private allocate(capacity: number): void {
    this.table = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.members = new Uint32Array(capacity / 2);
  }
}

function nextPow2(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}
