/**
 * Whole-capture summaries of RTT / latency series (seconds): count, min, mean, p50, p99, max.
 * Exact while a series holds at most `exactLimit` samples, then the quantiles come from a
 * log-linear histogram (HDR-style: 128 buckets per power of two, read straight from the
 * float's exponent and mantissa bits, no Math.log), within HISTOGRAM_RELATIVE_ERROR; count,
 * min, mean and max stay exact. Memory is fixed per series (about 0.2 MB), never proportional
 * to the capture. `add` is a handful of integer operations: it runs once per ACK.
 */

/** count / min / mean / p50 / p99 / max of a series in seconds; figures are null when empty. */
export interface SeriesSummary {
  readonly count: number;
  readonly min: number | null;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Samples kept exactly per series before the histogram answers quantiles. */
export const DEFAULT_EXACT_LIMIT = 65536;

/** Worst relative error of a histogram quantile (half a bucket: 2^-8). */
export const HISTOGRAM_RELATIVE_ERROR = 1 / 256;

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
// Magnitudes 2^-40 … 2^40 (about 1e-12 … 1e12 s) get their own buckets; others clamp.
const EXP_MIN = 1023 - 40;
const EXP_MAX = 1023 + 40;
const BUCKETS = (EXP_MAX - EXP_MIN + 1) * SUB;
const bits = new Float64Array(1);
// The word holding sign, exponent and the top mantissa bits: the second on little-endian hosts.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const bitsHi = new Uint32Array(bits.buffer, littleEndian ? 4 : 0, 1);

/** Bucket of a positive finite magnitude. */
function bucketOf(x: number): number {
  bits[0] = x;
  const hi = bitsHi[0]!;
  const e = (hi >>> 20) & 0x7ff;
  if (e < EXP_MIN) return 0;
  if (e > EXP_MAX) return BUCKETS - 1;
  return ((e - EXP_MIN) << SUB_BITS) | ((hi >>> (20 - SUB_BITS)) & (SUB - 1));
}

/** Midpoint of a bucket. */
function bucketValue(b: number): number {
  const e = (b >> SUB_BITS) + EXP_MIN - 1023;
  return Math.pow(2, e) * (1 + ((b & (SUB - 1)) + 0.5) / SUB);
}

/** Accumulates one series; mergeable (e.g. per-worker partial results). */
export class SeriesAccumulator {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly exactLimit: number;
  private exact: Float64Array;
  private readonly pos = new Float64Array(BUCKETS);
  private neg: Float64Array | null = null;
  private zeros = 0;

  constructor(exactLimit = DEFAULT_EXACT_LIMIT) {
    this.exactLimit = Math.max(0, Math.floor(exactLimit));
    this.exact = new Float64Array(Math.min(64, this.exactLimit));
  }

  /** Adds one sample; NaN and infinities are ignored. */
  add(x: number): void {
    if (!Number.isFinite(x)) return;
    const n = this.count;
    if (n < this.exactLimit) {
      if (n === this.exact.length) this.grow(n + 1);
      this.exact[n] = x;
    }
    this.count = n + 1;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (x > 0) this.pos[bucketOf(x)]! += 1;
    else if (x < 0) (this.neg ??= new Float64Array(BUCKETS))[bucketOf(-x)]! += 1;
    else this.zeros++;
  }

  /** Adds every sample of `other`; `other` is unchanged. */
  merge(other: SeriesAccumulator): void {
    if (other.count === 0) return;
    const total = this.count + other.count;
    if (total <= this.exactLimit) {
      if (this.exact.length < total) this.grow(total);
      this.exact.set(other.exact.subarray(0, other.count), this.count);
    }
    this.count = total;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (let b = 0; b < BUCKETS; b++) this.pos[b]! += other.pos[b]!;
    if (other.neg !== null) {
      const neg = (this.neg ??= new Float64Array(BUCKETS));
      for (let b = 0; b < BUCKETS; b++) neg[b]! += other.neg[b]!;
    }
    this.zeros += other.zeros;
  }

  /**
   * The q-quantile: exact with linear interpolation between closest ranks (p50 is then the
   * usual median) while count ≤ exactLimit, else the histogram's (nearest rank); null when
   * empty.
   */
  quantile(q: number): number | null {
    const n = this.count;
    if (n === 0) return null;
    if (n > this.exactLimit) return this.histogramQuantile(Math.min(1, Math.max(0, q)));
    const sorted = this.exact.slice(0, n).sort();
    const rank = Math.min(1, Math.max(0, q)) * (n - 1);
    const lo = Math.floor(rank);
    const a = sorted[lo]!;
    const b = sorted[Math.min(n - 1, lo + 1)]!;
    return a + (b - a) * (rank - lo);
  }

  /** count, min, mean, p50, p99, max. */
  summary(): SeriesSummary {
    if (this.count === 0) return { count: 0, min: null, mean: null, p50: null, p99: null, max: null };
    return {
      count: this.count,
      min: this.min,
      mean: this.sum / this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }

  private histogramQuantile(q: number): number {
    const n = this.count;
    const rank = Math.max(1, Math.ceil(q * n));
    if (rank >= n) return this.max;
    let seen = 0;
    const neg = this.neg;
    if (neg !== null) {
      for (let b = BUCKETS - 1; b >= 0; b--) {
        seen += neg[b]!;
        if (seen >= rank) return this.clamp(-bucketValue(b));
      }
    }
    seen += this.zeros;
    if (seen >= rank) return 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.pos[b]!;
      if (seen >= rank) return this.clamp(bucketValue(b));
    }
    return this.max;
  }

  private clamp(x: number): number {
    return x < this.min ? this.min : x > this.max ? this.max : x;
  }

  private grow(atLeast: number): void {
    let size = Math.max(64, this.exact.length);
    while (size < atLeast) size *= 2;
    const grown = new Float64Array(Math.min(this.exactLimit, size));
    grown.set(this.exact.subarray(0, Math.min(this.count, grown.length)));
    this.exact = grown;
  }
}
