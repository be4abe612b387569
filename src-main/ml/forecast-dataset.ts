/**
 * The forecast dataset (pure): a source's windows on a regular grid → input features → LSTM
 * samples (last L windows → next H target values), with a chronological 70/15/15 split and
 * scalers fitted on the training rows only.
 *
 * Missing windows: a capture stores only windows that saw packets, so a missing window of a
 * count-like metric (bytes, packets, connections, bucket counts — chart-queries'
 * ZERO_WHEN_EMPTY) is 0; a ratio (average size, RTT, latency, percentages) has no value in an
 * empty window and is carried forward from the last window that had one (leading gaps take the
 * first value). An imported series is a measurement every step: a missing step is carried
 * forward, never zero. A metric with no value at all, or constant over the training rows, is
 * not used as an input.
 *
 * Inputs per window: each metric's scaled value, its first difference (the "gradient", after
 * log1p where used), and time of day as sin/cos when the series spans at least a day. Scaled
 * inputs are clipped to ±CLIP so a burst cannot saturate the LSTM. The model outputs the change
 * of the scaled target from the last input window (0 = persistence), for each of the H steps.
 */
import { fitScaler, scale, unscale } from './scalers.js';
import type { Scaler } from './scalers.js';

/** Version of preprocessing.json this code writes and reads. */
export const PREPROCESSING_VERSION = 1;
/** Scaled inputs are clipped to ±CLIP. */
export const CLIP = 10;
const DAY = 86_400;

/** Split fractions (train, validation; the rest is test). */
export const SPLIT = { train: 0.7, validation: 0.15 } as const;

/** Metrics whose empty window means 0 (as chart-queries' ZERO_WHEN_EMPTY). */
const ZERO_WHEN_EMPTY = new Set([
  'packets', 'bytes', 'captured_bytes', 'bytes_per_second', 'packets_per_second', 'active_connections', 'new_connections',
]);
/** Bounded or ratio metrics that are not log-transformed (gradients are signed: never). */
const NO_LOG = new Set(['tcp_percent', 'udp_percent', 'icmp_percent', 'avg_packet_size', 'rtt_gradient', 'bif_gradient']);

/** A source's windows as read from the store: window starts and values per metric (null: none). */
export interface RawSeries {
  readonly kind: 'file' | 'capture' | 'series';
  readonly resolution: number;
  readonly t: readonly number[];
  readonly columns: Readonly<Record<string, readonly (number | null)[]>>;
}

/** Windows on a regular grid: t[i] = start + i × resolution; NaN where no value could be filled. */
export interface Grid {
  readonly resolution: number;
  readonly t: Float64Array;
  readonly columns: ReadonlyMap<string, Float64Array>;
}

/** How a missing window of a metric is filled. */
export type FillRule = 'zero' | 'ffill';

/** One input feature, in model order. */
export interface InputFeature {
  readonly name: string;
  readonly kind: 'value' | 'diff' | 'tod_sin' | 'tod_cos';
  /** The metric it derives from (null for time of day). */
  readonly metric: string | null;
  /** log1p before scaling (value) or before differencing (diff). */
  readonly log1p: boolean;
  /** Scaler of the value or difference (identity for time of day). */
  readonly scaler: Scaler;
}

/** Everything needed to turn windows into model inputs and outputs back into values (preprocessing.json). */
export interface ForecastPreprocessing {
  readonly formatVersion: number;
  readonly task: 'forecast';
  readonly target: string;
  readonly resolution: number;
  readonly lookback: number;
  readonly horizon: number;
  readonly features: readonly InputFeature[];
  readonly fill: Readonly<Record<string, FillRule>>;
  /** Scaler of the target (also the scaler of its value feature). */
  readonly targetScaler: Scaler;
  /** The model outputs the change of the scaled target from the last input window. */
  readonly output: 'delta';
  readonly clip: number;
  /** Window extractor version the features were computed with. */
  readonly extractor: string;
  readonly seasonWindows: number | null;
  /** Set when the target is one traffic type's or service's bytes derived from the flows (forecast-by-type.ts). */
  readonly series?: SeriesSelector;
}

