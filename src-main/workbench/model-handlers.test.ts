import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ApiClient, JobInfo } from '../../src-shared/api.js';
import type { ForecastSeries, ModelDetail, TrainingEpoch } from '../../src-shared/models-api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { importSeries } from '../ingest/series-import.js';
import { openWorkspace } from '../store/workspace.js';
import { createDirectClient } from './direct-client.js';
import { value } from '../../test/workbench-client.js';
import { Workbench } from './workbench.js';

// Forecast models through the workbench (validation, ML worker, SQLite, model folders) on a
// real NAB network series: ec2_network_in_257a54 (5-minute samples). Small settings keep each
// run a few seconds: the first 1 200 samples, lookback 12, horizon 3, two epochs.
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv');
const FIRST = Date.parse('2014-04-10T00:04:00Z') / 1000;
const SMALL = { task: 'forecast', lookback: 12, horizon: 3, epochs: 2, to: FIRST + 1200 * 300 } as const;

async function openWithSeries(t: TestContext): Promise<{ api: ApiClient; dir: string; sourceId: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-models-'));
  const db = join(dir, 'w.flowbench');
  const ws = openWorkspace(db);
  if (!ws.ok) throw new Error(ws.error.message);
  const imp = await importSeries(ws.value.db, NAB);
  ws.value.close();
  if (!imp.ok) throw new Error(imp.error.message);
  const r = Workbench.open({ workspacePath: db, host: 'server' });
  if (!r.ok) throw new Error(r.error.message);
  t.after(async () => {
    await r.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { api: createDirectClient(r.value), dir, sourceId: imp.value.sourceId };
}

function finished(api: ApiClient, jobId: () => string | null, timeoutMs = 60_000): Promise<JobInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`training did not finish in ${timeoutMs} ms`)), timeoutMs);
    const off = api.on('jobs.progress', (j) => {
      if (j.jobId === jobId() && (j.phase === 'done' || j.phase === 'cancelled' || j.phase === 'failed')) {
        clearTimeout(timer);
        off();
        resolve(j);
      }
    });
  });
}

async function trainAndWait(api: ApiClient, req: Record<string, unknown>, onEpoch?: (e: TrainingEpoch, jobId: string) => void): Promise<{ job: JobInfo; modelId: number }> {
  let jobId: string | null = null;
  const off = api.on('training.epoch', (e) => onEpoch?.(e, e.jobId));
  const done = finished(api, () => jobId);
  const started = await value(api.call('models.train', req as never));
  jobId = started.jobId;
  const job = await done;
  off();
  return { job, modelId: started.modelId };
}

