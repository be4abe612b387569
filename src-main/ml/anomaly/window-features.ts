/**
 * Window rows → the feature matrix the anomaly detector reads. Pure: rows in, numbers out; the
 * fitted part (columns, medians, settings) is a JSON spec stored with the model so scoring
 * later builds the very same features.
 *
 * Features, per base column b (a window metric, or an imported series' named value):
 * - `b`: the window's value;
 * - `b_vs_recent`: b minus the median of the previous `rollingWindow` values (0 for the first
 *   window), so a jump relative to the recent level stands out even when the absolute level is
 *   ordinary for the source as a whole;
 * - `b_recent_z`: that difference divided by the recent spread (1.4826 × the MAD of the previous
 *   values, floored at 1 % of the whole training spread so a flat stretch does not divide by 0).
 *
 * Missing values: for capture sources, a window absent from the table (no packet) is an idle
 * window: the counts and rates that mean 0 there (as in chart-queries' ZERO_WHEN_EMPTY) are 0,
 * and the ratios (average size, latencies, RTTs, protocol percentages) are unknown. Any unknown
 * value is imputed with the training median of its column, so it is never what isolates a
 * window. Imported series are not gap-filled: a missing row there is unknown, not zero.
 */
import { WINDOW_METRICS } from '../../../src-shared/window-metrics.js';
import type { Matrix } from './isolation-forest.js';

/** One window as the store returns it: `t` plus named values (null where unknown). */
export type WindowValues = { readonly t: number } & { readonly [column: string]: number | null };

/** Metrics that are 0 in a window without packets (the rest are ratios: unknown there). */
export const ZERO_WHEN_IDLE: readonly string[] = ['bytes_per_second', 'packets_per_second', 'active_connections', 'new_connections'];

/** Default number of previous windows the rolling features look at. */
export const DEFAULT_ROLLING_WINDOW = 12;

/** Most windows a gap fill may produce (a sparse capture over months at 1 s). */
export const MAX_FILLED_WINDOWS = 2_000_000;

/** The fitted feature definition; plain JSON, stored in the model. */
export interface WindowFeatureSpec {
  readonly version: 1;
  /** Window resolution in seconds the rows are at. */
  readonly resolution: number;
  /** Columns read from each row, in order. */
  readonly baseColumns: readonly string[];
  /** Insert idle windows for missing `t` (capture sources). */
  readonly fillGaps: boolean;
  /** Base columns that are 0 in an inserted idle window. */
  readonly zeroWhenIdle: readonly string[];
  /** Previous windows the rolling features use (0: no rolling features). */
  readonly rollingWindow: number;
  /** Training median of each base column: the imputation value. */
  readonly medians: readonly number[];
  /** Training spread (1.4826 × MAD, else a fallback) of each base column; floors the recent spread. */
  readonly spreads: readonly number[];
  /** Feature names, matrix column order. */
  readonly featureNames: readonly string[];
}

/** Options of {@link fitWindowFeatures}. */
export interface WindowFeatureOptions {
  readonly resolution: number;
  /** Candidate columns (default: the window metrics); those without any value are dropped. */
  readonly columns?: readonly string[];
  readonly fillGaps?: boolean;
  readonly rollingWindow?: number;
}

/** Features of a run of windows. */
export interface WindowFeatures {
  /** Window start of each matrix row (inserted idle windows included). */
  readonly t: Float64Array;
  readonly matrix: Matrix;
}

/** Chooses the columns, fits medians and spreads on the training rows, and builds their features. */
export function fitWindowFeatures(rows: readonly WindowValues[], options: WindowFeatureOptions): { spec: WindowFeatureSpec; features: WindowFeatures } {
  const fillGaps = options.fillGaps ?? false;
  const candidates = options.columns ?? WINDOW_METRICS;
  const zeroWhenIdle = candidates.filter((c) => ZERO_WHEN_IDLE.includes(c));
  const grid = alignRows(rows, options.resolution, fillGaps, zeroWhenIdle);
  const baseColumns = candidates.filter((c) => grid.some((r) => isNum(r[c])));
  const medians: number[] = [];
  const spreads: number[] = [];
  for (const c of baseColumns) {
    const values = grid.map((r) => r[c]).filter(isNum);
    const m = median(values);
    medians.push(m);
    spreads.push(robustSpread(values, m));
  }
  const rolling = options.rollingWindow ?? DEFAULT_ROLLING_WINDOW;
  const featureNames = baseColumns.flatMap((c) => (rolling > 0 ? [c, `${c}_vs_recent`, `${c}_recent_z`] : [c]));
  const spec: WindowFeatureSpec = {
    version: 1, resolution: options.resolution, baseColumns, fillGaps, zeroWhenIdle, rollingWindow: rolling, medians, spreads, featureNames,
  };
  return { spec, features: featuresOfGrid(spec, grid) };
}

