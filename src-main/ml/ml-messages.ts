/** Messages between the workbench and the ML worker (worker_threads), checked on receipt. */
import type { FlowBehaviour, TrafficClass } from '../../src-shared/classify-api.js';
import type { ForecastEvaluation } from '../../src-shared/models-api.js';
import type { AppError, Result } from '../../src-shared/result.js';
import type { AnomalyTrainSpec } from './anomaly-model.js';
import type { ClassifyTrainSpec } from './classify-run.js';
import type { ForecastTrainSpec } from './forecast-train.js';
import type { ForecastRun, LiveInput, LiveOutput } from './forecast-predict.js';

/** A training run of any task. */
export type TrainSpec =
  | ({ readonly task: 'forecast' } & ForecastTrainSpec)
  | ({ readonly task: 'anomaly' } & AnomalyTrainSpec)
  | ({ readonly task: 'classify' } & ClassifyTrainSpec);

/** What a finished run gives the model row (forecast fields are null for other tasks). */
export interface ModelTrainResult {
  readonly dir: string;
  readonly backend: string | null;
  readonly target: string | null;
  readonly resolution: number | null;
  /** Forecast evaluation (other tasks keep theirs in report.evaluation). */
  readonly evaluation: ForecastEvaluation | null;
  readonly report: Readonly<Record<string, unknown>>;
  readonly history: readonly { epoch: number; loss: number; valLoss: number | null }[];
  readonly stoppedBy: string;
}

/** Predictions of a classify model: for a source's flows (with their ids) or for given behaviours. */
export interface ClassifyAnswer {
  readonly flowIds: readonly number[] | null;
  readonly labels: readonly TrafficClass[];
  readonly confidence: readonly number[];
}

/** A job for the worker. `cancel` is a shared flag (Int32Array[0] = 1 stops training between batches). */
export type MlJob =
  | { readonly type: 'train'; readonly id: number; readonly workspacePath: string; readonly spec: TrainSpec; readonly cancel: SharedArrayBuffer }
  | {
      readonly type: 'forecast'; readonly id: number; readonly workspacePath: string; readonly modelDir: string;
      readonly sourceId: number; readonly from?: number; readonly to?: number;
    }
  | { readonly type: 'live'; readonly id: number; readonly modelDir: string; readonly input: LiveInput }
  | {
      readonly type: 'classify'; readonly id: number; readonly modelDir: string;
      readonly source?: { readonly workspacePath: string; readonly sourceId: number }; readonly flows?: readonly FlowBehaviour[];
    }
  | { readonly type: 'forget'; readonly id: number; readonly modelDir: string };

/** Workbench → worker. */
export type ToMlWorker = MlJob;

/** Worker → workbench. */
export type FromMlWorker =
  | { readonly type: 'started'; readonly id: number; readonly backend: string; readonly epochs: number; readonly trainSamples: number }
  | {
      readonly type: 'epoch'; readonly id: number; readonly epoch: number; readonly epochs: number; readonly loss: number;
      readonly valLoss: number | null; readonly elapsedSeconds: number; readonly etaSeconds: number | null;
    }
  | { readonly type: 'trained'; readonly id: number; readonly result: Result<ModelTrainResult, AppError> }
  | { readonly type: 'forecasted'; readonly id: number; readonly result: Result<ForecastRun, AppError> }
  | { readonly type: 'predicted'; readonly id: number; readonly result: Result<LiveOutput, AppError> }
  | { readonly type: 'classified'; readonly id: number; readonly result: Result<ClassifyAnswer, AppError> }
  | { readonly type: 'forgotten'; readonly id: number };

/** True when `m` has the shape of a worker message (the worker is ours, so the check is light). */
export function isFromMlWorker(m: unknown): m is FromMlWorker {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { type?: unknown; id?: unknown };
  return typeof o.id === 'number' && ['started', 'epoch', 'trained', 'forecasted', 'predicted', 'classified', 'forgotten'].includes(String(o.type));
}