test('train on a real NAB series: finite metrics beside baselines, saved files, forecast, export and import predict the same numbers', async (t) => {
  const { api, dir, sourceId } = await openWithSeries(t);
  const epochs: TrainingEpoch[] = [];
  const { job, modelId } = await trainAndWait(api, { ...SMALL, sourceId }, (e) => epochs.push(e));
  assert.equal(job.phase, 'done', job.error?.message);
  assert.equal(job.kind, 'train');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
  assert.ok(epochs.every((e) => Number.isFinite(e.loss) && e.valLoss !== null && Number.isFinite(e.valLoss) && e.modelId === modelId));

  const list = await value(api.call('models.list', {}));
  assert.equal(list.length, 1);
  const m: ModelDetail = await value(api.call('models.get', { modelId }));
  assert.equal(m.status, 'ready');
  assert.equal(m.target, 'value');
  assert.equal(m.resolution, 300);
  assert.ok(m.backend === 'wasm' || m.backend === 'cpu' || m.backend === 'tensorflow');
  const ev = m.evaluation;
  assert.ok(ev !== null);
  for (const s of [ev.model, ev.persistence]) for (const v of [s.mae, s.rmse, s.smape, s.skill]) assert.ok(Number.isFinite(v));
  assert.equal(ev.persistence.skill, 0);
  // 1 200 windows span 4 days: a daily season of 288 windows exists.
  assert.equal(ev.seasonWindows, 288);
  assert.ok(ev.seasonalNaive !== null && Number.isFinite(ev.seasonalNaive.rmse));
  assert.equal(ev.points, 1200 - Math.floor(1200 * 0.85));
  assert.deepEqual(m.history.map((h) => h.epoch), [1, 2]);
  assert.deepEqual((m.report['features'] as string[]).slice(0, 2), ['value', 'd_value']);
  const modelDir = join(dir, 'models', String(modelId));
  assert.deepEqual(readdirSync(modelDir).sort(), ['model.json', 'preprocessing.json', 'report.json', 'weights.bin']);
  const prep = JSON.parse(readFileSync(join(modelDir, 'preprocessing.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(prep['formatVersion'], 1);
  assert.equal(prep['lookback'], 12);
  assert.equal(prep['horizon'], 3);
  assert.equal(prep['extractor'], 'flowbench-ingest/1');
  const report = JSON.parse(readFileSync(join(modelDir, 'report.json'), 'utf8')) as { source: { headSha256: string; path: string } };
  assert.match(report.source.headSha256, /^[0-9a-f]{64}$/);
  assert.equal(report.source.path, NAB);

  const range = { from: FIRST, to: FIRST + 1200 * 300 };
  const before: ForecastSeries = await value(api.call('models.forecast', { modelId, ...range }));
  assert.equal(before.t.length, 1200);
  assert.equal(before.predicted.filter((p) => p !== null).length, 1200 - 12);
  assert.equal(before.ahead.t.length, 3);
  assert.equal(before.ahead.t[0], FIRST + 1200 * 300);
  assert.ok(before.band.low < before.band.high);

  const out = mkdtempSync(join(tmpdir(), 'flowbench-export-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const folder = await value(api.call('models.export', { modelId, directory: out }));
  const zip = await value(api.call('models.export', { modelId, directory: join(out, 'model.zip') }));
  for (const path of [folder.path, zip.path]) {
    const imported = await value(api.call('models.import', { path }));
    assert.equal(imported.sourceId, sourceId, 'the source is recognised by its head hash');
    const after = await value(api.call('models.forecast', { modelId: imported.id, ...range }));
    assert.equal(after.predicted.length, before.predicted.length);
    for (let i = 0; i < before.predicted.length; i++) {
      const a = before.predicted[i];
      const b = after.predicted[i];
      if (a === null || a === undefined) assert.equal(b, null);
      else assert.ok(b !== null && b !== undefined && Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a)), `window ${i}: ${a} vs ${String(b)}`);
    }
    assert.deepEqual(after.ahead, before.ahead);
  }
  assert.equal((await value(api.call('models.list', {}))).length, 3);
  const renamed = await value(api.call('models.rename', { modelId, name: 'ec2 in' }));
  assert.equal(renamed.name, 'ec2 in');
  await value(api.call('models.remove', { modelId }));
  assert.equal(existsSync(modelDir), false);
  assert.equal((await api.call('models.get', { modelId })).ok, false);
});

test('cancel mid-training keeps the best model so far, and it forecasts', async (t) => {
  const { api, sourceId } = await openWithSeries(t);
  let cancelled = false;
  const { job, modelId } = await trainAndWait(api, { ...SMALL, epochs: 200, sourceId }, (e, jobId) => {
    if (!cancelled && e.epoch === 1) {
      cancelled = true;
      void api.call('jobs.cancel', { jobId });
    }
  });
  assert.equal(job.phase, 'cancelled');
  const m = await value(api.call('models.get', { modelId }));
  assert.equal(m.status, 'ready');
  assert.ok(m.history.length >= 1 && m.history.length < 200);
  assert.equal((m.report['training'] as { stoppedBy: string }).stoppedBy, 'cancelled');
  assert.ok(m.evaluation !== null && Number.isFinite(m.evaluation.model.rmse));
  const f = await value(api.call('models.forecast', { modelId, from: FIRST, to: FIRST + 600 * 300 }));
  assert.ok(f.predicted.slice(12).every((p) => p !== null && Number.isFinite(p)));
});

test('bad model folders and requests give errors naming the file or field', async (t) => {
  const { api, dir, sourceId } = await openWithSeries(t);
  const { job, modelId } = await trainAndWait(api, { ...SMALL, epochs: 1, sourceId });
  assert.equal(job.phase, 'done');
  const good = join(dir, 'models', String(modelId));
  const variant = (name: string, change: (d: string) => void): string => {
    const d = join(dir, 'bad', name);
    mkdirSync(d, { recursive: true });
    cpSync(good, d, { recursive: true });
    change(d);
    return d;
  };
  const editJson = (d: string, file: string, f: (o: Record<string, unknown>) => void): void => {
    const o = JSON.parse(readFileSync(join(d, file), 'utf8')) as Record<string, unknown>;
    f(o);
    writeFileSync(join(d, file), JSON.stringify(o));
  };
  const cases: [string, string, RegExp][] = [
    ['missing', variant('missing', (d) => rmSync(join(d, 'weights.bin'))), /weights\.bin: missing/],
    ['version', variant('version', (d) => editJson(d, 'preprocessing.json', (o) => { o['formatVersion'] = 99; })), /preprocessing\.json: formatVersion 99, this Flowbench reads 1/],
    ['report version', variant('report', (d) => editJson(d, 'report.json', (o) => { o['formatVersion'] = 2; })), /report\.json: formatVersion 2/],
    ['features', variant('features', (d) => editJson(d, 'preprocessing.json', (o) => { (o['features'] as unknown[]).pop(); })), /preprocessing\.json: features: 3 inputs over lookback 12, but model\.json expects \[12, 4\]/],
    ['target', variant('target', (d) => editJson(d, 'preprocessing.json', (o) => { o['target'] = 'packets'; })), /preprocessing\.json: features\[0\]: must be the target packets/],
    ['not json', variant('json', (d) => writeFileSync(join(d, 'report.json'), '{oops')), /report\.json: not valid JSON/],
    ['not a folder', join(dir, 'nothing-here'), /does not exist/],
  ];
  writeFileSync(join(dir, 'bad.zip'), 'PK not really');
  cases.push(['bad zip', join(dir, 'bad.zip'), /bad\.zip: not a ZIP archive/]);
  for (const [what, path, message] of cases) {
    const r = await api.call('models.import', { path });
    assert.match(r.ok ? `${what}: imported` : r.error.message, message, what);
  }
  const bad = await api.call('models.train', { task: 'forecast', sourceId, lookback: 0 });
  assert.match(bad.ok ? '' : bad.error.message, /lookback: must be between 1 and 1024/);
  const noTask = await api.call('models.train', { sourceId } as never);
  assert.match(noTask.ok ? '' : noTask.error.message, /task: must be one of forecast/);
  let failedJob: string | null = null;
  const failing = finished(api, () => failedJob);
  const noTarget = await value(api.call('models.train', { task: 'forecast', sourceId, target: 'tcp_rtt_ms' }));
  failedJob = noTarget.jobId;
  assert.equal((await failing).phase, 'failed');
  const m = await value(api.call('models.get', { modelId: noTarget.modelId }));
  assert.equal(m.status, 'failed');
  assert.match(m.error ?? '', /target: source \d+ has no values of tcp_rtt_ms/);
  const live = await api.call('models.live', { modelId, captureJobId: 'capture-99' });
  assert.match(live.ok ? '' : live.error.message, /modelId: model \d+ reads 300 s windows; a live capture has 1, 10 and 60 s windows/);
});
