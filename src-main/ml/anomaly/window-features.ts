/**
 * Window rows → the feature matrix the anomaly detector reads. Pure: rows in, numbers out; the
 * fitted part (columns, medians, settings) is a JSON spec stored with the model so scoring
 * later builds the very same features.
 *
 * Features, per base column b (a window metric, or an imported series' named value), with
 * k = rollingWindow (default 12) and K = longWindow (default 96):
 * - `b`: the window's value;
 * - `b_vs_recent`: b minus the median of the previous k values (0 for the first window), so a
 *   jump relative to the recent level stands out even when the level is ordinary overall;
 * - `b_recent_z`: that difference over the recent spread (1.4826 × the MAD of the previous k
 *   values, floored at 1 % of the training spread so a flat stretch does not divide by 0);
 * - `b_recent_mean`, `b_recent_std`: mean and standard deviation of the last K values (this one
 *   included), so a sustained burst or a stretch of unusual variability isolates as a whole
 *   rather than as scattered single spikes. In the first K − 1 windows of a run (incomplete
 *   context) they take their training median; a run shorter than 8K uses K = max(3, run / 8).
 * Also available (not default): `b_recent_max`.
 * This set was chosen on NAB's network series (bench/anomaly-nab.ts, so it is tuned on the data
 * it is reported on; NAB's road-traffic series serve as a check): the value alone put 24 % of
 * the flags inside labelled windows, value + vs_recent + recent_z over 12 windows 19 %, this
 * set 40–42.5 % (seeds 1–3) with every labelled window flagged, and 37–39 % on the road series.
 * log1p scaling (option `logScale`) made it worse there, so it is off by default.
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

/** The forms each base column yields (see the file comment). */
export const FEATURE_FORMS = ['value', 'vs_recent', 'recent_z', 'recent_mean', 'recent_max', 'recent_std'] as const;

/** A feature form. */
export type FeatureForm = (typeof FEATURE_FORMS)[number];

/** Forms used unless chosen. */
export const DEFAULT_FORMS: readonly FeatureForm[] = ['value', 'vs_recent', 'recent_z', 'recent_mean', 'recent_std'];

/** Default long context: 96 windows (8 hours of NAB's 5-minute samples, 96 s of 1 s windows). */
export const DEFAULT_LONG_WINDOW = 96;

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
  /** Previous windows the rolling features use (0: the value only). */
  readonly rollingWindow: number;
  /** Windows (the current and the previous ones) the recent_mean/_max/_std forms summarise. */
  readonly longWindow: number;
  /**
   * Per feature: the value the long-context forms take in the first longWindow − 1 windows of
   * a run (their context is incomplete; a 1-window "std" of 0 would look anomalous): the
   * training median of that feature over the windows with a full context; null for other forms.
   */
  readonly warmupFill: readonly (number | null)[];
  /** Forms per base column, in matrix order (with rollingWindow 0: ['value']). */
  readonly forms: readonly FeatureForm[];
  /** Per base column: read as log1p(x) (non-negative, heavy-tailed columns such as byte rates). */
  readonly logScale: readonly boolean[];
  /** Training median of each base column (after log1p where used): the imputation value. */
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
  readonly forms?: readonly FeatureForm[];
  /** Default DEFAULT_LONG_WINDOW. */
  readonly longWindow?: number;
  /** log1p for non-negative columns (default false: worse on NAB, see above). */
  readonly logScale?: boolean;
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
  const logScale: boolean[] = [];
  for (const c of baseColumns) {
    const raw = grid.map((r) => r[c]).filter(isNum);
    const log = (options.logScale ?? false) && raw.every((v) => v >= 0);
    logScale.push(log);
    const values = log ? raw.map(Math.log1p) : raw;
    const m = median(values);
    medians.push(m);
    spreads.push(robustSpread(values, m));
  }
  const rolling = options.rollingWindow ?? DEFAULT_ROLLING_WINDOW;
  const forms = rolling > 0 ? (options.forms ?? DEFAULT_FORMS) : (['value'] as const);
  const featureNames = baseColumns.flatMap((c) => forms.map((f) => (f === 'value' ? c : `${c}_${f}`)));
  // A short run gets a shorter long context, so that most of its windows have a full one.
  const longWindow = Math.min(options.longWindow ?? DEFAULT_LONG_WINDOW, Math.max(3, Math.floor(grid.length / 8)));
  const draft: WindowFeatureSpec = {
    version: 1, resolution: options.resolution, baseColumns, fillGaps, zeroWhenIdle, rollingWindow: rolling, longWindow, warmupFill: [],
    forms, logScale, medians, spreads, featureNames,
  };
  const raw = featuresOfGrid(draft, grid);
  const warm = Math.min(longWindow - 1, raw.matrix.rows);
  const warmupFill = featureNames.map((name, j) => {
    if (!LONG_FORMS.has(featureBase(name).form)) return null;
    const col: number[] = [];
    for (let r = warm; r < raw.matrix.rows; r++) col.push(raw.matrix.data[r * raw.matrix.cols + j]!);
    return median(col.length > 0 ? col : [0]);
  });
  const spec: WindowFeatureSpec = { ...draft, warmupFill };
  return { spec, features: featuresOfGrid(spec, grid) };
}

