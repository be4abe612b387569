import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ApiClient, JobInfo } from '../src-shared/api.js';
import { createDirectClient } from '../src-main/workbench/direct-client.js';
import { Workbench } from '../src-main/workbench/workbench.js';

/** A workbench on a fresh temporary workspace, with its direct client; closed and removed after the test. */
export function openBench(t: TestContext, label: string): { wb: Workbench; api: ApiClient; dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), `flowbench-wb-${label}-`));
  const db = join(dir, 'w.flowbench');
  const r = Workbench.open({ workspacePath: db, host: 'server' });
  if (!r.ok) throw new Error(r.error.message);
  t.after(async () => {
    await r.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { wb: r.value, api: createDirectClient(r.value), dir, db };
}

/** The value of a call, or a thrown error with its message. */
export async function value<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** `sources.open` as the UI calls it; resolves with the job's final jobs.progress. */
export async function openAndWait(api: ApiClient, path: string): Promise<JobInfo> {
  // Subscribe before the call: a reused file may finish before the answer arrives.
  let resolveJob!: (j: JobInfo) => void;
  const seen = new Map<string, JobInfo>();
  let wanted: string | null = null;
  const done = new Promise<JobInfo>((r) => { resolveJob = r; });
  const off = api.on('jobs.progress', (j) => {
    if (j.phase !== 'done' && j.phase !== 'cancelled' && j.phase !== 'failed') return;
    if (j.jobId === wanted) resolveJob(j);
    else seen.set(j.jobId, j);
  });
  const { jobId } = await value(api.call('sources.open', { path }));
  wanted = jobId;
  const early = seen.get(jobId);
  if (early !== undefined) resolveJob(early);
  const job = await done;
  off();
  return job;
}
