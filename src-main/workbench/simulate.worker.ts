/**
 * Simulate worker (worker_threads): runs the scenario generator for one `simulate.start` job so
 * the workbench's thread stays free; posts progress a few times a second and one `done`. Cancel
 * is the shared flag in workerData: the generator checks it at each progress report, closes and
 * removes the partial capture, and answers `cancelled`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../simulate/simulator.js';
import type { FromSimulateWorker, SimulateWorkerData } from './simulate-handlers.js';

function run(port: NonNullable<typeof parentPort>, data: SimulateWorkerData): void {
  const post = (m: FromSimulateWorker): void => port.postMessage(m);
  const cancel = new Int32Array(data.cancelFlag);
  let lastPost = 0;
  try {
    const result = simulate({
      ...data.options,
      onProgress: (doneUs, packets) => {
        const now = performance.now();
        if (now - lastPost >= 200) {
          lastPost = now;
          post({ type: 'progress', doneUs, packets });
        }
        return Atomics.load(cancel, 0) !== 0;
      },
    });
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'done', result: { ok: false, error: { code: 'internal', message: `simulate failed: ${(e as Error).message}` } } });
  } finally {
    port.close();
  }
}

if (parentPort !== null) run(parentPort, workerData as SimulateWorkerData);
