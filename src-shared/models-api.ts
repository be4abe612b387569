/**
 * The models part of the API contract (forecast, anomaly and classify models share the same
 * records and folders): what a model is, how training reports, and what a forecast answers. Pure types.
 */

/** What a model does. */
export type ModelTask = 'forecast' | 'anomaly' | 'classify';

/** A model's state in the workspace. */
export type ModelStatus = 'training' | 'ready' | 'failed';

/** Error figures of one predictor on the test split (same points for every predictor). */
export interface ForecastScores {
  readonly mae: number;
  readonly rmse: number;
  /** Symmetric MAPE in percent (0–200). */
  readonly smape: number;
  /** 1 − RMSE / RMSE of persistence on the same points (persistence itself: 0). */
  readonly skill: number;
}

/** A forecast's evaluation beside its baselines. */
export interface ForecastEvaluation {
  readonly points: number;
  readonly model: ForecastScores;
  readonly persistence: ForecastScores;
  /** Null when the series is shorter than two seasons. */
  readonly seasonalNaive: ForecastScores | null;
  /** Season length in windows used by the seasonal-naive baseline. */
  readonly seasonWindows: number | null;
}

/** A model as the models list shows it. */
export interface ModelInfo {
  readonly id: number;
  readonly name: string;
  readonly task: ModelTask;
  readonly status: ModelStatus;
  /** The source it was trained on (null for an imported model whose source is not here). */
  readonly sourceId: number | null;
  /** Forecast target metric (window column name), or null. */
  readonly target: string | null;
  /** Window resolution in seconds the model reads. */
  readonly resolution: number | null;
  /** TensorFlow.js backend it trained with: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  readonly backend: string | null;
  readonly createdAt: number;
  /** Forecast models: the test scores, null while training (and for other tasks: see ModelDetail). */
  readonly evaluation: ForecastEvaluation | null;
  readonly error: string | null;
}

/** Settings of a forecast training run; everything but the source has a data-driven default. */
export interface ForecastTrainRequest {
  readonly task: 'forecast';
  readonly sourceId: number;
  readonly name?: string;
  /** Window metric to forecast (default bytes_per_second). */
  readonly target?: string;
  /** Window resolution in seconds (default: chosen from the source's length). */
  readonly resolution?: number;
  /** Lookback L and horizon H in windows. */
  readonly lookback?: number;
  readonly horizon?: number;
  readonly epochs?: number;
  readonly from?: number;
  readonly to?: number;
  readonly seed?: number;
  /**
   * Input metrics besides the target (window metrics, the flight metrics bif_mean, bif_max,
   * rtt_gradient, bif_gradient, or a series' named values); each also gives its first
   * difference. Default: every metric with values, the flight metrics only where the source's
   * TCP carries non-zero bytes in flight.
   */
  readonly features?: readonly string[];
  /**
   * Forecast the bytes of one traffic type (flow label) or service (SNI/DNS name) instead of a
   * window metric: window bytes split by the flows overlapping each window (see
   * src-main/ml/forecast-by-type.ts); names beyond the top `top` (default 5) are "other".
   */
  readonly series?: { readonly by: 'traffic_type' | 'service'; readonly name: string; readonly top?: number };
}

/**
 * Settings of an anomaly-model training run: an Isolation Forest over the source's window
 * features (or a time range of it), saved as a model folder that `anomalies.detect` can reuse.
 */
export interface AnomalyTrainRequest {
  readonly task: 'anomaly';
  readonly sourceId: number;
  readonly name?: string;
  readonly from?: number;
  readonly to?: number;
  /** Window seconds (default: as `anomalies.detect` picks it). */
  readonly resolution?: number;
  /** Share of training windows flagged, 0 < c ≤ 0.5 (default 0.05). */
  readonly contamination?: number;
  readonly seed?: number;
}

/**
 * Settings of a flow-classifier training run. Labels come from the workspace: the user's labels
 * (set or imported) where there are some, else the label rules; flows neither labels are left
 * out. The model sees behaviour only (flow statistics and the first packets).
 */
export interface ClassifyTrainRequest {
  readonly task: 'classify';
  /** Training sources (also the groups of the cross-validation split by file). */
  readonly sourceIds: readonly number[];
  readonly name?: string;
  readonly seed?: number;
  readonly epochs?: number;
}

/** `models.train`'s argument: one of the tasks. */
export type TrainRequest = ForecastTrainRequest | AnomalyTrainRequest | ClassifyTrainRequest;

