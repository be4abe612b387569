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
import type { FromMlWorker, MlJob } from './ml-messages.js';
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

function internal(e: unknown, what: string): { ok: false; error: { code: 'internal'; message: string } } {
  return { ok: false, error: { code: 'internal', message: `${what} failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}` } };
}

async function run(job: MlJob, post: (m: FromMlWorker) => void): Promise<void> {
  switch (job.type) {
    case 'train': {
      const ws = openWorkspace(job.workspacePath);
      if (!ws.ok) return post({ type: 'trained', id: job.id, result: ws });
      const flag = new Int32Array(job.cancel);
      try {
        const result = await runForecastTraining(ws.value.db, job.spec, {
          onStart: (s) => post({ type: 'started', id: job.id, backend: s.backend, epochs: s.epochs, trainSamples: s.trainSamples }),
          onEpoch: (e) => post({ type: 'epoch', id: job.id, ...e }),
          shouldStop: () => Atomics.load(flag, 0) !== 0,
        });
        post({ type: 'trained', id: job.id, result });
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
