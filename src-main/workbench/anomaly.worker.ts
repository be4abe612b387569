/**
 * Anomaly worker (worker_threads): one `anomalies.detect` run on its own read-only connection to
 * the workspace, so training and scoring (seconds on a big source) never block the workbench's
 * thread. Posts one `done` message and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWorkspace } from '../store/workspace.js';
import { runDetection } from './anomaly-detect.js';
import type { AnomalyWorkerData, FromAnomalyWorker } from './anomaly-worker-client.js';

function run(port: NonNullable<typeof parentPort>, data: AnomalyWorkerData): void {
  const post = (m: FromAnomalyWorker): void => port.postMessage(m);
  const ws = openWorkspace(data.workspacePath, { readonly: true });
  if (!ws.ok) {
    post({ type: 'done', result: ws });
    return;
  }
  try {
    post({ type: 'done', result: runDetection(ws.value.db, data.req, data.modelDir) });
  } catch (e) {
    post({ type: 'done', result: { ok: false, error: { code: 'internal', message: `anomalies.detect failed: ${(e as Error).message}` } } });
  } finally {
    ws.value.close();
    port.close();
  }
}

if (parentPort !== null) run(parentPort, workerData as AnomalyWorkerData);
