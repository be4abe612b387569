/**
 * `features.explore`: statistics, correlations, PCA and suggestions over a source's window
 * features (src-main/analysis/feature-explore.ts). A range of at most INLINE_MAX_WINDOWS grid
 * windows runs on the workbench's thread, a longer one in explore.worker.ts (one worker per
 * call) so the thread stays free. Measured with the default 18 features, best of 5, on a 2-core
 * machine at load ~15: 91 windows 19 ms, 3 955 windows 98 ms — about 50 ms at 2 000 even loaded;
 * a synthetic 50 000 × 18 (the cap) 2.7 s in the worker.
 */
import type { Worker } from 'node:worker_threads';
import type { FeatureExploreRequest, FeatureExploreResult } from '../../src-shared/explore-api.js';
import { err, type AppError, type Result } from '../../src-shared/result.js';
import { INLINE_MAX_WINDOWS } from '../analysis/feature-explore.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import { planExplore, runExplore } from './explore-run.js';
import { spawnModuleWorker } from './spawn-module-worker.js';

/** What the exploration worker starts with (its workerData). */
export interface ExploreWorkerData {
  readonly workspacePath: string;
  readonly req: FeatureExploreRequest;
}

/** Worker → workbench: the one answer. */
export type FromExploreWorker = { readonly type: 'done'; readonly result: Result<FeatureExploreResult, AppError> };

function isFromExploreWorker(m: unknown): m is FromExploreWorker {
  if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'done') return false;
  const r = (m as { result?: unknown }).result;
  return typeof r === 'object' && r !== null && typeof (r as { ok?: unknown }).ok === 'boolean';
}

/** Exploration runs in worker threads; close() terminates the ones still going. */
export class ExploreRunner {
  private readonly running = new Set<Worker>();
  private closed = false;

  constructor(private readonly workspacePath: string) {}

  /** Explores in a worker thread; resolves with its answer (cancelled when closed meanwhile). */
  explore(req: FeatureExploreRequest): Promise<Result<FeatureExploreResult>> {
    if (this.closed) return Promise.resolve(err({ code: 'cancelled', message: 'the workbench is closed' }));
    const worker = spawnExploreWorker({ workspacePath: this.workspacePath, req });
    this.running.add(worker);
    return new Promise((resolve) => {
      let answered = false;
      const answer = (r: Result<FeatureExploreResult>): void => {
        if (answered) return;
        answered = true;
        this.running.delete(worker);
        resolve(r);
      };
      worker.on('message', (m: unknown) => {
        if (isFromExploreWorker(m)) answer(m.result);
      });
      worker.on('error', (e) => answer(err({ code: 'internal', message: `features.explore failed: ${e.message}` })));
      worker.on('exit', (code) => answer(err(this.closed
        ? { code: 'cancelled', message: 'features.explore: the workbench closed during the run' }
        : { code: 'internal', message: `features.explore: the worker exited (${code}) without an answer` })));
    });
  }

  /** Stops every run. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((w) => w.terminate()));
  }
}

/** The compiled worker next to this file, or its .ts source through tsx. */
function spawnExploreWorker(data: ExploreWorkerData): Worker {
  return spawnModuleWorker(import.meta.url, 'explore.worker', data);
}

/** The handler of features.explore. */
export function exploreHandlers(ctx: WorkbenchContext, runner: ExploreRunner): HandlerGroup<'features.explore'> {
  return {
    'features.explore': async (req) => {
      if (ctx.sources.get(req.sourceId) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${req.sourceId}` });
      const plan = planExplore(ctx.workspace.db, req);
      if (plan !== null && plan.windows > INLINE_MAX_WINDOWS) return runner.explore(req);
      return runExplore(ctx.workspace.db, req);
    },
  };
}
