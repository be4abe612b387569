/**
 * Runs `anomalies.detect` in anomaly.worker.ts, one worker per call (a run is seconds of CPU;
 * starting a thread is tens of milliseconds). close() terminates the runs still going.
 */
import type { Worker } from 'node:worker_threads';
import type { AnomalyDetectRequest, AnomalyDetectResult } from '../../src-shared/anomaly-api.js';
import { err, type AppError, type Result } from '../../src-shared/result.js';
import { spawnModuleWorker } from './spawn-module-worker.js';

/** What the anomaly worker starts with (its workerData). */
export interface AnomalyWorkerData {
  readonly workspacePath: string;
  readonly req: AnomalyDetectRequest;
  /** Folder of req.modelId (a saved anomaly model), when given. */
  readonly modelDir?: string;
}

/** Worker → workbench: the one answer. */
export type FromAnomalyWorker = { readonly type: 'done'; readonly result: Result<AnomalyDetectResult, AppError> };

function isFromAnomalyWorker(m: unknown): m is FromAnomalyWorker {
  if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'done') return false;
  const r = (m as { result?: unknown }).result;
  return typeof r === 'object' && r !== null && typeof (r as { ok?: unknown }).ok === 'boolean';
}

/** Detection runs of one workbench. */
export class AnomalyRunner {
  private readonly running = new Set<Worker>();
  private closed = false;

  constructor(private readonly workspacePath: string) {}

  /** Detects in a worker thread; resolves with its answer (a cancelled error when closed meanwhile). */
  detect(req: AnomalyDetectRequest, modelDir?: string): Promise<Result<AnomalyDetectResult>> {
    if (this.closed) return Promise.resolve(err({ code: 'cancelled', message: 'the workbench is closed' }));
    const worker = spawnAnomalyWorker({ workspacePath: this.workspacePath, req, ...(modelDir === undefined ? {} : { modelDir }) });
    this.running.add(worker);
    return new Promise((resolve) => {
      let answered = false;
      const answer = (r: Result<AnomalyDetectResult>): void => {
        if (answered) return;
        answered = true;
        this.running.delete(worker);
        resolve(r);
      };
      worker.on('message', (m: unknown) => {
        if (isFromAnomalyWorker(m)) answer(m.result);
      });
      worker.on('error', (e) => answer(err({ code: 'internal', message: `anomalies.detect failed: ${e.message}` })));
      worker.on('exit', (code) => answer(err(this.closed
        ? { code: 'cancelled', message: 'anomalies.detect: the workbench closed during the run' }
        : { code: 'internal', message: `anomalies.detect: the worker exited (${code}) without an answer` })));
    });
  }

  /** Stops every run. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((w) => w.terminate()));
  }
}

/** The compiled worker next to this file, or its .ts source through tsx. */
function spawnAnomalyWorker(data: AnomalyWorkerData): Worker {
  return spawnModuleWorker(import.meta.url, 'anomaly.worker', data);
}
