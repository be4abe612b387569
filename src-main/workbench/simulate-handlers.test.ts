import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiClient, JobInfo, SimulateRequest } from '../../src-shared/api.js';
import { openBench, value } from '../../test/workbench-client.js';

// simulate.start and sources.events through the direct client on a real workspace: the
// generator runs in its worker, the capture is ingested, the events are stored with the source.

/** Starts a simulation and resolves with its final job (subscribed before the call). */
async function simulateAndWait(api: ApiClient, req: SimulateRequest, onRunning?: (j: JobInfo) => void): Promise<JobInfo> {
  const seen = new Map<string, JobInfo>();
  let wanted: string | null = null;
  let resolveJob!: (j: JobInfo) => void;
  const done = new Promise<JobInfo>((r) => { resolveJob = r; });
  const off = api.on('jobs.progress', (j) => {
    if (j.kind !== 'simulate') return;
    const finished = j.phase === 'done' || j.phase === 'cancelled' || j.phase === 'failed';
    if (!finished) {
      if (j.jobId === wanted) onRunning?.(j);
      return;
    }
    if (j.jobId === wanted) resolveJob(j);
    else seen.set(j.jobId, j);
  });
  const { jobId } = await value(api.call('simulate.start', req));
  wanted = jobId;
  const early = seen.get(jobId);
  if (early !== undefined) resolveJob(early);
  const job = await done;
  off();
  return job;
}

test('simulate.start writes the scenario beside the workspace, opens it, and stores its events with the source', async (t) => {
  const { api, dir, db } = openBench(t, 'simulate');
  const progress: JobInfo[] = [];
  const job = await simulateAndWait(api, { scenario: 'dos', durationSeconds: 40, rate: 300, seed: 4, shape: 'flat', name: 'dos-small' }, (j) => progress.push(j));
  assert.equal(job.phase, 'done', job.error?.message);
  assert.ok(job.sourceId !== null);
  assert.ok(progress.length > 0, 'progress was reported while running');
  const pcap = join(dir, 'simulated', 'dos-small.pcapng');
  const labels = JSON.parse(readFileSync(join(dir, 'simulated', 'dos-small.labels.json'), 'utf8')) as { kind: string; from: number; to: number }[];
  assert.deepEqual(labels.map((e) => e.kind).sort(), ['syn_flood', 'udp_flood']);
  const events = await value(api.call('sources.events', { sourceId: job.sourceId }));
  assert.deepEqual(events, [...labels].sort((a, b) => a.from - b.from));
  const source = await value(api.call('sources.get', { sourceId: job.sourceId }));
  assert.equal(source.path, pcap);
  assert.equal(source.status, 'complete');
  // The workspace file agrees with what the job and the API report.
  const sql = new Database(db, { readonly: true });
  t.after(() => sql.close());
  const row = sql.prepare('SELECT packets, bytes FROM sources WHERE id = ?').get(job.sourceId) as { packets: number; bytes: number };
  assert.equal(source.packets, row.packets);
  assert.equal(job.packets, row.packets);
  const stored = sql.prepare('SELECT COUNT(*) AS n FROM source_events WHERE source_id = ?').get(job.sourceId) as { n: number };
  assert.equal(stored.n, 2);
  // Another source has no events; removing the source removes its events.
  await value(api.call('sources.remove', { sourceId: job.sourceId }));
  const left = sql.prepare('SELECT COUNT(*) AS n FROM source_events').get() as { n: number };
  assert.equal(left.n, 0);
});

test('simulate.start refuses bad arguments and an existing name, naming the field', async (t) => {
  const { api } = openBench(t, 'simulate-bad');
  const bad = async (req: unknown, field: RegExp): Promise<void> => {
    const r = await api.call('simulate.start', req as SimulateRequest);
    assert.ok(!r.ok, JSON.stringify(req));
    assert.match(r.error.message, field);
  };
  await bad({ scenario: 'ddos', durationSeconds: 10, name: 'x' }, /scenario: must be one of baseline, dos/);
  await bad({ scenario: 'dos', durationSeconds: 0, name: 'x' }, /durationSeconds: must be between 1 and 86400/);
  await bad({ scenario: 'dos', durationSeconds: 10, rate: 0, name: 'x' }, /rate: must be between 1/);
  await bad({ scenario: 'dos', durationSeconds: 10, shape: 'sine', name: 'x' }, /shape: must be one of diurnal, step, flat/);
  await bad({ scenario: 'dos', durationSeconds: 10, name: '../escape' }, /name: must be 1 to 121 letters/);
  await bad({ scenario: 'dos', durationSeconds: 10 }, /name: must be a string/);
  const first = await simulateAndWait(api, { scenario: 'baseline', durationSeconds: 5, rate: 100, name: 'twice.pcapng' });
  assert.equal(first.phase, 'done', first.error?.message);
  await bad({ scenario: 'baseline', durationSeconds: 5, rate: 100, name: 'twice' }, /name: .*twice\.pcapng exists already/);
  const unknown = await api.call('sources.events', { sourceId: 999 });
  assert.ok(!unknown.ok && /sourceId: no source 999/.test(unknown.error.message));
});

test('cancelling a simulation stops the generator and removes the partial capture', async (t) => {
  const { api, dir } = openBench(t, 'simulate-cancel');
  let cancelled = false;
  const job = await simulateAndWait(api, { scenario: 'mixed', durationSeconds: 86400, rate: 2000, name: 'long' }, (j) => {
    if (!cancelled && j.packets > 0) {
      cancelled = true;
      void api.call('jobs.cancel', { jobId: j.jobId });
    }
  });
  assert.equal(job.phase, 'cancelled');
  assert.ok(job.sourceId === null, 'no source was opened');
  assert.deepEqual(readdirSync(join(dir, 'simulated')), [], 'no partial capture or label file kept');
  assert.ok(!existsSync(join(dir, 'simulated', 'long.pcapng')));
  const sources = await value(api.call('sources.list', {}));
  assert.equal(sources.length, 0);
});
