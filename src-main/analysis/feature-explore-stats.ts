/**
 * Statistics of feature columns for the exploration view (pure): summary statistics,
 * histograms, average ranks, and pairwise-complete Pearson and Spearman matrices. A column is a
 * Float64Array with NaN where the window has no value.
 */
import type { CorrelationMatrix, FeatureHistogram, FeatureStats } from '../../src-shared/explore-api.js';
import { quantileSorted } from '../ml/anomaly/window-features.js';

/** The finite values of a column, ascending. */
export function sortedValues(col: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]!)) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]!)) out[k++] = col[i]!;
  return out.sort();
}

/** Summary statistics of one column (see FeatureStats for the definitions). */
export function featureStats(feature: string, col: Float64Array, sorted: Float64Array = sortedValues(col)): FeatureStats {
  const n = sorted.length;
  const missing = col.length - n;
  if (n === 0) {
    return { feature, count: 0, missing, mean: null, std: null, min: null, p5: null, p25: null, median: null, p75: null, p95: null, max: null, skew: null, topShare: null };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : null;
  // G1 = sqrt(n(n−1))/(n−2) · g1 with g1 = m3/m2^1.5 on population moments.
  const pm2 = m2 / n;
  const skew = n >= 3 && pm2 > 0 ? (Math.sqrt(n * (n - 1)) / (n - 2)) * ((m3 / n) / pm2 ** 1.5) : null;
  let top = 0;
  for (let i = 0, run = 0; i < n; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > top) top = run;
  }
  return {
    feature, count: n, missing, mean, std, min: sorted[0]!, max: sorted[n - 1]!,
    p5: quantileSorted(sorted, 0.05), p25: quantileSorted(sorted, 0.25), median: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75), p95: quantileSorted(sorted, 0.95), skew, topShare: top / n,
  };
}

/**
 * A histogram of `bins` equal bins from the smallest to the largest value, each [lo, hi) but
 * the last [lo, hi]; a constant column gets edges value ± 0.5. No values: zero counts on [0, 1].
 */
export function histogram(feature: string, sorted: Float64Array, bins: number): FeatureHistogram {
  let lo = sorted.length > 0 ? sorted[0]! : 0;
  let hi = sorted.length > 0 ? sorted[sorted.length - 1]! : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < sorted.length; i++) {
    const b = Math.min(bins - 1, Math.floor((sorted[i]! - lo) / width));
    counts[b]!++;
  }
  return { feature, edges, counts };
}

/** Pearson r of two equal-length arrays (two-pass); null for fewer than 3 values or a constant side. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = x.length;
  if (n < 3) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** The rows where both columns have a value, as two packed arrays. */
function completePair(a: Float64Array, b: Float64Array): { x: Float64Array; y: Float64Array } {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) n++;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0, k = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    x[k] = a[i]!;
    y[k++] = b[i]!;
  }
  return { x, y };
}

/**
 * Pairwise-complete Pearson and Spearman matrices of the columns. Each column's valued rows are
 * sorted by value once; a pair's Spearman ranks are then one walk of each order that skips the
 * rows the other column lacks (ties at their average rank), O(n) per pair instead of a sort.
 */
export function correlationMatrices(columns: readonly Float64Array[]): { pearson: CorrelationMatrix; spearman: CorrelationMatrix } {
  const p = columns.length;
  const n = columns[0]?.length ?? 0;
  const orders = columns.map((c) => {
    const idx: number[] = [];
    for (let i = 0; i < c.length; i++) if (!Number.isNaN(c[i]!)) idx.push(i);
    return Uint32Array.from(idx).sort((a, b) => c[a]! - c[b]!);
  });
  const rankA = new Float64Array(n);
  const rankB = new Float64Array(n);
  const pv = square<number | null>(p, null);
  const sv = square<number | null>(p, null);
  const nv = square<number>(p, 0);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const { x, y } = completePair(columns[i]!, columns[j]!);
      const r = pearson(x, y);
      rankWithin(columns[i]!, orders[i]!, columns[j]!, rankA);
      rankWithin(columns[j]!, orders[j]!, columns[i]!, rankB);
      // Both rank arrays are NaN exactly where either column lacks a value.
      const ranks = completePair(rankA, rankB);
      const s = pearson(ranks.x, ranks.y);
      for (const [a, b] of [[i, j], [j, i]] as const) {
        pv[a]![b] = r;
        sv[a]![b] = s;
        nv[a]![b] = x.length;
      }
    }
  }
  return { pearson: { method: 'pearson', values: pv, n: nv }, spearman: { method: 'spearman', values: sv, n: nv } };
}

/**
 * Average ranks (1..m) of `col` among the rows where `other` also has a value, written into
 * `out` at those rows (other rows NaN); `order` is col's valued rows sorted by value.
 */
function rankWithin(col: Float64Array, order: Uint32Array, other: Float64Array, out: Float64Array): void {
  out.fill(Number.NaN);
  let rank = 0;
  let k = 0;
  while (k < order.length) {
    // One run of equal values: count its rows that `other` keeps, then give them the run's mean rank.
    const v = col[order[k]!]!;
    let end = k;
    let kept = 0;
    while (end < order.length && col[order[end]!] === v) {
      if (!Number.isNaN(other[order[end]!]!)) kept++;
      end++;
    }
    const mean = rank + (kept + 1) / 2;
    for (let q = k; q < end; q++) if (!Number.isNaN(other[order[q]!]!)) out[order[q]!] = mean;
    rank += kept;
    k = end;
  }
}

function square<T>(p: number, fill: T): T[][] {
  return Array.from({ length: p }, () => new Array<T>(p).fill(fill));
}
