/**
 * Ingest jobs, one at a time: each file is analysed by ingest.worker in a worker thread;
 * progress becomes `jobs.progress`, the end `sources.changed`. Cancel is cooperative (a message
 * the worker turns into an abort), with `terminate()` after a grace period as the last resort.
 */
import { basename, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { AppError } from '../../src-shared/result.js';
import { ANALYZER_VERSION } from '../analysis/ingest-pipeline.js';
import type { IngestOutcome } from '../analysis/ingest-pipeline.js';
import { readFileIdentity } from '../store/file-identity.js';
import type { SourcesRepo } from '../store/sources-repo.js';
import type { Emit, JobRegistry } from './job-registry.js';
import { isFromIngestWorker } from './ingest-messages.js';
import type { FromIngestWorker, IngestWorkerData, ToIngestWorker } from './ingest-messages.js';
import { spawnModuleWorker } from './spawn-module-worker.js';

/** How long a cancelled worker may take to stop on its own before it is terminated. */
const CANCEL_GRACE_MS = 5000;

interface Pending {
  readonly jobId: string;
  readonly path: string;
  readonly force: boolean;
}

interface Running extends Pending {
  readonly worker: Worker;
  cancelTimer: NodeJS.Timeout | null;
  cancelled: boolean;
}

/** The ingest queue of one workbench. */
export class IngestQueue {
  private readonly queue: Pending[] = [];
  private running: Running | null = null;
  private idle: Promise<void> = Promise.resolve();
  private settleIdle: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly workspacePath: string,
    private readonly sources: SourcesRepo,
    private readonly jobs: JobRegistry,
    private readonly emit: Emit,
  ) {}

  /** Queues a file; returns the job id at once. */
  enqueue(path: string, force: boolean, label = basename(path)): string {
    const file = resolve(path);
    const id = readFileIdentity(file);
    const job = this.jobs.create('ingest', label, id.ok ? id.value.size : 0);
    this.queue.push({ jobId: job.jobId, path: file, force });
    this.pump();
    return job.jobId;
  }

  /** Cancels a queued or running ingest job; false when it is not one of ours or already over. */
  cancel(jobId: string): boolean {
    const i = this.queue.findIndex((p) => p.jobId === jobId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.jobs.update(jobId, { phase: 'cancelled' });
      return true;
    }
    const r = this.running;
    if (r === null || r.jobId !== jobId) return false;
    if (!r.cancelled) {
      r.cancelled = true;
      r.worker.postMessage({ type: 'cancel' } satisfies ToIngestWorker);
      r.cancelTimer = setTimeout(() => void r.worker.terminate(), CANCEL_GRACE_MS);
    }
    return true;
  }

  /** Cancels everything and waits for the running worker to stop. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) this.jobs.update(p.jobId, { phase: 'cancelled' });
    if (this.running !== null) this.cancel(this.running.jobId);
    await this.idle;
  }

  private pump(): void {
    if (this.running !== null || this.closed) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.idle = new Promise((r) => { this.settleIdle = r; });
    this.jobs.update(next.jobId, { phase: 'running', startedAt: Date.now() });
    if (!next.force && this.reuse(next)) {
      this.finishRun();
      return;
    }
    const worker = spawnIngestWorker({ workspacePath: this.workspacePath, path: next.path, force: next.force });
    const run: Running = { ...next, worker, cancelTimer: null, cancelled: false };
    this.running = run;
    let done = false;
    worker.on('message', (m: unknown) => {
      if (!isFromIngestWorker(m)) return;
      if (m.type === 'done') done = true;
      this.onMessage(run, m);
    });
    worker.on('error', (e) => {
      done = true;
      this.end(run, { phase: 'failed', error: { code: 'internal', message: `${next.path}: ingest worker failed: ${e.message}` } });
    });
    worker.on('exit', () => {
      if (run.cancelTimer !== null) clearTimeout(run.cancelTimer);
      if (!done) {
        // Terminated (or died) before its answer: keep what was committed, mark it partial.
        const sourceId = this.jobs.get(run.jobId)?.sourceId ?? null;
        if (sourceId !== null && this.sources.get(sourceId)?.status === 'ingesting') {
          this.sources.finish(sourceId, 'partial', run.cancelled ? 'cancelled; re-run to finish' : 'ingest worker stopped; re-run to finish');
        }
        this.end(run, run.cancelled ? { phase: 'cancelled' } : { phase: 'failed', error: { code: 'internal', message: `${next.path}: ingest worker exited early` } });
      }
      this.running = null;
      this.finishRun();
    });
  }

  /** A complete source of exactly this file exists: the job is done at once. */
  private reuse(p: Pending): boolean {
    const id = readFileIdentity(p.path);
    if (!id.ok) return false;
    const s = this.sources.findReusable(id.value.path, id.value.size, id.value.mtimeMs, id.value.headSha256, ANALYZER_VERSION);
    if (s === undefined) return false;
    this.jobs.update(p.jobId, {
      phase: 'done', sourceId: s.id, bytesDone: id.value.size, bytesTotal: id.value.size, packets: s.packets, etaSeconds: 0,
    });
    this.emit('sources.changed', { sourceId: s.id });
    return true;
  }

  private finishRun(): void {
    this.settleIdle?.();
    this.settleIdle = null;
    this.pump();
  }

  private onMessage(run: Running, m: FromIngestWorker): void {
    switch (m.type) {
      case 'source':
        this.jobs.update(run.jobId, { sourceId: m.sourceId });
        this.emit('sources.changed', { sourceId: m.sourceId });
        return;
      case 'progress':
        this.jobs.update(run.jobId, { ...m.progress });
        return;
      case 'done':
        if (!m.result.ok) this.end(run, { phase: 'failed', error: m.result.error });
        else this.end(run, outcomeChange(m.result.value));
        return;
    }
  }

  private end(run: Running, change: Parameters<JobRegistry['update']>[1]): void {
    const total = this.jobs.get(run.jobId)?.bytesTotal ?? 0;
    const job = this.jobs.update(run.jobId, {
      ...change, etaSeconds: change.phase === 'done' ? 0 : null, ...(change.phase === 'done' ? { bytesDone: total } : {}),
    });
    this.emit('sources.changed', { sourceId: job?.sourceId ?? null });
  }
}

function outcomeChange(o: IngestOutcome): Parameters<JobRegistry['update']>[1] {
  const first = o.warnings[0];
  const error: AppError | null =
    o.damaged && first !== undefined
      ? { code: 'corrupt', message: `${o.file}: damaged at byte offset ${first.offset} (record ${first.record}): ${first.message}; the data before it is kept` }
      : null;
  return {
    phase: o.cancelled ? 'cancelled' : 'done', sourceId: o.sourceId, packets: o.packets, warnings: o.warnings, error,
  };
}

/** The compiled worker next to this file, or its .ts source through tsx. */
function spawnIngestWorker(data: IngestWorkerData): Worker {
  return spawnModuleWorker(import.meta.url, 'ingest.worker', data);
}