/** Builds the features of rows with a fitted spec (the same columns, imputation and rolling). */
export function buildWindowFeatures(spec: WindowFeatureSpec, rows: readonly WindowValues[]): WindowFeatures {
  return featuresOfGrid(spec, alignRows(rows, spec.resolution, spec.fillGaps, spec.zeroWhenIdle));
}

/** The base column a feature name derives from, and which form it is. */
export function featureBase(name: string): { column: string; form: 'value' | 'vs_recent' | 'recent_z' } {
  if (name.endsWith('_vs_recent')) return { column: name.slice(0, -'_vs_recent'.length), form: 'vs_recent' };
  if (name.endsWith('_recent_z')) return { column: name.slice(0, -'_recent_z'.length), form: 'recent_z' };
  return { column: name, form: 'value' };
}

function featuresOfGrid(spec: WindowFeatureSpec, grid: readonly WindowValues[]): WindowFeatures {
  const n = grid.length;
  const cols = spec.featureNames.length;
  const data = new Float64Array(n * cols);
  const t = new Float64Array(n);
  for (let r = 0; r < n; r++) t[r] = grid[r]!.t;
  const k = spec.rollingWindow;
  const per = k > 0 ? 3 : 1;
  const series = new Float64Array(n);
  const recent: number[] = [];
  spec.baseColumns.forEach((c, j) => {
    const fill = spec.medians[j] ?? 0;
    for (let r = 0; r < n; r++) {
      const v = grid[r]![c];
      series[r] = isNum(v) ? v : fill;
    }
    const floor = 0.01 * (spec.spreads[j] ?? 0) || 1e-12;
    for (let r = 0; r < n; r++) {
      const base = r * cols + j * per;
      data[base] = series[r]!;
      if (k === 0) continue;
      recent.length = 0;
      for (let i = Math.max(0, r - k); i < r; i++) recent.push(series[i]!);
      if (recent.length === 0) continue; // first window: no context, differences stay 0
      const m = median(recent);
      const diff = series[r]! - m;
      data[base + 1] = diff;
      data[base + 2] = diff / Math.max(robustSpread(recent, m), floor);
    }
  });
  return { t, matrix: { data, rows: n, cols } };
}

/** Rows sorted by t; with `fillGaps`, an idle row (zeros in zeroWhenIdle, else null) per missing step. */
function alignRows(rows: readonly WindowValues[], resolution: number, fillGaps: boolean, zeroWhenIdle: readonly string[]): WindowValues[] {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  if (!fillGaps || sorted.length < 2) return sorted;
  const first = sorted[0]!.t;
  const last = sorted[sorted.length - 1]!.t;
  const count = Math.floor((last - first) / resolution) + 1;
  if (count > MAX_FILLED_WINDOWS) {
    throw new Error(`${count} windows of ${resolution} s between the first and last window: choose a coarser resolution or a shorter range`);
  }
  const idle: Record<string, number> = {};
  for (const c of zeroWhenIdle) idle[c] = 0;
  const out: WindowValues[] = [];
  let k = 0;
  for (let i = 0; i < count; i++) {
    const t = first + i * resolution;
    while (k < sorted.length && sorted[k]!.t < t) k++;
    const row = sorted[k];
    out.push(row !== undefined && row.t === t ? row : ({ t, ...idle } as WindowValues));
  }
  return out;
}

/** A finite number (not null, not NaN). */
export function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Median (mean of the middle two for an even count); 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Quantile with linear interpolation between order statistics (numpy's default) of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const i = Math.floor(pos);
  const a = sorted[i]!;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + (b - a) * (pos - i);
}

/**
 * A robust spread: 1.4826 × MAD (equals σ for normal data); when over half the values equal the
 * median (MAD 0), IQR / 1.349, then 1.2533 × the mean absolute deviation; 0 only for a constant.
 */
export function robustSpread(values: readonly number[], center: number = median(values)): number {
  if (values.length === 0) return 0;
  const dev = values.map((v) => Math.abs(v - center));
  const mad = 1.4826 * median(dev);
  if (mad > 0) return mad;
  const s = Float64Array.from(values).sort();
  const iqr = (quantileSorted(s, 0.75) - quantileSorted(s, 0.25)) / 1.349;
  if (iqr > 0) return iqr;
  return (1.2533 * dev.reduce((a, b) => a + b, 0)) / dev.length;
}
