/**
 * The models part of the API contract (forecast now; anomaly and classify reuse the same
 * records): what a model is, how training reports, and what a forecast answers. Pure types.
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
  /** Headline figures (forecast: the model's test scores), null while training. */
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