/** One derived per-type series: split by traffic type or service, and the series' name. */
export interface SeriesSelector {
  readonly by: 'traffic_type' | 'service';
  readonly name: string;
  /** Series kept by name before "other" (default forecast-by-type's TOP). */
  readonly top?: number;
}

/** Settings of a dataset (all optional; defaults come from the data). */
export interface DatasetOptions {
  readonly target: string;
  readonly kind: RawSeries['kind'];
  readonly lookback?: number;
  readonly horizon?: number;
  readonly extractor: string;
  /** Metrics asked for by name: an error, not a silent skip, when one is unusable. */
  readonly required?: readonly string[];
}

/** Split boundaries as grid indices: train rows are [0, trainEnd), validation [trainEnd, valEnd). */
export interface SplitIndex {
  readonly trainEnd: number;
  readonly valEnd: number;
  readonly n: number;
}

/** Fill rule of a metric for a source kind. */
export function fillRule(kind: RawSeries['kind'], metric: string): FillRule {
  if (kind === 'series') return 'ffill';
  // A gradient of an empty window is "no change", not the last change carried on.
  return ZERO_WHEN_EMPTY.has(metric) || metric.startsWith('plen_') || /_(packets|bytes|gradient)$/.test(metric) ? 'zero' : 'ffill';
}

/** Puts the windows on a regular grid and fills missing windows (module comment). */
export function toGrid(raw: RawSeries, fill?: Readonly<Record<string, FillRule>>): Grid {
  const res = raw.resolution;
  const first = raw.t[0];
  const last = raw.t[raw.t.length - 1];
  if (first === undefined || last === undefined) return { resolution: res, t: new Float64Array(0), columns: new Map() };
  const n = Math.round((last - first) / res) + 1;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = first + i * res;
  const slot = raw.t.map((x) => Math.round((x - first) / res));
  const columns = new Map<string, Float64Array>();
  for (const [name, values] of Object.entries(raw.columns)) {
    const col = new Float64Array(n).fill(Number.NaN);
    for (let k = 0; k < slot.length; k++) {
      const v = values[k];
      const i = slot[k] ?? -1;
      if (v !== null && v !== undefined && Number.isFinite(v) && i >= 0 && i < n) col[i] = v;
    }
    fillColumn(col, fill?.[name] ?? fillRule(raw.kind, name));
    columns.set(name, col);
  }
  return { resolution: res, t, columns };
}

function fillColumn(col: Float64Array, rule: FillRule): void {
  if (rule === 'zero') {
    for (let i = 0; i < col.length; i++) if (Number.isNaN(col[i] ?? 0)) col[i] = 0;
    return;
  }
  let firstSeen = Number.NaN;
  for (let i = 0; i < col.length; i++) {
    if (!Number.isNaN(col[i] ?? Number.NaN)) {
      firstSeen = col[i] ?? Number.NaN;
      break;
    }
  }
  let prev = firstSeen;
  for (let i = 0; i < col.length; i++) {
    const v = col[i] ?? Number.NaN;
    if (Number.isNaN(v)) col[i] = prev;
    else prev = v;
  }
}

/** Chronological split of n windows. */
export function splitIndex(n: number): SplitIndex {
  return { trainEnd: Math.floor(n * SPLIT.train), valEnd: Math.floor(n * (SPLIT.train + SPLIT.validation)), n };
}

/** Default lookback and horizon for n windows. */
export function defaultWindowing(n: number): { lookback: number; horizon: number } {
  return { lookback: clamp(Math.floor(n / 50), 4, 24), horizon: clamp(Math.floor(n / 400), 1, 5) };
}

