/** Messages between the workbench and the ML worker (worker_threads), checked on receipt. */
import type { AppError, Result } from '../../src-shared/result.js';
import type { ForecastTrainResult, ForecastTrainSpec } from './forecast-train.js';
import type { ForecastRun, LiveInput, LiveOutput } from './forecast-predict.js';

/** A job for the worker. `cancel` is a shared flag (Int32Array[0] = 1 stops training between batches). */
export type MlJob =
  | { readonly type: 'train'; readonly id: number; readonly workspacePath: string; readonly spec: ForecastTrainSpec; readonly cancel: SharedArrayBuffer }
  | {
      readonly type: 'forecast'; readonly id: number; readonly workspacePath: string; readonly modelDir: string;
      readonly sourceId: number; readonly from?: number; readonly to?: number;
    }
  | { readonly type: 'live'; readonly id: number; readonly modelDir: string; readonly input: LiveInput }
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
  | { readonly type: 'trained'; readonly id: number; readonly result: Result<ForecastTrainResult, AppError> }
  | { readonly type: 'forecasted'; readonly id: number; readonly result: Result<ForecastRun, AppError> }
  | { readonly type: 'predicted'; readonly id: number; readonly result: Result<LiveOutput, AppError> }
  | { readonly type: 'forgotten'; readonly id: number };

/** True when `m` has the shape of a worker message (the worker is ours, so the check is light). */
export function isFromMlWorker(m: unknown): m is FromMlWorker {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { type?: unknown; id?: unknown };
  return typeof o.id === 'number' && ['started', 'epoch', 'trained', 'forecasted', 'predicted', 'forgotten'].includes(String(o.type));
}
