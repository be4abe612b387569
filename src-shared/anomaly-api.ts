/**
 * The anomaly and drift part of the API contract: window anomalies (Isolation Forest trained on
 * a source or a range of it), forecast-residual anomalies of a forecast model, and drift between
 * two sources or ranges. Pure types.
 */

/** How severe a flagged window is (thresholds documented in src-main/ml/anomaly/detector.ts). */
export type AnomalySeverity = 'low' | 'medium' | 'high';

/** One feature that drove a flag: how far it is from its usual (training) range. */
export interface AnomalyDriverInfo {
  /** The detector's feature (e.g. `bytes_per_second_vs_recent`). */
  readonly feature: string;
  /** The window metric or series it derives from. */
  readonly column: string;
  readonly value: number;
  /** Training median of the feature. */
  readonly usual: number;
  /** (value − usual) / robust spread, capped at ±1000. */
  readonly robustZ: number;
  readonly direction: 'above' | 'below';
  /** Share of the forest's splits on this window's paths that tested the feature. */
  readonly attribution: number;
  /** The driver as a phrase ("value 8.3× above its usual range"). */
  readonly text: string;
}

/** A flagged window. */
export interface AnomalyWindow {
  /** Window start, epoch seconds. */
  readonly t: number;
  /** Isolation Forest score in (0, 1]. */
  readonly score: number;
  /** Share of training windows that score lower. */
  readonly probability: number;
  readonly severity: AnomalySeverity;
  readonly message: string;
  /** Top three, largest |robustZ| first. */
  readonly drivers: readonly AnomalyDriverInfo[];
}

/**
 * `anomalies.detect`: train on the source (or range) and flag its windows; with `modelId`, score
 * them with a saved anomaly model instead (its resolution, contamination and threshold; the
 * request's resolution, contamination and seed must then be left out). The flags are stored per
 * source and model (`flowbench export --table anomalies`).
 */
export interface AnomalyDetectRequest {
  readonly sourceId: number;
  /** A ready anomaly model (models.train task 'anomaly'). */
  readonly modelId?: number;
  /**
   * Window seconds; default: a series' own step, else the finest stored resolution with at most
   * 20 000 windows in the range (so one detection stays ~2 s of scoring).
   */
  readonly resolution?: number;
  /** Share of windows flagged, 0 < c ≤ 0.5 (default 0.05). */
  readonly contamination?: number;
  readonly from?: number;
  readonly to?: number;
  readonly seed?: number;
}

/** The windows a detection flagged. */
export interface AnomalyDetectResult {
  readonly sourceId: number;
  /** The anomaly model that scored (null or absent: a forest fitted on the fly). */
  readonly modelId?: number | null;
  readonly resolution: number;
  readonly contamination: number;
  /** Score above which a window is flagged. */
  readonly threshold: number;
  /** Windows scored (gaps of a capture filled as idle). */
  readonly windows: number;
  /** Range scored: first window start and last window end (null when nothing was scored). */
  readonly from: number | null;
  readonly to: number | null;
  /** Flagged windows in time order. */
  readonly anomalies: readonly AnomalyWindow[];
  /** Wall time of loading, training and scoring, ms. */
  readonly elapsedMs: number;
}

/** A window whose forecast residual left the model's validation band. */
export interface ResidualAnomalyWindow {
  readonly t: number;
  readonly actual: number;
  readonly predicted: number;
  readonly residual: number;
  readonly direction: 'above' | 'below';
  /** Distance outside the band in band widths (capped at 1000). */
  readonly excess: number;
  readonly severity: AnomalySeverity;
  readonly message: string;
}

/** `anomalies.residual`: the forecast-residual anomalies of a forecast model on a source. */
export interface ResidualAnomalyResult {
  readonly modelId: number;
  readonly sourceId: number;
  readonly resolution: number;
  readonly band: { readonly low: number; readonly high: number };
  /** Windows with both an actual and a prediction. */
  readonly windows: number;
  readonly anomalies: readonly ResidualAnomalyWindow[];
}

/** One side of a drift comparison: a source or a range of it. */
export interface DriftSideRequest {
  readonly sourceId: number;
  readonly from?: number;
  readonly to?: number;
}

/** The compared distributions. */
export type DriftDimensionName = 'traffic_type' | 'sni' | 'dns' | 'packet_size' | 'protocol';

/** PSI bands: < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant; 'no data' when a side is empty. */
export type DriftVerdictName = 'stable' | 'moderate shift' | 'significant shift' | 'no data';

/** One category's part of a dimension's drift. */
export interface DriftContribution {
  readonly category: string;
  readonly countReference: number;
  readonly countCompared: number;
  /** Smoothed shares (ε = 1e-4). */
  readonly shareReference: number;
  readonly shareCompared: number;
  /** This category's term of the PSI and of KL(compared ‖ reference). */
  readonly psi: number;
  readonly kl: number;
}

/** The drift of one dimension. */
export interface DriftDimensionReport {
  readonly dimension: DriftDimensionName;
  readonly totalReference: number;
  readonly totalCompared: number;
  readonly psi: number;
  /** KL(compared ‖ reference), nats. */
  readonly kl: number;
  readonly verdict: DriftVerdictName;
  readonly summary: string;
  /** Largest PSI contribution first. */
  readonly contributions: readonly DriftContribution[];
}

/** `drift.compare`: the compared side against the reference. */
export interface DriftReport {
  readonly reference: DriftSideRequest;
  readonly compared: DriftSideRequest;
  /** The worst verdict over the dimensions with data. */
  readonly verdict: DriftVerdictName;
  /** One plain sentence. */
  readonly summary: string;
  /** Largest PSI first (dimensions without data last). */
  readonly dimensions: readonly DriftDimensionReport[];
}