/** Windows per day when the series spans at least two days (the seasonal-naive season), else null. */
export function seasonWindows(grid: Grid): number | null {
  const span = grid.t.length * grid.resolution;
  const season = Math.round(DAY / grid.resolution);
  return span >= 2 * DAY && season >= 2 ? season : null;
}

/**
 * Fits the preprocessing on the training rows of `grid`: which inputs, their scalers, L and H.
 * Errors (as thrown messages naming the setting) when the data is too short.
 */
export function fitPreprocessing(grid: Grid, opts: DatasetOptions): ForecastPreprocessing {
  const n = grid.t.length;
  const def = defaultWindowing(n);
  const lookback = opts.lookback ?? def.lookback;
  const horizon = opts.horizon ?? def.horizon;
  const split = splitIndex(n);
  const targetCol = grid.columns.get(opts.target);
  if (targetCol === undefined) throw new Error(`target: the source has no metric ${opts.target}`);
  const minTrain = lookback + horizon + 16;
  if (split.trainEnd < minTrain || split.n - split.valEnd < 1 || split.valEnd - split.trainEnd < horizon) {
    throw new Error(
      `the source has ${n} windows at ${grid.resolution} s; lookback ${lookback} and horizon ${horizon} need at least ${Math.ceil(minTrain / SPLIT.train) + 2}`,
    );
  }
  const features: InputFeature[] = [];
  const fill: Record<string, FillRule> = {};
  const metrics = [opts.target, ...[...grid.columns.keys()].filter((m) => m !== opts.target)];
  for (const metric of metrics) {
    const col = grid.columns.get(metric);
    if (col === undefined) continue;
    const train = col.subarray(0, split.trainEnd);
    if (metric === opts.target && train.some((v) => Number.isNaN(v))) throw new Error(`target: ${metric} has no value in the training range`);
    if (metric !== opts.target && (train.some((v) => Number.isNaN(v)) || isConstant(train))) {
      if (opts.required?.includes(metric)) {
        throw new Error(`features: ${metric} is ${train.some((v) => Number.isNaN(v)) ? 'missing' : 'constant'} over the training windows, so it cannot be an input`);
      }
      continue;
    }
    const log1p = !NO_LOG.has(metric) && train.every((v) => v >= 0);
    const valueScaler = fitScaler(train, log1p);
    features.push({ name: metric, kind: 'value', metric, log1p, scaler: valueScaler });
    const d = new Float64Array(train.length);
    for (let i = 1; i < train.length; i++) d[i] = log1pIf(log1p, train[i] ?? 0) - log1pIf(log1p, train[i - 1] ?? 0);
    features.push({ name: `d_${metric}`, kind: 'diff', metric, log1p, scaler: fitScaler(d.subarray(1), false) });
    fill[metric] = fillRule(opts.kind, metric);
  }
  if (grid.t.length * grid.resolution >= DAY) {
    const id: Scaler = { log1p: false, center: 0, scale: 1 };
    features.push(
      { name: 'time_of_day_sin', kind: 'tod_sin', metric: null, log1p: false, scaler: id },
      { name: 'time_of_day_cos', kind: 'tod_cos', metric: null, log1p: false, scaler: id },
    );
  }
  const target = features[0];
  if (target === undefined) throw new Error(`target: ${opts.target} is not usable`);
  return {
    formatVersion: PREPROCESSING_VERSION, task: 'forecast', target: opts.target, resolution: grid.resolution, lookback, horizon,
    features, fill, targetScaler: target.scaler, output: 'delta', clip: CLIP, extractor: opts.extractor,
    seasonWindows: seasonWindows(grid),
  };
}

