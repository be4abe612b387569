/**
 * The ML worker (worker_threads): one per workbench, long-lived, runs its jobs one at a time in
 * arrival order (train, forecast, live predict) with TensorFlow.js loaded once. Loaded models
 * are cached by folder. Training stops between batches when the job's shared cancel flag is set.
 */
import { parentPort } from 'node:worker_threads';
import { openWorkspace } from '../store/workspace.js';
import { forecastSource, loadModel, predictLive } from './forecast-predict.js';
import type { LoadedModel } from './forecast-predict.js';
import { runForecastTraining } from './forecast-train.js';
import type { FromMlWorker, MlJob, ModelTrainResult } from './ml-messages.js';
import type Database from 'better-sqlite3';
import { runAnomalyTraining } from './anomaly-model.js';
import { classifyBehaviours, classifySourceFlows, loadClassifier, runClassifyTraining } from './classify-run.js';
import type { FlowClassifier } from './classify/classifier.js';
import { loadTf } from './tf-backend.js';
import type { Result } from '../../src-shared/result.js';

const models = new Map<string, LoadedModel>();

async function cachedModel(dir: string): Promise<Result<LoadedModel>> {
  const hit = models.get(dir);
  if (hit !== undefined) return { ok: true, value: hit };
  const { tf } = await loadTf();
  const m = await loadModel(tf, dir);
  if (m.ok) models.set(dir, m.value);
  return m;
}

const classifiers = new Map<string, FlowClassifier>();

async function cachedClassifier(dir: string): Promise<Result<FlowClassifier>> {
  const hit = classifiers.get(dir);
  if (hit !== undefined) return { ok: true, value: hit };
  const { tf } = await loadTf();
  const m = await loadClassifier(tf, dir);
  if (m.ok) classifiers.set(dir, m.value);
  return m;
}

/** One training run of any task. */
async function train(
  db: Database.Database, job: Extract<MlJob, { type: 'train' }>, shouldStop: () => boolean, post: (m: FromMlWorker) => void,
): Promise<Result<ModelTrainResult>> {
  const spec = job.spec;
  switch (spec.task) {
    case 'forecast':
      return runForecastTraining(db, spec, {
        onStart: (s) => post({ type: 'started', id: job.id, backend: s.backend, epochs: s.epochs, trainSamples: s.trainSamples }),
        onEpoch: (e) => post({ type: 'epoch', id: job.id, ...e }),
        shouldStop,
      });
    case 'anomaly': {
      post({ type: 'started', id: job.id, backend: 'js', epochs: 1, trainSamples: 0 });
      const r = runAnomalyTraining(db, spec);
      if (!r.ok) return r;
      const v = r.value;
      return { ok: true, value: { dir: v.dir, backend: 'js', target: null, resolution: v.resolution, evaluation: null, report: v.report, history: [], stoppedBy: 'done' } };
    }
    case 'classify': {
      const loaded = await loadTf();
      const r = await runClassifyTraining(loaded.tf, db, spec, {
        onStart: (s) => post({ type: 'started', id: job.id, backend: loaded.backend, epochs: s.epochs, trainSamples: s.trainSamples }),
        onEpoch: (e) => post({ type: 'epoch', id: job.id, ...e, valLoss: null }),
        shouldStop,
      });
      if (!r.ok) return r;
      const v = r.value;
      return { ok: true, value: { dir: v.dir, backend: loaded.backend, target: null, resolution: null, evaluation: null, report: v.report, history: v.history, stoppedBy: v.stoppedBy } };
    }
  }
}

function internal(e: unknown, what: string): { ok: false; error: { code: 'internal'; message: string } } {
  return { ok: false, error: { code: 'internal', message: `${what} failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}` } };
}

async function run(job: MlJob, post: (m: FromMlWorker) => void): Promise<void> {
  if (job.type === 'forget') {
    classifiers.get(job.modelDir)?.net.dispose();
    classifiers.delete(job.modelDir);
  }
  switch (job.type) {
    case 'classify': {
      const ws = job.source === undefined ? null : openWorkspace(job.source.workspacePath, { readonly: true });
      if (ws !== null && !ws.ok) return post({ type: 'classified', id: job.id, result: ws });
      try {
        const m = await cachedClassifier(job.modelDir);
        if (!m.ok) return post({ type: 'classified', id: job.id, result: m });
        if (ws !== null && job.source !== undefined) {
          const r = classifySourceFlows(ws.value.db, m.value, job.source.sourceId);
          post({ type: 'classified', id: job.id, result: { ok: true, value: r } });
        } else {
          const r = classifyBehaviours(m.value, job.flows ?? []);
          post({ type: 'classified', id: job.id, result: { ok: true, value: { flowIds: null, ...r } } });
        }
      } catch (e) {
        post({ type: 'classified', id: job.id, result: internal(e, 'classification') });
      } finally {
        if (ws !== null && ws.ok) ws.value.close();
      }
      return;
    }
    case 'train': {
      const ws = openWorkspace(job.workspacePath);
      if (!ws.ok) return post({ type: 'trained', id: job.id, result: ws });
      const flag = new Int32Array(job.cancel);
      const shouldStop = (): boolean => Atomics.load(flag, 0) !== 0;
      try {
        post({ type: 'trained', id: job.id, result: await train(ws.value.db, job, shouldStop, post) });
      } catch (e) {
        post({ type: 'trained', id: job.id, result: internal(e, 'training') });
      } finally {
        ws.value.close();
      }
      return;
    }
    case 'forecast': {
      const ws = openWorkspace(job.workspacePath);
      if (!ws.ok) return post({ type: 'forecasted', id: job.id, result: ws });
      try {
        const m = await cachedModel(job.modelDir);
        const { tf } = await loadTf();
        post({ type: 'forecasted', id: job.id, result: m.ok ? forecastSource(tf, ws.value.db, m.value, job.sourceId, job.from, job.to) : m });
      } catch (e) {
        post({ type: 'forecasted', id: job.id, result: internal(e, 'forecast') });
      } finally {
        ws.value.close();
      }
      return;
    }
    case 'live': {
      try {
        const m = await cachedModel(job.modelDir);
        const { tf } = await loadTf();
        post({ type: 'predicted', id: job.id, result: m.ok ? { ok: true, value: predictLive(tf, m.value, job.input) } : m });
      } catch (e) {
        post({ type: 'predicted', id: job.id, result: internal(e, 'live prediction') });
      }
      return;
    }
    case 'forget':
      models.get(job.modelDir)?.model.dispose();
      models.delete(job.modelDir);
      post({ type: 'forgotten', id: job.id });
      return;
  }
}

if (parentPort !== null) {
  const port = parentPort;
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (job: MlJob) => {
    chain = chain.then(() => run(job, (m) => port.postMessage(m)));
  });
}
