import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient, JobInfo } from '../../src-shared/api.js';
import type { AnomalyDetectResult } from '../../src-shared/anomaly-api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';

// Anomaly and classify models through the workbench (validation, ML worker, SQLite, model
// folders, export/import) on real data: a NAB network series and nDPI corpus captures.
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv');

function trainAndWait(api: ApiClient, req: Record<string, unknown>, timeoutMs = 120_000): Promise<{ job: JobInfo; modelId: number }> {
  return new Promise((resolve, reject) => {
    let jobId: string | null = null;
    let modelId = 0;
    const seen = new Map<string, JobInfo>();
    const timer = setTimeout(() => reject(new Error(`training did not finish in ${timeoutMs} ms`)), timeoutMs);
    const end = (j: JobInfo): void => {
      clearTimeout(timer);
      off();
      resolve({ job: j, modelId });
    };
    const off = api.on('jobs.progress', (j) => {
      if (j.phase !== 'done' && j.phase !== 'cancelled' && j.phase !== 'failed') return;
      if (j.jobId === jobId) end(j);
      else seen.set(j.jobId, j);
    });
    void value(api.call('models.train', req as never)).then((s) => {
      jobId = s.jobId;
      modelId = s.modelId;
      const early = seen.get(s.jobId);
      if (early !== undefined) end(early);
    }, reject);
  });
}

