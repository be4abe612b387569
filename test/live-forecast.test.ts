/**
 * Live inference end to end on the loopback interface, with traffic the test makes itself (UDP
 * to 127.0.0.1 on its own port), bounded in count and time: a forecast model trained at 1 s on
 * a generated capture (`flowbench simulate`, flat rate) runs on a live capture through
 * `models.live`; `models.livePrediction` arrives for every second, the H windows ahead follow
 * the window, each window's actual equals the capture's stored window, and windows whose
 * residual leaves the validation band — the burst the test sends — are marked.
 * Skipped, with the reason, when lo cannot be opened.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { JobInfo } from '../src-shared/api.js';
import type { LivePrediction, ModelDetail } from '../src-shared/models-api.js';
import { simulate } from '../src-main/simulate/simulator.js';
import { WindowsRepo } from '../src-main/store/windows-repo.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { LO, loopbackSkipReason } from './loopback-probe.js';
import { openAndWait, openBench, value } from './workbench-client.js';

const skipReason = await loopbackSkipReason();
const LOOKBACK = 5;
const HORIZON = 3;
/** Steady datagrams per second, and the one-second burst. */
const STEADY = 15;
const BURST = 600;
const PAYLOAD = 400;

test('a 1 s forecast model runs live on a loopback capture: a prediction per second, H ahead, out-of-band windows marked', { skip: skipReason, timeout: 120_000 }, async (t) => {
  const { api, dir, db } = openBench(t, 'live-forecast');
  // 1. A model trained at 1 s on a small generated capture (about 20 packets/s, flat).
  const pcap = join(dir, 'baseline.pcapng');
  const sim = simulate({ scenario: 'baseline', duration: 240, out: pcap, rate: 20, seed: 5, shape: 'flat' });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
  const opened = await openAndWait(api, pcap);
  assert.equal(opened.phase, 'done', opened.error?.message);
  const sourceId = opened.sourceId;
  assert.ok(sourceId !== null);
  const trained = await jobEnd(api, async () => value(api.call('models.train', { task: 'forecast', sourceId, resolution: 1, lookback: LOOKBACK, horizon: HORIZON, epochs: 3 })));
  assert.equal(trained.job.phase, 'done', trained.job.error?.message);
  const modelId = trained.started.modelId;
  const model: ModelDetail = await value(api.call('models.get', { modelId }));
  assert.equal(model.resolution, 1);
  const band = model.report['band'] as { low: number; high: number };
  assert.ok(Number.isFinite(band.low) && Number.isFinite(band.high) && band.low < band.high);

  // 2. A capture on lo of the test's own UDP port, the model live on it.
  const receiver = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  t.after(() => receiver.close());
  const port = receiver.address().port;
  const events: { p: LivePrediction; at: number }[] = [];
  const off = api.on('models.livePrediction', (p) => events.push({ p, at: Date.now() }));
  t.after(off);
  const capture = await value(api.call('capture.start', { interface: LO, filter: `udp and dst port ${port}`, durationSeconds: 60 }));
  t.after(() => void api.call('capture.stop', { jobId: capture.jobId }));
  const started = Date.now();
  await value(api.call('models.live', { modelId, captureJobId: capture.jobId }));
  assert.match((await api.call('models.live', { modelId: modelId + 99, captureJobId: capture.jobId })).ok ? '' : 'refused', /refused/);

  // 3. Steady traffic, one burst once the lookback is full, steady again; bounded to 30 s.
  const sender = dgram.createSocket('udp4');
  t.after(() => sender.close());
  const send = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise<void>((resolve, reject) => sender.send(Buffer.alloc(PAYLOAD, i), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  };
  let burst: { from: number; to: number } | null = null;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const withPrediction = events.filter((e) => e.p.predictedNow !== null).length;
    if (burst === null && withPrediction >= 2) {
      const from = Date.now() / 1000;
      await send(BURST);
      burst = { from: Math.floor(from), to: Math.floor(Date.now() / 1000) };
    } else {
      await send(STEADY);
    }
    if (burst !== null && events.some((e) => e.p.t >= (burst?.to ?? 0) + HORIZON)) break;
    await sleep(1000);
  }
  const stopped = jobEnd(api, () => Promise.resolve({ jobId: capture.jobId }));
  await value(api.call('capture.stop', { jobId: capture.jobId }));
  const captureJob = (await stopped).job;
  off();
  assert.ok(burst !== null, `the lookback never filled: ${events.length} predictions in 30 s`);
  const sent = burst;

  // 4. One prediction per 1 s window, in order, without gaps, about once a second.
  const ps = events.map((e) => e.p);
  assert.ok(ps.length >= LOOKBACK + 4, `${ps.length} predictions`);
  for (let i = 1; i < ps.length; i++) assert.equal(ps[i]?.t, (ps[i - 1]?.t ?? 0) + 1, `prediction ${i} follows the window before`);
  assert.ok((ps[0]?.t ?? 0) >= Math.floor(started / 1000), 'the first window starts after models.live');
  const span = ((events[events.length - 1]?.at ?? 0) - (events[0]?.at ?? 0)) / 1000;
  assert.ok(span >= (ps.length - 1) * 0.5 && span <= (ps.length - 1) * 2, `${ps.length} predictions over ${span.toFixed(1)} s`);
  // 5. H windows ahead of each window; the one-step prediction once L windows are in.
  for (const [i, p] of ps.entries()) {
    assert.equal(p.modelId, modelId);
    assert.equal(p.captureJobId, capture.jobId);
    // The ahead needs L windows (window t and the L − 1 before it); predictedNow needs L before t.
    const ahead = i >= LOOKBACK - 1 ? HORIZON : 0;
    assert.deepEqual(p.ahead.t, Array.from({ length: ahead }, (_, h) => p.t + h + 1), `window ${p.t}: the windows ahead`);
    assert.equal(p.ahead.predicted.length, ahead);
    assert.ok(p.ahead.predicted.every((v) => Number.isFinite(v)), `window ${p.t}: ahead is finite`);
    if (i < LOOKBACK) assert.equal(p.predictedNow, null, `window ${p.t}: no prediction before the lookback is full`);
    else assert.ok(p.predictedNow !== null && Number.isFinite(p.predictedNow), `window ${p.t}: predicted`);
  }
  // 6. Each actual is the capture's stored window (0 where the window had no packets).
  const sid = captureJob.sourceId;
  assert.ok(sid !== null);
  const ws = openWorkspace(db);
  assert.ok(ws.ok);
  const stored = new Map(new WindowsRepo(ws.value.db).page(sid, 1, {}).map((r) => [r.t, r.bytes_per_second]));
  ws.value.close();
  for (const p of ps) assert.equal(p.actual, stored.get(p.t) ?? 0, `window ${p.t}: actual`);
  // 7. Out of band exactly when the residual leaves the validation band; the burst does.
  for (const p of ps) {
    const r = p.actual !== null && p.predictedNow !== null ? p.actual - p.predictedNow : null;
    assert.equal(p.outOfBand, r !== null && (r < band.low || r > band.high), `window ${p.t}: outOfBand`);
  }
  const inBurst = ps.filter((p) => p.t >= sent.from && p.t <= sent.to);
  const peak = inBurst.reduce((a, p) => ((p.actual ?? 0) > (a.actual ?? 0) ? p : a), inBurst[0] as LivePrediction);
  assert.ok((peak.actual ?? 0) >= (BURST / 2) * PAYLOAD, `the burst window holds the burst (${peak.actual ?? 0} B/s)`);
  assert.equal(peak.outOfBand, true, `the burst window ${peak.t} (actual ${peak.actual ?? 0}, predicted ${peak.predictedNow ?? 'none'}, band ${band.low}…${band.high}) is marked`);
  t.diagnostic(`${ps.length} predictions over ${span.toFixed(1)} s; band ${band.low.toFixed(0)}…${band.high.toFixed(0)} B/s; marked: ${ps.filter((p) => p.outOfBand).map((p) => `${p.t} (${p.actual ?? 0} vs ${Math.round(p.predictedNow ?? 0)})`).join(', ')}`);
});

/** Runs `start` and resolves with the started value and its job's final jobs.progress (60 s at most). */
async function jobEnd<T extends { jobId: string }>(api: ReturnType<typeof openBench>['api'], start: () => Promise<T>): Promise<{ started: T; job: JobInfo }> {
  const seen = new Map<string, JobInfo>();
  let wanted: string | null = null;
  let resolveJob!: (j: JobInfo) => void;
  const done = new Promise<JobInfo>((r) => { resolveJob = r; });
  const off = api.on('jobs.progress', (j) => {
    if (j.phase !== 'done' && j.phase !== 'cancelled' && j.phase !== 'failed') return;
    if (j.jobId === wanted) resolveJob(j);
    else seen.set(j.jobId, j);
  });
  const started = await start();
  wanted = started.jobId;
  const early = seen.get(started.jobId);
  if (early !== undefined) resolveJob(early);
  const timer = setTimeout(() => resolveJob({ jobId: started.jobId, phase: 'failed', error: { code: 'internal', message: 'job did not end in 60 s' } } as JobInfo), 60_000);
  const job = await done;
  clearTimeout(timer);
  off();
  return { started, job };
}
