/**
 * `simulate.start` and `sources.events`: scenario captures made in the app. A `simulate` job runs
 * the generator (src-main/simulate) in simulate.worker.ts, writing `<workspace dir>/simulated/NAME.pcapng`
 * and its `NAME.labels.json`; then the capture is ingested like any opened file, its events are
 * stored with the source (source_events), and the job ends with the ingest. Cancel stops
 * whichever step runs (the generator removes its partial capture; an ingest keeps its partial source).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { SimulateRequest, SourceEvent } from '../../src-shared/api.js';
import { err, ok, type AppError, type Result } from '../../src-shared/result.js';
import { labelsPathFor, type SimulateOptions, type SimulateResult } from '../simulate/simulator.js';
import { SourceEventsRepo } from '../store/source-events-repo.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import { isFinished } from './job-registry.js';
import { spawnModuleWorker } from './spawn-module-worker.js';

/** What the simulate worker starts with (its workerData). */
export interface SimulateWorkerData {
  readonly options: Omit<SimulateOptions, 'observeSessions' | 'onProgress'>;
  /** Int32 flag: non-zero asks the generator to stop. */
  readonly cancelFlag: SharedArrayBuffer;
}

/** Worker → workbench. */
export type FromSimulateWorker =
  | { readonly type: 'progress'; readonly doneUs: number; readonly packets: number }
  | { readonly type: 'done'; readonly result: Result<SimulateResult, AppError> };

function isFromSimulateWorker(m: unknown): m is FromSimulateWorker {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'progress' || t === 'done';
}

/** How long a cancelled generator may take to stop before its worker is terminated. */
const CANCEL_GRACE_MS = 5000;
/** How often the job looks at its ingest job (source known, finished). */
const FOLLOW_MS = 200;

interface Run {
  readonly jobId: string;
  readonly out: string;
  worker: Worker | null;
  readonly cancelFlag: Int32Array;
  ingestJobId: string | null;
  cancelled: boolean;
  /** Terminates a generator that does not stop on its own after a cancel. */
  killTimer: NodeJS.Timeout | null;
  /** Next look at the ingest job. */
  followTimer: NodeJS.Timeout | null;
  done: Promise<void>;
}

/** The simulate jobs of one workbench. */
export class SimulateJobs {
  private readonly runs = new Map<string, Run>();
  private readonly events: SourceEventsRepo;
  private closed = false;

  constructor(private readonly ctx: WorkbenchContext) {
    this.events = new SourceEventsRepo(ctx.workspace.db);
  }

  /** The folder simulated captures are written to. */
  get folder(): string {
    return join(dirname(this.ctx.workspace.path), 'simulated');
  }

  /** Starts a job; the job id at once. */
  start(req: SimulateRequest): Result<{ jobId: string }> {
    if (this.closed) return err({ code: 'cancelled', message: 'the workbench is closed' });
    const file = /\.pcapng$/i.test(req.name) ? req.name : `${req.name}.pcapng`;
    const out = join(this.folder, file);
    if (existsSync(out) || [...this.runs.values()].some((r) => r.out === out)) {
      return err({ code: 'invalid_argument', message: `name: ${out} exists already; choose another name` });
    }
    try {
      mkdirSync(this.folder, { recursive: true });
    } catch (e) {
      return err({ code: 'io_error', message: `${this.folder}: cannot create the folder for simulated captures: ${(e as Error).message}` });
    }
    const totalMs = req.durationSeconds * 1000;
    const job = this.ctx.jobs.create('simulate', `simulate ${req.scenario} → ${file}`, totalMs);
    const cancelFlag = new SharedArrayBuffer(4);
    const data: SimulateWorkerData = {
      options: {
        scenario: req.scenario, duration: req.durationSeconds, out,
        ...(req.rate === undefined ? {} : { rate: req.rate }), ...(req.shape === undefined ? {} : { shape: req.shape }),
        ...(req.seed === undefined ? {} : { seed: req.seed }),
      },
      cancelFlag,
    };
    const run: Run = {
      jobId: job.jobId, out, worker: null, cancelFlag: new Int32Array(cancelFlag), ingestJobId: null, cancelled: false, killTimer: null, followTimer: null,
      done: Promise.resolve(),
    };
    this.runs.set(job.jobId, run);
    this.ctx.jobs.update(job.jobId, { phase: 'running', startedAt: Date.now() });
    run.done = new Promise((settle) => this.generate(run, data, totalMs, settle));
    return ok({ jobId: job.jobId });
  }

  /** Cancels a running job; false when it is not one of ours or already over. */
  cancel(jobId: string): boolean {
    const run = this.runs.get(jobId);
    if (run === undefined) return false;
    if (run.cancelled) return true;
    run.cancelled = true;
    if (run.ingestJobId !== null) {
      this.ctx.ingest.cancel(run.ingestJobId);
      return true;
    }
    Atomics.store(run.cancelFlag, 0, 1);
    const worker = run.worker;
    if (worker !== null) run.killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
    return true;
  }

