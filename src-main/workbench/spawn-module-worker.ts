/**
 * Starts a worker thread from a module beside the caller: the compiled `.js` when it exists
 * (dist/), else its `.ts` source through tsx (tests and `tsx` runs work from sources).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * `spawnModuleWorker(import.meta.url, 'ingest.worker', data)` runs ./ingest.worker.js, or
 * ./ingest.worker.ts when only the source is there.
 */
export function spawnModuleWorker(callerUrl: string, name: string, workerData?: unknown): Worker {
  const js = fileURLToPath(new URL(`./${name}.js`, callerUrl));
  if (existsSync(js)) return new Worker(js, { workerData });
  // Node 20 ignores `--import` in a worker's execArgv: register tsx's hooks inside the worker.
  const ts = new URL(`./${name}.ts`, callerUrl).href;
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
