/**
 * Model jobs of one workbench: training runs in the ML worker (a `train` job with
 * `jobs.progress` by epoch, `training.epoch` events, cancel keeping the best weights) and live
 * predictions on running captures (`models.livePrediction` once per closed window).
 */
import { dirname, join } from 'node:path';
import type { TrainRequest } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import type { WindowAggregateRow } from '../analysis/window-aggregate-row.js';
import type { RawSeries } from '../ml/forecast-dataset.js';
import { MlWorker } from '../ml/ml-worker-client.js';
import type { TrainHandle } from '../ml/ml-worker-client.js';
import type { CaptureJobs } from './capture-jobs.js';
import type { WorkbenchContext } from './context.js';

interface LiveSession {
  readonly stop: () => void;
}

/** Window rows kept per live session beyond the lookback. */
const LIVE_SLACK = 8;

/** Training and live-prediction jobs. */
export class ModelJobs {
  readonly ml = new MlWorker();
  private readonly training = new Map<string, { handle: TrainHandle; modelId: number; done: Promise<void> }>();
  private readonly live = new Map<string, LiveSession>();

  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly captures: CaptureJobs,
  ) {}

  /** The folder of a model inside the workspace. */
  modelDir(modelId: number): string {
    return join(dirname(this.ctx.workspace.path), 'models', String(modelId));
  }

  /** Starts a training run: the model row (status training) and the job exist when this returns. */
  train(req: TrainRequest): Result<{ jobId: string; modelId: number }> {
    if (req.task !== 'forecast') return err({ code: 'unsupported', message: `task: ${req.task} models are not wired yet` });
    const { ctx } = this;
    const source = ctx.sources.get(req.sourceId);
    if (source === undefined) return err({ code: 'not_found', message: `sourceId: no source ${req.sourceId}` });
    if (source.status === 'ingesting') return err({ code: 'invalid_argument', message: `sourceId: source ${req.sourceId} is still being analysed` });
    const target = req.target ?? null;
    const name = req.name ?? `forecast ${target ?? 'throughput'} · ${source.displayName}`;
    const modelId = ctx.models.create({
      name, task: 'forecast', status: 'training', sourceId: source.id, target, resolution: req.resolution ?? null,
    });
    const dir = this.modelDir(modelId);
    ctx.models.setDir(modelId, dir);
    const job = ctx.jobs.create('train', `train ${name}`);
    ctx.jobs.update(job.jobId, { phase: 'running', sourceId: source.id });
    ctx.emit('models.changed', { modelId });
    const handle = this.ml.train(ctx.workspace.path, {
      sourceId: req.sourceId, dir,
      ...pick(req, ['target', 'resolution', 'lookback', 'horizon', 'epochs', 'from', 'to', 'seed']),
    }, {
      onStarted: (m) => {
        ctx.models.setBackend(modelId, m.backend);
        ctx.jobs.update(job.jobId, { bytesDone: 0, bytesTotal: m.epochs, packets: m.trainSamples });
        ctx.emit('models.changed', { modelId });
      },
      onEpoch: (m) => {
        ctx.models.appendHistory(modelId, { epoch: m.epoch, loss: m.loss, valLoss: m.valLoss });
        ctx.jobs.update(job.jobId, { bytesDone: m.epoch, bytesTotal: m.epochs, etaSeconds: m.etaSeconds });
        ctx.emit('training.epoch', {
          jobId: job.jobId, modelId, epoch: m.epoch, epochs: m.epochs, loss: m.loss, valLoss: m.valLoss,
          elapsedSeconds: m.elapsedSeconds, etaSeconds: m.etaSeconds,
        });
      },
    });
    const done = handle.done.then((r) => {
      if (ctx.models.get(modelId) === undefined) return; // removed meanwhile
      if (r.ok) {
        const v = r.value;
        ctx.models.finish(modelId, {
          status: 'ready', target: v.target, resolution: v.resolution, backend: v.backend, evaluation: v.evaluation,
          report: v.report, history: v.history, error: null, dir: v.dir,
        });
        const cancelled = v.stoppedBy === 'cancelled';
        ctx.jobs.update(job.jobId, {
          phase: cancelled ? 'cancelled' : 'done', etaSeconds: 0,
          ...(cancelled ? { warnings: [{ offset: 0, record: 0, message: 'training cancelled: the best model so far was kept' }] } : {}),
        });
      } else {
        ctx.models.finish(modelId, { status: 'failed', error: r.error.message });
        ctx.jobs.update(job.jobId, { phase: 'failed', error: r.error });
      }
      ctx.emit('models.changed', { modelId });
    }).finally(() => this.training.delete(job.jobId));
    this.training.set(job.jobId, { handle, modelId, done });
    return ok({ jobId: job.jobId, modelId });
  }

  /** Cancels a training job (the best weights so far are saved); false when it is not one. */
  cancel(jobId: string): boolean {
    const t = this.training.get(jobId);
    if (t === undefined) return false;
    t.handle.cancel();
    return true;
  }

  /** True while the model trains. */
  isTraining(modelId: number): boolean {
    return [...this.training.values()].some((t) => t.modelId === modelId);
  }

  /** Runs a ready forecast model on a running capture. */
  startLive(modelId: number, captureJobId: string, dir: string, resolution: number, lookback: number, band: { low: number; high: number }): Result<null> {
    const key = `${modelId}:${captureJobId}`;
    if (this.live.has(key)) return ok(null);
    const rows: WindowAggregateRow[] = [];
    let busy = false;
    const keep = lookback + LIVE_SLACK;
    const stop = this.captures.observeWindows(captureJobId, {
      onWindows: (batch) => {
        for (const r of batch) if (r.resolution === resolution) rows.push(r);
        if (rows.length > keep) rows.splice(0, rows.length - keep);
        if (busy || batch.every((r) => r.resolution !== resolution)) return;
        busy = true;
        void this.ml.live(dir, { raw: toRaw(rows, resolution) }).then((r) => {
          busy = false;
          if (!r.ok || r.value.t === null) return;
          const v = r.value;
          const residual = v.actual !== null && v.predictedNow !== null ? v.actual - v.predictedNow : null;
          this.ctx.emit('models.livePrediction', {
            modelId, captureJobId, t: v.t ?? 0, actual: v.actual, predictedNow: v.predictedNow, ahead: v.ahead,
            outOfBand: residual !== null && (residual < band.low || residual > band.high),
          });
        });
      },
      onEnd: () => this.live.delete(key),
    });
    if (stop === null) return err({ code: 'not_found', message: `captureJobId: no running capture ${captureJobId}` });
    this.live.set(key, { stop });
    return ok(null);
  }

  /** Stops live sessions of a model. */
  stopLive(modelId: number): void {
    for (const [key, s] of this.live) {
      if (key.startsWith(`${modelId}:`)) {
        s.stop();
        this.live.delete(key);
      }
    }
  }

  /** Cancels training, stops live sessions and the worker. */
  async close(): Promise<void> {
    for (const s of this.live.values()) s.stop();
    this.live.clear();
    const runs = [...this.training.values()];
    for (const t of runs) t.handle.cancel();
    // Wait up to 10 s for cancelled runs to save; the timer must not hold a closing process open.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => { timer = setTimeout(r, 10_000); });
    await Promise.race([Promise.all(runs.map((t) => t.done)), grace]);
    clearTimeout(timer);
    await this.ml.close();
  }
}

function toRaw(rows: readonly WindowAggregateRow[], resolution: number): RawSeries {
  const columns: Record<string, (number | null)[]> = {};
  const first = rows[0];
  if (first !== undefined) {
    for (const k of Object.keys(first)) {
      if (k === 't' || k === 'resolution') continue;
      if (typeof (first as Record<string, unknown>)[k] === 'number' || (first as Record<string, unknown>)[k] === null) {
        columns[k] = rows.map((r) => {
          const v = (r as Record<string, unknown>)[k];
          return typeof v === 'number' ? v : null;
        });
      }
    }
  }
  return { kind: 'capture', resolution, t: rows.map((r) => r.t), columns };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
