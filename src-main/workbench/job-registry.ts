/**
 * The workbench's jobs (ingests and captures): their latest JobInfo, kept for `jobs.list`, and
 * the one place a job's change becomes a `jobs.progress` event.
 */
import type { EventName, Events, JobInfo, JobKind } from '../../src-shared/api.js';

/** Pushes an event to every listener of the workbench. */
export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Finished jobs kept for `jobs.list`. */
const KEEP_FINISHED = 50;

/** True for a phase a job never leaves. */
export function isFinished(job: JobInfo): boolean {
  return job.phase === 'done' || job.phase === 'cancelled' || job.phase === 'failed';
}

/** The jobs of one workbench. */
export class JobRegistry {
  private readonly jobs = new Map<string, JobInfo>();
  private next = 1;

  constructor(private readonly emit: Emit) {}

  /** Registers a new job (phase `queued`), emits it, and returns it. */
  create(kind: JobKind, label: string, bytesTotal = 0): JobInfo {
    const job: JobInfo = {
      jobId: `${kind}-${this.next++}`, kind, label, phase: 'queued', sourceId: null, bytesDone: 0, bytesTotal,
      packets: 0, packetsPerSecond: 0, etaSeconds: null, startedAt: Date.now(), error: null, warnings: [],
    };
    this.jobs.set(job.jobId, job);
    this.prune();
    this.emit('jobs.progress', job);
    return job;
  }

  /** Applies a change to a job and emits the new state; a finished job no longer changes. */
  update(jobId: string, change: Partial<Omit<JobInfo, 'jobId' | 'kind'>>): JobInfo | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined || isFinished(job)) return job;
    const next: JobInfo = { ...job, ...change };
    this.jobs.set(jobId, next);
    this.emit('jobs.progress', next);
    return next;
  }

  /** One job by id. */
  get(jobId: string): JobInfo | undefined {
    return this.jobs.get(jobId);
  }

  /** Every job kept, newest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()].reverse();
  }

  /** True when an unfinished job writes this source. */
  busy(sourceId: number): boolean {
    return [...this.jobs.values()].some((j) => j.sourceId === sourceId && !isFinished(j));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter(isFinished);
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.jobId);
  }
}
