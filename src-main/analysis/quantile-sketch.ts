/**
 * A small mergeable quantile sketch (log-spaced buckets, DDSketch-style) for per-window RTT and
 * latency percentiles: fixed memory, O(1) add, exact merge (same buckets), and a quantile
 * within SKETCH_RELATIVE_ACCURACY of the exact nearest-rank value.
 *
 * Values at or below ZERO_LIMIT (zero, sub-nanosecond and negative differences, e.g. when a
 * clock went back) count in a zero bucket; values beyond the covered range clamp to the end
 * buckets. A quantile is always clamped to the [min, max] actually added, so a single value or
 * equal values come back exactly.
 */

/** Relative error bound of `quantile` against the exact nearest-rank quantile. */
export const SKETCH_RELATIVE_ACCURACY = 0.005;

/** Values ≤ this count as zero. */
const ZERO_LIMIT = 1e-9;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
// Bucket k covers (GAMMA^(k-1), GAMMA^k]; k spans 1e-9 … 1e12 (units are the caller's).
const MIN_K = Math.floor(Math.log(ZERO_LIMIT) / LN_GAMMA);
const MAX_K = Math.ceil(Math.log(1e12) / LN_GAMMA);
const BUCKETS = MAX_K - MIN_K + 1;

/** Mergeable quantile sketch; fields `count`, `min`, `max` are exact. */
export class QuantileSketch {
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private zeros = 0;
  private readonly buckets = new Float64Array(BUCKETS);
  /** Lowest and highest bucket in use (lo > hi when none), so loops skip the empty ends. */
  private lo = BUCKETS;
  private hi = -1;

  /** Adds one value; NaN and infinities are ignored. */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = value <= ZERO_LIMIT ? 0 : value;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v === 0) {
      this.zeros++;
      return;
    }
    let b = Math.ceil(Math.log(v) / LN_GAMMA) - MIN_K;
    if (b < 0) b = 0;
    else if (b >= BUCKETS) b = BUCKETS - 1;
    this.buckets[b]! += 1;
    if (b < this.lo) this.lo = b;
    if (b > this.hi) this.hi = b;
  }

  /** Adds every value counted by `other` (which is left unchanged). */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.zeros += other.zeros;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (let b = other.lo; b <= other.hi; b++) this.buckets[b]! += other.buckets[b]!;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /** Nearest-rank q-quantile (0 ≤ q ≤ 1) within the relative accuracy, or null when empty. */
  quantile(q: number): number | null {
    const n = this.count;
    if (n === 0) return null;
    const rank = Math.min(n, Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * n)));
    if (rank === n) return this.max;
    let seen = this.zeros;
    if (seen >= rank) return this.clamp(0);
    for (let b = this.lo; b <= this.hi; b++) {
      seen += this.buckets[b]!;
      if (seen >= rank) return this.clamp((2 * Math.pow(GAMMA, b + MIN_K)) / (GAMMA + 1));
    }
    return this.max;
  }

  /** Empties the sketch for reuse (no allocation). */
  clear(): void {
    if (this.hi >= this.lo) this.buckets.fill(0, this.lo, this.hi + 1);
    this.lo = BUCKETS;
    this.hi = -1;
    this.count = 0;
    this.zeros = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  private clamp(x: number): number {
    return x < this.min ? this.min : x > this.max ? this.max : x;
  }
}