test('anomaly model: trained in the ML worker, listed, detects by modelId, export → import gives the same scores, flags stored', async (t) => {
  const { api, dir } = openBench(t, 'anomaly-model');
  const opened = await openAndWait(api, NAB);
  assert.equal(opened.phase, 'done', JSON.stringify(opened.error));
  const sourceId = opened.sourceId as number;

  const bad = await api.call('models.train', { task: 'anomaly', sourceId, lookback: 3 } as never);
  assert.ok(!bad.ok && /lookback: unknown field/.test(bad.error.message));

  const { job, modelId } = await trainAndWait(api, { task: 'anomaly', sourceId, contamination: 0.05, seed: 7 });
  assert.equal(job.phase, 'done', JSON.stringify(job.error));
  const info = (await value(api.call('models.list', {}))).find((m) => m.id === modelId);
  assert.equal(info?.task, 'anomaly');
  assert.equal(info?.status, 'ready');
  const detail = await value(api.call('models.get', { modelId }));
  assert.equal(detail.classification, null);
  const ev = detail.anomaly;
  assert.ok(ev !== null);
  assert.equal(ev.trainingWindows, 4032);
  assert.equal(ev.resolution, 300);
  assert.equal(ev.contamination, 0.05);
  // The threshold is the 95th percentile of the training scores: about 5 % flagged.
  assert.ok(ev.flagShare > 0.04 && ev.flagShare <= 0.051, `flag share ${ev.flagShare}`);

  const byModel = await value(api.call('anomalies.detect', { sourceId, modelId }));
  assert.equal(byModel.modelId, modelId);
  assert.equal(byModel.threshold, ev.threshold);
  assert.equal(byModel.anomalies.length, ev.flagged);
  // The fitted-on-the-fly detection with the same seed and contamination flags the same windows.
  const fitted = await value(api.call('anomalies.detect', { sourceId, contamination: 0.05, seed: 7 }));
  assert.deepEqual(fitted.anomalies.map((a) => a.t), byModel.anomalies.map((a) => a.t));
  const refused = await api.call('anomalies.detect', { sourceId, modelId, contamination: 0.1 });
  assert.ok(!refused.ok && /contamination: comes from the model/.test(refused.error.message));

  const out = join(dir, 'exported');
  mkdirSync(out);
  const exported = await value(api.call('models.export', { modelId, directory: out }));
  assert.deepEqual(readdirSync(exported.path).sort(), ['model.json', 'preprocessing.json', 'report.json']);
  const zip = await value(api.call('models.export', { modelId, directory: join(dir, 'anomaly.zip') }));
  for (const path of [exported.path, zip.path]) {
    const imported = await value(api.call('models.import', { path }));
    assert.equal(imported.task, 'anomaly');
    assert.equal(imported.sourceId, sourceId); // matched by the file identity in report.json
    const again = await value(api.call('anomalies.detect', { sourceId, modelId: imported.id }));
    assertSameScores(again, byModel);
  }

  // A broken folder: the error names the file and the field.
  writeFileSync(join(exported.path, 'preprocessing.json'), JSON.stringify({ formatVersion: 1, task: 'anomaly', threshold: 'high' }));
  const broken = await api.call('models.import', { path: exported.path });
  assert.ok(!broken.ok);
  assert.match(broken.error.message, /exported.*preprocessing\.json: threshold: must be a number/);
  rmSync(join(exported.path, 'model.json'));
  const missing = await api.call('models.import', { path: exported.path });
  assert.ok(!missing.ok && /model\.json: missing \(a anomaly model folder holds/.test(missing.error.message), !missing.ok ? missing.error.message : '');

  // Removing the model removes its stored flags.
  await value(api.call('models.remove', { modelId }));
  const gone = await api.call('anomalies.detect', { sourceId, modelId });
  assert.ok(!gone.ok && /no model/.test(gone.error.message));
  assert.ok(existsSync(join(dir, 'w.flowbench')));
});

function assertSameScores(a: AnomalyDetectResult, b: AnomalyDetectResult): void {
  assert.equal(a.windows, b.windows);
  assert.equal(a.anomalies.length, b.anomalies.length);
  a.anomalies.forEach((x, i) => {
    const y = b.anomalies[i];
    assert.equal(x.t, y?.t);
    assert.ok(Math.abs(x.score - (y?.score ?? NaN)) <= 1e-6, `window ${x.t}: ${x.score} vs ${y?.score}`);
    assert.ok(Math.abs(x.probability - (y?.probability ?? NaN)) <= 1e-6);
  });
}

test('classify model: trains on corpus captures grouped by file, applies to a source (flows.page shows the label), traffic.classify, export → import same predictions', async (t) => {
  const { api, dir } = openBench(t, 'classify-model');
  const ids: number[] = [];
  for (const f of ['ndpi__netflix.pcap', 'ndpi__signal.pcap', 'ndpi__reddit.pcap']) {
    const j = await openAndWait(api, join(corpusDir, 'pcap', f));
    assert.equal(j.phase, 'done', `${f}: ${JSON.stringify(j.error)}`);
    ids.push(j.sourceId as number);
  }
  const bad = await api.call('models.train', { task: 'classify', sourceIds: [ids[0] as number, 99999] });
  assert.ok(!bad.ok && /sourceIds\[1\]: no source 99999/.test(bad.error.message), !bad.ok ? bad.error.message : '');
  const epochs: number[] = [];
  const off = api.on('training.epoch', (e) => epochs.push(e.epoch));
  const { job, modelId } = await trainAndWait(api, { task: 'classify', sourceIds: ids, epochs: 3, seed: 3 }, 240_000);
  off();
  assert.equal(job.phase, 'done', JSON.stringify(job.error));
  assert.ok(epochs.length >= 3, `epochs seen ${epochs.length}`);
  // 3 folds + the final model, 3 epochs each: one event per epoch, counted 1..12 in order.
  assert.deepEqual(epochs, Array.from({ length: 12 }, (_, i) => i + 1), 'epoch numbers run 1..12 across folds and the final fit');
  const d = await value(api.call('models.get', { modelId }));
  assert.equal(d.task, 'classify');
  const c = d.classification;
  assert.ok(c !== null);
  assert.equal(c.folds, 3);
  assert.ok(c.flows >= 20);
  assert.equal(c.confusion.length, c.classes.length);
  const supports = c.perClass.reduce((s, x) => s + x.support, 0);
  assert.equal(supports, c.flows);
  assert.ok(c.macroF1 !== null && c.macroF1 >= 0 && c.macroF1 <= 1);
  // Every training label came from the rules here, so the rules alone score 1 on them.
  assert.equal(c.labelSources.user, 0);
  assert.equal(c.rulesBaselineMacroF1, 1);
  assert.ok(c.importance.length > 0);

  const applied = await value(api.call('flows.classify', { modelId, sourceId: ids[0] as number }));
  const page = await value(api.call('flows.page', { sourceId: ids[0] as number, limit: 5000, offset: 0 }));
  assert.equal(applied.flows, page.total);
  assert.equal(applied.counts.reduce((s, x) => s + x.count, 0), applied.flows);
  const modelRows = page.rows.filter((r) => r.label_source === 'model');
  assert.ok(modelRows.length > 0);
  for (const r of modelRows) assert.ok(typeof r.confidence === 'number' && r.confidence > 0 && r.confidence <= 1);

  const flow = await value(api.call('flows.get', { flowId: page.rows[0]?.id as number }));
  const behaviour = {
    proto: flow.proto, duration: flow.duration, fwd_packets: flow.fwd_packets, bwd_packets: flow.bwd_packets, fwd_bytes: flow.fwd_bytes,
    bwd_bytes: flow.bwd_bytes, fwd_header_bytes: flow.fwd_header_bytes, bwd_header_bytes: flow.bwd_header_bytes, pkt_len: flow.pkt_len,
    fwd_pkt_len: flow.fwd_pkt_len, bwd_pkt_len: flow.bwd_pkt_len, iat: flow.iat, fwd_iat: flow.fwd_iat, bwd_iat: flow.bwd_iat,
    syn_count: flow.syn_count, fin_count: flow.fin_count, rst_count: flow.rst_count, psh_count: flow.psh_count, ack_count: flow.ack_count,
    urg_count: flow.urg_count, handshake_rtt: flow.handshake_rtt, early_packets: flow.early_packets,
  };
  const one = await value(api.call('traffic.classify', { flows: [behaviour] }));
  assert.equal(one.modelId, modelId); // the newest ready classify model by default
  const stored = page.rows[0];
  if (stored?.label_source === 'model') {
    assert.equal(one.predictions[0]?.label, stored.label);
    assert.ok(Math.abs((one.predictions[0]?.confidence ?? 0) - (stored.confidence ?? 0)) <= 1e-6);
  }

  const zip = await value(api.call('models.export', { modelId, directory: join(dir, 'classify.zip') }));
  const imported = await value(api.call('models.import', { path: zip.path }));
  assert.equal(imported.task, 'classify');
  const again = await value(api.call('traffic.classify', { modelId: imported.id, flows: [behaviour] }));
  assert.equal(again.predictions[0]?.label, one.predictions[0]?.label);
  assert.ok(Math.abs((again.predictions[0]?.confidence ?? 0) - (one.predictions[0]?.confidence ?? 0)) <= 1e-6);

  const notForecast = await api.call('models.forecast', { modelId });
  assert.ok(!notForecast.ok && /modelId: model \d+ is a classify model, not a forecast model/.test(notForecast.error.message));

  // A folder whose preprocessing.json lost its classes, or whose weights do not fit model.json: refused, naming file and field.
  const folder = await value(api.call('models.export', { modelId, directory: dir }));
  const prepPath = join(folder.path, 'preprocessing.json');
  const prep = JSON.parse(readFileSync(prepPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(prepPath, JSON.stringify({ ...prep, classes: 'web' }));
  const noClasses = await api.call('models.import', { path: folder.path });
  assert.ok(!noClasses.ok);
  assert.match(noClasses.error.message, /preprocessing\.json: classes: /);
  writeFileSync(prepPath, JSON.stringify(prep));
  writeFileSync(join(folder.path, 'weights.bin'), Buffer.alloc(12));
  const badWeights = await api.call('models.import', { path: folder.path });
  assert.ok(!badWeights.ok);
  assert.match(badWeights.error.message, /weights\.bin: 12 bytes, model\.json's weightsManifest needs \d+/);

  const wrong = await api.call('flows.classify', { modelId, sourceId: 4242 });
  assert.ok(!wrong.ok && /sourceId: no source 4242/.test(wrong.error.message));
});

test('classify training cancels between batches: the job ends cancelled and the model failed with the reason', async (t) => {
  const { api } = openBench(t, 'classify-cancel');
  const ids: number[] = [];
  for (const f of ['ndpi__netflix.pcap', 'ndpi__reddit.pcap']) ids.push((await openAndWait(api, join(corpusDir, 'pcap', f))).sourceId as number);
  let jobId = '';
  const first = new Promise<void>((resolve) => {
    const off = api.on('training.epoch', (e) => {
      if (e.jobId !== jobId) return;
      off();
      resolve();
    });
  });
  const done = trainAndWait(api, { task: 'classify', sourceIds: ids, epochs: 200 }, 120_000);
  // The job id arrives with models.train's answer; the first epoch event follows it.
  for (let i = 0; i < 200 && jobId === ''; i++) {
    const jobs = await value(api.call('jobs.list', {}));
    jobId = jobs.find((j) => j.kind === 'train' && j.phase === 'running')?.jobId ?? '';
    if (jobId === '') await new Promise((r) => setTimeout(r, 25));
  }
  await first;
  await value(api.call('jobs.cancel', { jobId }));
  const { job, modelId } = await done;
  assert.equal(job.phase, 'cancelled');
  const m = await value(api.call('models.get', { modelId }));
  assert.equal(m.status, 'failed');
  assert.match(m.error ?? '', /cancelled/);
  assert.ok(m.history.length >= 1 && m.history.length < 200 * 3, `${m.history.length} epochs recorded`);
});
