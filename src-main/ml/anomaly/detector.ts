/**
 * The window anomaly detector: an Isolation Forest over window features, a threshold from the
 * contamination, a probability calibrated on the training scores, a severity, a one-sentence
 * message and the features that drove each flag. Pure: rows in, a JSON model and results out.
 *
 * - Threshold: the (1 − contamination) quantile of the training scores (linear interpolation);
 *   a window is flagged when its score is above it, so about `contamination` of the training
 *   windows are flagged.
 * - Probability: the empirical CDF of the training scores at the window's score, i.e. the share
 *   of training windows that score lower (interpolated between stored quantiles; 0 below the
 *   lowest, 1 above the highest). A flagged window has probability ≥ 1 − contamination.
 * - Severity of a flagged window, on that probability: high ≥ 0.995, medium ≥ 0.98, else low
 *   (at the default contamination 0.05: the top 0.5 %, the next 1.5 %, the next 3 %).
 * - Drivers: for each feature, the robust z = (x − median) / spread over the training windows
 *   (spread = 1.4826 × MAD, with the fallbacks of robustSpread); per base column the form
 *   (value, change from the recent median, recent z) with the largest |z| is kept, and the three
 *   largest are named: "bytes_per_second 8.3× above its usual range" reads "8.3 training spreads
 *   above the training median"; "… above its recent level" is the change from the median of the
 *   previous windows, in spreads of that change; "… 5.0× its recent spread above its recent
 *   level" is the change in spreads of the previous windows. Each driver also carries the
 *   forest's path attribution of its feature (share of splits on the window's paths).
 */
import {
  fitIsolationForest, pathAttribution, scoreIsolationForest, type IsolationForestModel, type IsolationForestOptions,
} from './isolation-forest.js';
import {
  buildWindowFeatures, featureBase, fitWindowFeatures, median, quantileSorted, robustSpread, type FeatureForm, type WindowFeatureSpec, type WindowValues,
} from './window-features.js';

/** Default share of training windows flagged. */
export const DEFAULT_CONTAMINATION = 0.05;
/** Probability thresholds of the severities (see the file comment). */
export const SEVERITY_THRESHOLDS = { medium: 0.98, high: 0.995 } as const;
/** Most calibration points stored (quantiles of the training scores). */
const CALIBRATION_POINTS = 1001;
/** |z| is capped here so a value off a constant training column stays finite (and JSON). */
const Z_CAP = 1000;

/** How severe a flagged window is. */
export type Severity = 'low' | 'medium' | 'high';

/** Robust centre and spread of one feature over the training windows. */
export interface FeatureStat {
  readonly name: string;
  readonly median: number;
  /** 1.4826 × MAD (or a fallback); 0 for a constant feature. */
  readonly spread: number;
}

/** A trained detector; plain JSON (export with the model folder). */
export interface AnomalyDetectorModel {
  readonly kind: 'window-anomaly';
  readonly version: 1;
  readonly features: WindowFeatureSpec;
  readonly forest: IsolationForestModel;
  readonly contamination: number;
  readonly threshold: number;
  /** Sorted training-score quantiles at evenly spaced probabilities 0…1. */
  readonly calibration: readonly number[];
  readonly featureStats: readonly FeatureStat[];
  readonly severityThresholds: { readonly medium: number; readonly high: number };
  readonly training: { readonly windows: number; readonly from: number | null; readonly to: number | null };
}

/** One feature that drove a result. */
export interface AnomalyDriver {
  /** The matrix feature (e.g. `bytes_per_second_vs_recent`). */
  readonly feature: string;
  /** The window metric or series it derives from. */
  readonly column: string;
  readonly value: number;
  readonly median: number;
  /** Robust z, capped at ±1000. */
  readonly z: number;
  readonly direction: 'above' | 'below';
  /** Share of the forest's splits on this window's paths that tested this feature. */
  readonly attribution: number;
  readonly text: string;
}

/** The detector's answer for one window. */
export interface WindowAnomaly {
  readonly t: number;
  readonly score: number;
  readonly probability: number;
  readonly flagged: boolean;
  /** Null when not flagged. */
  readonly severity: Severity | null;
  readonly message: string;
  /** Top three, largest |z| first. */
  readonly drivers: readonly AnomalyDriver[];
}

/** Training settings. */
export interface DetectorOptions extends IsolationForestOptions {
  readonly resolution: number;
  /** Share of training windows to flag, in (0, 0.5]; default 0.05. */
  readonly contamination?: number;
  readonly columns?: readonly string[];
  readonly fillGaps?: boolean;
  readonly rollingWindow?: number;
  readonly forms?: readonly FeatureForm[];
  readonly logScale?: boolean;
  readonly longWindow?: number;
}