/** The input matrix (n × F, row-major, scaled and clipped) of a grid under a preprocessing. */
export function featureMatrix(prep: ForecastPreprocessing, grid: Grid): Float32Array {
  const n = grid.t.length;
  const f = prep.features.length;
  const x = new Float32Array(n * f);
  prep.features.forEach((feat, j) => {
    const col = feat.metric === null ? null : grid.columns.get(feat.metric);
    if (feat.metric !== null && col === undefined) throw new Error(`features: the source has no metric ${feat.metric} (input ${j} "${feat.name}")`);
    for (let i = 0; i < n; i++) {
      let v: number;
      switch (feat.kind) {
        case 'value':
          v = scale(feat.scaler, col?.[i] ?? 0);
          break;
        case 'diff': {
          const cur = log1pIf(feat.log1p, col?.[i] ?? 0);
          const prev = i === 0 ? cur : log1pIf(feat.log1p, col?.[i - 1] ?? 0);
          v = (cur - prev - feat.scaler.center) / feat.scaler.scale;
          break;
        }
        case 'tod_sin':
          v = Math.sin((2 * Math.PI * ((grid.t[i] ?? 0) % DAY)) / DAY);
          break;
        case 'tod_cos':
          v = Math.cos((2 * Math.PI * ((grid.t[i] ?? 0) % DAY)) / DAY);
          break;
      }
      x[i * f + j] = Number.isFinite(v) ? Math.max(-prep.clip, Math.min(prep.clip, v)) : 0;
    }
  });
  return x;
}

/** The scaled target per window (not clipped). */
export function scaledTarget(prep: ForecastPreprocessing, grid: Grid): Float64Array {
  const col = grid.columns.get(prep.target);
  if (col === undefined) throw new Error(`target: the source has no metric ${prep.target}`);
  return col.map((v) => scale(prep.targetScaler, v));
}

/** LSTM samples for target indices `idx`: x is m × L × F, y (when targets exist) m × H deltas. */
export interface Samples {
  readonly idx: Int32Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/** Builds the samples whose first target window is each of `idx` (inputs: the L windows before). */
export function makeSamples(prep: ForecastPreprocessing, x: Float32Array, z: Float64Array, idx: Int32Array): Samples {
  const { lookback: L, horizon: H } = prep;
  const f = prep.features.length;
  const xs = new Float32Array(idx.length * L * f);
  const ys = new Float32Array(idx.length * H);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] ?? 0;
    xs.set(x.subarray((i - L) * f, i * f), k * L * f);
    const last = z[i - 1] ?? 0;
    for (let h = 0; h < H; h++) {
      const target = z[i + h];
      ys[k * H + h] = target === undefined ? 0 : target - last;
    }
  }
  return { idx, x: xs, y: ys };
}

/** Target indices i (first predicted window) of each part of the split; every target inside its part. */
export function sampleIndices(prep: ForecastPreprocessing, split: SplitIndex): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const { lookback: L, horizon: H } = prep;
  const range = (from: number, toExclusive: number): Int32Array => {
    const a: number[] = [];
    for (let i = Math.max(from, L); i + H <= toExclusive; i++) a.push(i);
    return Int32Array.from(a);
  };
  return { train: range(0, split.trainEnd), val: range(split.trainEnd, split.valEnd), test: range(split.valEnd, split.n) };
}

/** Model outputs (deltas, m × H) → values in original units, given the scaled target. */
export function outputsToValues(prep: ForecastPreprocessing, out: ArrayLike<number>, z: Float64Array, idx: ArrayLike<number>): Float64Array {
  const H = prep.horizon;
  const values = new Float64Array(idx.length * H);
  for (let k = 0; k < idx.length; k++) {
    const last = z[(idx[k] ?? 0) - 1] ?? 0;
    for (let h = 0; h < H; h++) values[k * H + h] = unscale(prep.targetScaler, last + (out[k * H + h] ?? 0));
  }
  return values;
}

function log1pIf(log1p: boolean, v: number): number {
  return log1p ? Math.log1p(Math.max(0, v)) : v;
}

function isConstant(a: Float64Array): boolean {
  const first = a[0];
  return a.every((v) => v === first);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