  /** The source's labelled events. */
  eventsOf(sourceId: number): SourceEvent[] {
    return this.events.list(sourceId);
  }

  /** Cancels every job and waits for them to stop. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.runs.values()];
    for (const r of all) this.cancel(r.jobId);
    await Promise.all(all.map((r) => r.done));
  }

  private generate(run: Run, data: SimulateWorkerData, totalMs: number, settle: () => void): void {
    const worker = spawnSimulateWorker(data);
    run.worker = worker;
    const began = performance.now();
    let answered = false;
    worker.on('message', (m: unknown) => {
      if (!isFromSimulateWorker(m)) return;
      if (m.type === 'progress') {
        const doneMs = m.doneUs / 1000;
        const seconds = (performance.now() - began) / 1000;
        const eta = doneMs > 0 && seconds > 0.5 ? (seconds * (totalMs - doneMs)) / doneMs : null;
        this.ctx.jobs.update(run.jobId, {
          bytesDone: Math.min(totalMs, doneMs), packets: m.packets, packetsPerSecond: seconds > 0 ? m.packets / seconds : 0, etaSeconds: eta,
        });
        return;
      }
      answered = true;
      if (!m.result.ok) {
        this.finish(run, m.result.error.code === 'cancelled' ? { phase: 'cancelled' } : { phase: 'failed', error: m.result.error }, settle);
        return;
      }
      const v = m.result.value;
      this.ctx.jobs.update(run.jobId, { bytesDone: totalMs, packets: v.packets, etaSeconds: null });
      if (run.cancelled || this.closed) {
        this.removeFiles(run);
        this.finish(run, { phase: 'cancelled' }, settle);
        return;
      }
      this.ingest(run, v.events, settle);
    });
    worker.on('error', (e) => {
      answered = true;
      this.removeFiles(run);
      this.finish(run, { phase: 'failed', error: { code: 'internal', message: `${run.out}: simulate worker failed: ${e.message}` } }, settle);
    });
    worker.on('exit', () => {
      if (run.killTimer !== null) clearTimeout(run.killTimer);
      run.worker = null;
      if (answered) return;
      // Terminated (or died) before its answer: the partial capture is of no use.
      this.removeFiles(run);
      this.finish(run, run.cancelled ? { phase: 'cancelled' } : { phase: 'failed', error: { code: 'internal', message: `${run.out}: simulate worker exited early` } }, settle);
    });
  }

  /** Opens the generated capture; stores the events once the source exists; ends with the ingest. */
  private ingest(run: Run, events: readonly SourceEvent[], settle: () => void): void {
    const ingestJobId = this.ctx.ingest.enqueue(run.out, false);
    run.ingestJobId = ingestJobId;
    let stored = false;
    const follow = (): void => {
      const job = this.ctx.jobs.get(ingestJobId);
      if (job !== undefined && job.sourceId !== null && !stored) {
        stored = true;
        this.events.replace(job.sourceId, events);
        this.ctx.jobs.update(run.jobId, { sourceId: job.sourceId });
        this.ctx.emit('sources.changed', { sourceId: job.sourceId });
      }
      if (job === undefined || isFinished(job)) {
        const change = job === undefined
          ? { phase: 'failed' as const, error: { code: 'internal' as const, message: `${run.out}: the ingest job was lost` } }
          : job.phase === 'done'
            ? { phase: 'done' as const, packets: job.packets, error: job.error, warnings: job.warnings }
            : job.phase === 'cancelled'
              ? { phase: 'cancelled' as const }
              : { phase: 'failed' as const, error: job.error };
        this.finish(run, change, settle);
        return;
      }
      run.followTimer = setTimeout(follow, FOLLOW_MS);
    };
    follow();
  }

  private finish(run: Run, change: Parameters<WorkbenchContext['jobs']['update']>[1], settle: () => void): void {
    if (run.followTimer !== null) clearTimeout(run.followTimer);
    run.followTimer = null;
    this.ctx.jobs.update(run.jobId, { ...change, ...(change.phase === 'done' ? { etaSeconds: 0 } : { etaSeconds: null }) });
    this.runs.delete(run.jobId);
    settle();
  }

  private removeFiles(run: Run): void {
    rmSync(run.out, { force: true });
    rmSync(labelsPathFor(run.out), { force: true });
  }
}

/** Handlers of simulate.start and sources.events. */
export function simulateHandlers(ctx: WorkbenchContext, jobs: SimulateJobs): HandlerGroup<'simulate.start' | 'sources.events'> {
  return {
    'simulate.start': (req) => jobs.start(req),
    'sources.events': ({ sourceId }) => {
      if (ctx.sources.get(sourceId) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
      return ok(jobs.eventsOf(sourceId));
    },
  };
}

/** The compiled worker next to this file, or its .ts source through tsx. */
function spawnSimulateWorker(data: SimulateWorkerData): Worker {
  return spawnModuleWorker(import.meta.url, 'simulate.worker', data);
}