/** Trains on the rows (a source or a time range of it) and returns the model and the training windows' results. */
export function trainDetector(rows: readonly WindowValues[], options: DetectorOptions): { model: AnomalyDetectorModel; results: WindowAnomaly[] } {
  const contamination = options.contamination ?? DEFAULT_CONTAMINATION;
  if (!(contamination > 0 && contamination <= 0.5)) throw new Error(`contamination must be in (0, 0.5], got ${contamination}`);
  const { spec, features } = fitWindowFeatures(rows, {
    resolution: options.resolution,
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.fillGaps === undefined ? {} : { fillGaps: options.fillGaps }),
    ...(options.rollingWindow === undefined ? {} : { rollingWindow: options.rollingWindow }),
    ...(options.forms === undefined ? {} : { forms: options.forms }),
    ...(options.logScale === undefined ? {} : { logScale: options.logScale }),
    ...(options.longWindow === undefined ? {} : { longWindow: options.longWindow }),
  });
  const { matrix } = features;
  if (matrix.rows < 2) throw new Error(`need at least 2 windows to train, got ${matrix.rows}`);
  if (matrix.cols === 0) throw new Error('no window metric has a value in these windows');
  const forest = fitIsolationForest(matrix, options);
  const scores = scoreIsolationForest(forest, matrix.data);
  const sorted = Float64Array.from(scores).sort();
  const m = Math.min(CALIBRATION_POINTS, sorted.length);
  const calibration = Array.from({ length: m }, (_, i) => quantileSorted(sorted, i / (m - 1)));
  const featureStats = spec.featureNames.map((name, j): FeatureStat => {
    const col: number[] = [];
    for (let r = 0; r < matrix.rows; r++) col.push(matrix.data[r * matrix.cols + j]!);
    const med = median(col);
    return { name, median: med, spread: robustSpread(col, med) };
  });
  const model: AnomalyDetectorModel = {
    kind: 'window-anomaly',
    version: 1,
    features: spec,
    forest,
    contamination,
    threshold: quantileSorted(sorted, 1 - contamination),
    calibration,
    featureStats,
    severityThresholds: { ...SEVERITY_THRESHOLDS },
    training: { windows: matrix.rows, from: features.t[0] ?? null, to: features.t[features.t.length - 1] ?? null },
  };
  return { model, results: explainAll(model, features.t, matrix.data, scores) };
}

/** Scores rows with a trained model: one result per window (idle windows inserted for captures). */
export function detectWindows(model: AnomalyDetectorModel, rows: readonly WindowValues[]): WindowAnomaly[] {
  const { t, matrix } = buildWindowFeatures(model.features, rows);
  return explainAll(model, t, matrix.data, scoreIsolationForest(model.forest, matrix.data));
}

/** The calibrated probability of a score: the share of training windows scoring lower. */
export function scoreProbability(model: AnomalyDetectorModel, score: number): number {
  const cal = model.calibration;
  const m = cal.length;
  if (m === 0 || score < cal[0]!) return 0;
  if (score >= cal[m - 1]!) return 1;
  // Last index with cal[i] <= score (ties take the highest rank).
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cal[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const a = cal[lo]!;
  const b = cal[hi]!;
  const frac = b > a ? (score - a) / (b - a) : 0;
  return (lo + frac) / (m - 1);
}

/** Severity of a flagged window's probability. */
export function severityOf(model: AnomalyDetectorModel, probability: number): Severity {
  if (probability >= model.severityThresholds.high) return 'high';
  if (probability >= model.severityThresholds.medium) return 'medium';
  return 'low';
}

function explainAll(model: AnomalyDetectorModel, t: Float64Array, X: Float64Array, scores: Float64Array): WindowAnomaly[] {
  const out: WindowAnomaly[] = [];
  for (let r = 0; r < scores.length; r++) {
    const score = scores[r]!;
    const flagged = score > model.threshold;
    const probability = scoreProbability(model, score);
    const severity = flagged ? severityOf(model, probability) : null;
    // Drivers (and their path attribution) only for flagged windows: the rest need none.
    const drivers = flagged ? explainWindow(model, X, r * model.forest.cols) : [];
    out.push({ t: t[r]!, score, probability, flagged, severity, message: message(t[r]!, severity, drivers), drivers });
  }
  return out;
}

/** The top three drivers of the row at `offset` in X. */
export function explainWindow(model: AnomalyDetectorModel, X: ArrayLike<number>, offset: number): AnomalyDriver[] {
  const attribution = pathAttribution(model.forest, X, offset);
  const best = new Map<string, AnomalyDriver>();
  model.featureStats.forEach((s, j) => {
    const value = X[offset + j]!;
    const z = robustZ(value, s);
    const { column, form } = featureBase(s.name);
    const prev = best.get(column);
    if (prev !== undefined && Math.abs(prev.z) >= Math.abs(z)) return;
    const direction = z >= 0 ? 'above' : 'below';
    best.set(column, { feature: s.name, column, value, median: s.median, z, direction, attribution: attribution[j] ?? 0, text: driverText(column, form, z, value) });
  });
  return [...best.values()].sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || b.attribution - a.attribution).slice(0, 3);
}

function robustZ(x: number, s: FeatureStat): number {
  const d = x - s.median;
  if (d === 0) return 0;
  const z = s.spread > 0 ? d / s.spread : Math.sign(d) * Z_CAP;
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}

function driverText(column: string, form: FeatureForm, z: number, value: number): string {
  const times = (k: number): string => (k >= Z_CAP ? `${Z_CAP}+×` : `${k < 10 ? k.toFixed(1) : Math.round(k)}×`);
  const dir = z >= 0 ? 'above' : 'below';
  switch (form) {
    case 'value': return `${column} ${times(Math.abs(z))} ${dir} its usual range`;
    case 'vs_recent': return `${column} ${times(Math.abs(z))} ${dir} its recent level`;
    case 'recent_z': return `${column} ${times(Math.abs(value))} its recent spread ${value >= 0 ? 'above' : 'below'} its recent level`;
    case 'recent_mean': return `recent mean of ${column} ${times(Math.abs(z))} ${dir} its usual range`;
    case 'recent_max': return `recent peak of ${column} ${times(Math.abs(z))} ${dir} its usual range`;
    case 'recent_std': return `recent variability of ${column} ${times(Math.abs(z))} ${dir} its usual range`;
  }
}

function message(t: number, severity: Severity | null, drivers: readonly AnomalyDriver[]): string {
  const when = new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  if (severity === null) return `Window at ${when} looks ordinary.`;
  const why = drivers.length === 0 ? 'no single feature stands out' : drivers.slice(0, 2).map((d) => d.text).join('; also ');
  return `${severity[0]!.toUpperCase()}${severity.slice(1)}-severity anomaly at ${when}: ${why}.`;
}
