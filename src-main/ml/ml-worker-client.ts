/**
 * The workbench's side of the one long-lived ML worker: spawned on the first job, it queues
 * jobs in the worker (one at a time) and answers each with a promise. A crashed worker fails
 * its pending jobs with an error value and is spawned again for the next job.
 */
import type { Worker } from 'node:worker_threads';
import type { AppError, Result } from '../../src-shared/result.js';
import type { ForecastRun, LiveInput, LiveOutput } from './forecast-predict.js';
import type { FlowBehaviour } from '../../src-shared/classify-api.js';
import { isFromMlWorker } from './ml-messages.js';
import type { ClassifyAnswer, FromMlWorker, MlJob, ModelTrainResult, TrainSpec } from './ml-messages.js';
import { spawnModuleWorker } from '../workbench/spawn-module-worker.js';

/** Progress callbacks of a training job. */
export interface TrainListener {
  onStarted?(m: Extract<FromMlWorker, { type: 'started' }>): void;
  onEpoch?(m: Extract<FromMlWorker, { type: 'epoch' }>): void;
}

/** A queued training job: its answer, and its cancel. */
export interface TrainHandle {
  readonly done: Promise<Result<ModelTrainResult>>;
  /** Stops training between batches; the best weights so far are kept and saved. */
  cancel(): void;
}

interface Pending {
  readonly resolve: (m: FromMlWorker) => void;
  readonly listener?: TrainListener;
}

/** The ML worker of one workbench. */
export class MlWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private closed = false;

  /** Queues a training run. */
  train(workspacePath: string, spec: TrainSpec, listener: TrainListener = {}): TrainHandle {
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const done = this.send({ type: 'train', id: this.next++, workspacePath, spec, cancel }, listener).then((m) =>
      m.type === 'trained' ? m.result : failure(`unexpected answer ${m.type}`),
    );
    return { done, cancel: () => void Atomics.store(flag, 0, 1) };
  }

  /** One-step-ahead predictions of a model folder over a source. */
  async forecast(workspacePath: string, modelDir: string, sourceId: number, from?: number, to?: number): Promise<Result<ForecastRun>> {
    const m = await this.send({
      type: 'forecast', id: this.next++, workspacePath, modelDir, sourceId, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }),
    });
    return m.type === 'forecasted' ? m.result : m.type === 'trained' && !m.result.ok ? m.result : failure(`unexpected answer ${m.type}`);
  }

  /** Predicts from the last windows of a live capture. */
  async live(modelDir: string, input: LiveInput): Promise<Result<LiveOutput>> {
    const m = await this.send({ type: 'live', id: this.next++, modelDir, input });
    return m.type === 'predicted' ? m.result : m.type === 'trained' && !m.result.ok ? m.result : failure(`unexpected answer ${m.type}`);
  }

  /** Predictions of a classify model folder for a source's flows, or for flow behaviours. */
  async classify(modelDir: string, what: { source: { workspacePath: string; sourceId: number } } | { flows: readonly FlowBehaviour[] }): Promise<Result<ClassifyAnswer>> {
    const m = await this.send({ type: 'classify', id: this.next++, modelDir, ...what });
    return m.type === 'classified' ? m.result : m.type === 'trained' && !m.result.ok ? m.result : failure(`unexpected answer ${m.type}`);
  }

  /** Drops a cached model (after a model is removed or replaced). */
  async forget(modelDir: string): Promise<void> {
    if (this.worker === null) return;
    await this.send({ type: 'forget', id: this.next++, modelDir });
  }

  /** Stops the worker (pending jobs fail as cancelled). */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
    this.failAll({ code: 'cancelled', message: 'the workbench closed' });
  }

  private send(job: MlJob, listener?: TrainListener): Promise<FromMlWorker> {
    if (this.closed) return Promise.resolve(closedAnswer(job));
    const w = this.spawn();
    return new Promise((resolve) => {
      this.pending.set(job.id, { resolve, ...(listener === undefined ? {} : { listener }) });
      w.postMessage(job);
    });
  }

  private spawn(): Worker {
    if (this.worker !== null) return this.worker;
    const w = spawnMlWorker();
    w.on('message', (m: unknown) => {
      if (!isFromMlWorker(m)) return;
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      if (m.type === 'started') p.listener?.onStarted?.(m);
      else if (m.type === 'epoch') p.listener?.onEpoch?.(m);
      else {
        this.pending.delete(m.id);
        p.resolve(m);
      }
    });
    w.on('error', (e) => this.failAll({ code: 'internal', message: `ML worker failed: ${e.message.split('\n')[0] ?? ''}` }));
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
      this.failAll({ code: 'internal', message: 'ML worker exited' });
    });
    this.worker = w;
    return w;
  }

  private failAll(error: AppError): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, p] of all) p.resolve({ type: 'trained', id, result: { ok: false, error } });
  }
}

function closedAnswer(job: MlJob): FromMlWorker {
  return { type: 'trained', id: job.id, result: { ok: false, error: { code: 'cancelled', message: 'the workbench is closed' } } };
}

function failure(message: string): { ok: false; error: AppError } {
  return { ok: false, error: { code: 'internal', message } };
}

/** The compiled worker next to this file, or its .ts source through tsx. */
function spawnMlWorker(): Worker {
  return spawnModuleWorker(import.meta.url, 'ml.worker');
}
