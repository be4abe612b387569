/**
 * Exploration worker (worker_threads): one `features.explore` run on its own read-only
 * connection to the workspace, so a big range (up to EXPLORE_MAX_WINDOWS windows, ~1 s of
 * ranking and correlating) never blocks the workbench's thread. Posts one `done` and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWorkspace } from '../store/workspace.js';
import { runExplore } from './explore-run.js';
import type { ExploreWorkerData, FromExploreWorker } from './explore-handlers.js';

function run(port: NonNullable<typeof parentPort>, data: ExploreWorkerData): void {
  const post = (m: FromExploreWorker): void => port.postMessage(m);
  const ws = openWorkspace(data.workspacePath, { readonly: true });
  if (!ws.ok) {
    post({ type: 'done', result: ws });
    return;
  }
  try {
    post({ type: 'done', result: runExplore(ws.value.db, data.req) });
  } catch (e) {
    post({ type: 'done', result: { ok: false, error: { code: 'internal', message: `features.explore failed: ${(e as Error).message}` } } });
  } finally {
    ws.value.close();
    port.close();
  }
}

if (parentPort !== null) run(parentPort, workerData as ExploreWorkerData);
