/**
 * Model jobs of one workbench: training of every task runs in the ML worker (a `train` job with
 * `jobs.progress` by epoch, `training.epoch` events, cancel keeping the best weights) and live
 * predictions on running captures (`models.livePrediction` once per closed window).
 */
import { dirname, join } from 'node:path';
import type { TrainRequest } from '../../src-shared/models-api.js';
import type { TrainSpec } from '../ml/ml-messages.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { readModelFolder } from '../ml/model-files.js';
import { MlWorker } from '../ml/ml-worker-client.js';
import type { TrainHandle } from '../ml/ml-worker-client.js';
import type { CaptureJobs } from './capture-jobs.js';
import type { WorkbenchContext } from './context.js';
import { LiveForecast, liveMetrics } from './live-forecast.js';

interface LiveSession {
  readonly stop: () => void;
}

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
    const { ctx } = this;
    const ids = req.task === 'classify' ? req.sourceIds : [req.sourceId];
    const field = (i: number): string => (req.task === 'classify' ? `sourceIds[${i}]` : 'sourceId');
    const sources = [];
    for (const [i, id] of ids.entries()) {
      const source = ctx.sources.get(id);
      if (source === undefined) return err({ code: 'not_found', message: `${field(i)}: no source ${id}` });
      if (source.status === 'ingesting') return err({ code: 'invalid_argument', message: `${field(i)}: source ${id} is still being analysed` });
      sources.push(source);
    }
    const source = sources[0];
    if (source === undefined) return err({ code: 'invalid_argument', message: 'sourceIds: at least one source is required' });
    const target = req.task === 'forecast' ? (req.target ?? null) : null;
    const name = req.name ?? (req.task === 'forecast'
      ? `forecast ${target ?? 'throughput'} · ${source.displayName}`
      : req.task === 'anomaly'
        ? `anomaly · ${source.displayName}`
        : `classify · ${sources.map((s) => s.displayName).join(', ').slice(0, 120)}`);
    const modelId = ctx.models.create({
      name, task: req.task, status: 'training', sourceId: source.id, target, resolution: req.task === 'classify' ? null : (req.resolution ?? null),
    });
    const dir = this.modelDir(modelId);
    ctx.models.setDir(modelId, dir);
    const job = ctx.jobs.create('train', `train ${name}`);
    ctx.jobs.update(job.jobId, { phase: 'running', sourceId: source.id });
    ctx.emit('models.changed', { modelId });
    const spec: TrainSpec = req.task === 'forecast'
      ? { task: 'forecast', sourceId: source.id, dir, ...pick(req, ['target', 'resolution', 'lookback', 'horizon', 'epochs', 'from', 'to', 'seed', 'features', 'series']) }
      : req.task === 'anomaly'
        ? { task: 'anomaly', sourceId: source.id, dir, ...pick(req, ['resolution', 'contamination', 'from', 'to', 'seed']) }
        : { task: 'classify', sourceIds: req.sourceIds, dir, ...pick(req, ['seed', 'epochs']) };
    const handle = this.ml.train(ctx.workspace.path, spec, {
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
        ctx.jobs.update(job.jobId, { phase: r.error.code === 'cancelled' ? 'cancelled' : 'failed', error: r.error });
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
    const folder = readModelFolder(dir);
    if (!folder.ok) return folder;
    const metrics = liveMetrics(modelId, folder.value.preprocessing);
    if (!metrics.ok) return metrics;
    const session = new LiveForecast({
      modelId, captureJobId, resolution, lookback, metrics: metrics.value, band,
      predict: (input) => this.ml.live(dir, input),
      emit: (p) => this.ctx.emit('models.livePrediction', p),
      onError: () => this.live.delete(key),
    });
    const stop = this.captures.observeWindows(captureJobId, {
      onWindows: (batch) => session.onWindows(batch),
      onEnd: () => {
        session.stop();
        this.live.delete(key);
      },
    });
    if (stop === null) {
      session.stop();
      return err({ code: 'not_found', message: `captureJobId: no running capture ${captureJobId}` });
    }
    this.live.set(key, {
      stop: () => {
        session.stop();
        stop();
      },
    });
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

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
