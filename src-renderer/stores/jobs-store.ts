/**
 * Long jobs as `jobs.progress` reports them, plus browser uploads that have not become a job
 * yet. Finished jobs stay a few seconds (failed and cancelled ones until dismissed) so their outcome is seen.
 */
import { create } from 'zustand';
import type { JobInfo } from '../../src-shared/api.js';
import { api, call } from '../api/client.js';
import { reportError } from './notices-store.js';
import { useSelection } from './selection-store.js';
import { useSources } from './sources-store.js';

/** A browser upload in flight. */
export interface UploadInfo {
  readonly id: number;
  readonly name: string;
  readonly loaded: number;
  readonly total: number;
}

interface JobsState {
  readonly jobs: Readonly<Record<string, JobInfo>>;
  readonly uploads: readonly UploadInfo[];
  /** Jobs whose source should be selected as soon as it is known (the user just opened them). */
  readonly follow: ReadonlySet<string>;
  load(): Promise<void>;
  update(job: JobInfo): void;
  cancel(jobId: string): Promise<void>;
  dismiss(jobId: string): void;
  followJob(jobId: string): void;
  setUpload(u: UploadInfo | null, id: number): void;
}

const DONE_LINGER_MS = 5000;

/** Jobs and uploads. */
export const useJobs = create<JobsState>()((set, get) => ({
  jobs: {},
  uploads: [],
  follow: new Set(),
  load: async () => {
    const r = await call('jobs.list', {});
    // Jobs that ended before this window opened are history, not news: show the live ones.
    if (r.ok) for (const j of r.value) if (j.phase === 'running' || j.phase === 'queued') get().update(j);
  },
  update: (job) => {
    const prev = get().jobs[job.jobId];
    set((s) => ({ jobs: { ...s.jobs, [job.jobId]: job } }));
    if (job.sourceId !== null && get().follow.has(job.jobId)) {
      useSelection.getState().selectSource(job.sourceId);
      set((s) => {
        const follow = new Set(s.follow);
        follow.delete(job.jobId);
        return { follow };
      });
    }
    const finished = job.phase === 'done' || job.phase === 'cancelled' || job.phase === 'failed';
    if (finished && prev?.phase !== job.phase) {
      void useSources.getState().load();
      // The source row is finalised just after the job's last report: read it once more.
      window.setTimeout(() => void useSources.getState().load(), 600);
      // A failed or cancelled job keeps its row (the error, or what was kept) until dismissed.
      if (job.phase === 'done') window.setTimeout(() => get().dismiss(job.jobId), DONE_LINGER_MS);
    } else if (job.sourceId !== null && job.sourceId === useSelection.getState().sourceId) {
      useSources.getState().bump();
    }
  },
  cancel: async (jobId) => {
    const r = await call('jobs.cancel', { jobId });
    if (!r.ok) reportError(r.error.message);
  },
  dismiss: (jobId) =>
    set((s) => {
      const jobs = { ...s.jobs };
      delete jobs[jobId];
      return { jobs };
    }),
  followJob: (jobId) => set((s) => ({ follow: new Set([...s.follow, jobId]) })),
  setUpload: (u, id) =>
    set((s) => ({ uploads: u === null ? s.uploads.filter((x) => x.id !== id) : [...s.uploads.filter((x) => x.id !== id), u] })),
}));

api.on('jobs.progress', (job) => useJobs.getState().update(job));