/** Per-class figures of a classifier (out-of-fold predictions of the cross-validation). */
export interface ClassScore {
  readonly label: string;
  /** Flows of this class in the training labels. */
  readonly support: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** A classify model's evaluation: k-fold cross-validation grouped by source file. */
export interface ClassifyEvaluation {
  /** Labelled flows trained and evaluated on. */
  readonly flows: number;
  /** Folds run (≤ the number of sources); 0 when only one source (no held-out file: metrics are null). */
  readonly folds: number;
  /** Classes in model output order; `perClass` and `confusion` follow it. */
  readonly classes: readonly string[];
  readonly perClass: readonly ClassScore[];
  /** Mean F1 over the classes present in the labels; null without folds. */
  readonly macroF1: number | null;
  readonly accuracy: number | null;
  /** confusion[truth][predicted], in `classes` order (empty without folds). */
  readonly confusion: readonly (readonly number[])[];
  /** Mean drop of macro-F1 when a feature (or the whole early-packet sequence) is permuted, largest first. */
  readonly importance: readonly { readonly feature: string; readonly drop: number }[];
  /**
   * Macro-F1 of the label rules alone against the same labels (rules know ports and names; a
   * flow the rules call unknown counts as wrong). Equals 1 when every label came from the rules.
   */
  readonly rulesBaselineMacroF1: number | null;
  /** Where the training labels came from. */
  readonly labelSources: { readonly user: number; readonly rule: number; readonly skippedUnknown: number };
}

/** An anomaly model's evaluation on its training windows. */
export interface AnomalyModelEvaluation {
  /** Score above which a window is flagged. */
  readonly threshold: number;
  readonly contamination: number;
  readonly resolution: number;
  readonly trainingWindows: number;
  /** Training windows flagged and their share of all training windows. */
  readonly flagged: number;
  readonly flagShare: number;
  /** Training range: first window start, last window end (epoch seconds). */
  readonly from: number | null;
  readonly to: number | null;
}

/** One epoch of a training run (`training.epoch`). */
export interface TrainingEpoch {
  readonly jobId: string;
  readonly modelId: number;
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly valLoss: number | null;
  readonly elapsedSeconds: number;
  readonly etaSeconds: number | null;
}

/** The whole report of a model (report.json of its export). */
export interface ModelDetail extends ModelInfo {
  /** Input features in order, lookback, horizon, split boundaries, durations, provenance. */
  readonly report: Readonly<Record<string, unknown>>;
  /** Per-epoch history of the run. */
  readonly history: readonly { readonly epoch: number; readonly loss: number; readonly valLoss: number | null }[];
  /** A classify model's evaluation (null for other tasks). */
  readonly classification: ClassifyEvaluation | null;
  /** An anomaly model's evaluation (null for other tasks). */
  readonly anomaly: AnomalyModelEvaluation | null;
}

/** Actual vs predicted (one step ahead) over a range, plus the horizon ahead of the last actual. */
export interface ForecastSeries {
  readonly modelId: number;
  readonly sourceId: number;
  readonly resolution: number;
  readonly t: readonly number[];
  readonly actual: readonly (number | null)[];
  readonly predicted: readonly (number | null)[];
  readonly residual: readonly (number | null)[];
  /** Validation residual band (e.g. 1st–99th percentile of validation residuals). */
  readonly band: { readonly low: number; readonly high: number };
  /** Split boundaries (epoch seconds): train is before trainEnd, validation before valEnd. */
  readonly trainEnd: number;
  readonly valEnd: number;
  /** The next H windows after the last actual one. */
  readonly ahead: { readonly t: readonly number[]; readonly predicted: readonly number[] };
}

/** A live prediction during a capture (`models.livePrediction`), once a second. */
export interface LivePrediction {
  readonly modelId: number;
  readonly captureJobId: string;
  readonly t: number;
  readonly actual: number | null;
  /** Prediction made for window t (one step ahead), null before the lookback is full. */
  readonly predictedNow: number | null;
  /** The next H windows. */
  readonly ahead: { readonly t: readonly number[]; readonly predicted: readonly number[] };
  /** The residual of window t left the validation band. */
  readonly outOfBand: boolean;
}

/** The series a capacity forecast can split a source's bytes into (`models.typeSeries`). */
export interface TypeSeriesList {
  readonly by: 'traffic_type' | 'service';
  readonly resolution: number;
  /**
   * Ranked by their flows' bytes ("other" and "unattributed" last when present), each with the
   * bytes its series carries (window bytes shared out by the flows overlapping each window).
   */
  readonly series: readonly { readonly name: string; readonly bytes: number }[];
}