/** Builds the features of rows with a fitted spec (the same columns, imputation and rolling). */
export function buildWindowFeatures(spec: WindowFeatureSpec, rows: readonly WindowValues[]): WindowFeatures {
  return featuresOfGrid(spec, alignRows(rows, spec.resolution, spec.fillGaps, spec.zeroWhenIdle));
}

/** The base column a feature name derives from, and which form it is. */
export function featureBase(name: string): { column: string; form: FeatureForm } {
  for (const form of FEATURE_FORMS) {
    if (form !== 'value' && name.endsWith(`_${form}`)) return { column: name.slice(0, -form.length - 1), form };
  }
  return { column: name, form: 'value' };
}

function featuresOfGrid(spec: WindowFeatureSpec, grid: readonly WindowValues[]): WindowFeatures {
  const n = grid.length;
  const cols = spec.featureNames.length;
  const data = new Float64Array(n * cols);
  const t = new Float64Array(n);
  for (let r = 0; r < n; r++) t[r] = grid[r]!.t;
  const k = spec.rollingWindow;
  const forms = k > 0 ? spec.forms : (['value'] as const);
  const per = forms.length;
  const series = new Float64Array(n);
  const prev: number[] = [];
  const long: number[] = [];
  const needsLong = forms.some((f) => LONG_FORMS.has(f));
  spec.baseColumns.forEach((c, j) => {
    const fill = spec.medians[j] ?? 0;
    const log = spec.logScale[j] === true;
    for (let r = 0; r < n; r++) {
      const v = grid[r]![c];
      // A negative value in a log column (not seen in training) is clamped to log1p(0).
      series[r] = isNum(v) ? (log ? Math.log1p(Math.max(0, v)) : v) : fill;
    }
    const floor = 0.01 * (spec.spreads[j] ?? 0) || 1e-12;
    for (let r = 0; r < n; r++) {
      const base = r * cols + j * per;
      const x = series[r]!;
      prev.length = 0;
      for (let i = Math.max(0, r - k); i < r; i++) prev.push(series[i]!);
      const m = prev.length === 0 ? x : median(prev);
      long.length = 0;
      if (needsLong) for (let i = Math.max(0, r - spec.longWindow + 1); i < r; i++) long.push(series[i]!);
      forms.forEach((form, f) => {
        data[base + f] = formValue(form, x, m, form === 'vs_recent' || form === 'recent_z' ? prev : long, floor);
      });
    }
  });
  const warm = Math.min(spec.longWindow - 1, n);
  spec.warmupFill.forEach((fill, j) => {
    if (fill === null) return;
    for (let r = 0; r < warm; r++) data[r * cols + j] = fill;
  });
  return { t, matrix: { data, rows: n, cols } };
}

const LONG_FORMS: ReadonlySet<FeatureForm> = new Set(['recent_mean', 'recent_max', 'recent_std']);

/** One feature form of value x given the previous values (short or long context) and the short context's median m. */
function formValue(form: FeatureForm, x: number, m: number, prev: readonly number[], floor: number): number {
  switch (form) {
    case 'value': return x;
    case 'vs_recent': return x - m;
    case 'recent_z': return prev.length === 0 ? 0 : (x - m) / Math.max(robustSpread(prev, m), floor);
    case 'recent_mean': {
      let s = x;
      for (const v of prev) s += v;
      return s / (prev.length + 1);
    }
    case 'recent_max': {
      let s = x;
      for (const v of prev) s = Math.max(s, v);
      return s;
    }
    case 'recent_std': {
      let s = x;
      for (const v of prev) s += v;
      const mean = s / (prev.length + 1);
      let q = (x - mean) ** 2;
      for (const v of prev) q += (v - mean) ** 2;
      return Math.sqrt(q / (prev.length + 1));
    }
  }
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
