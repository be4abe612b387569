import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { corpusDir } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { importSeries } from '../ingest/series-import.js';
import { main } from './main.js';
import { recordingIo } from './test-io.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('train --task anomaly, detect --model, export --table anomalies on a NAB series; bad model folders named', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'anomaly-cli');
  const nab = await importSeries(ws.db, join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv'));
  assert.ok(nab.ok);
  const db = join(dir, 'w.flowbench');
  const source = String(nab.value.sourceId);
  const out = join(dir, 'forest');

  const trained = await run(['train', '--task', 'anomaly', '--db', db, '--source', source, '--seed', '5', '--out', out, '--json']);
  assert.equal(trained.code, 0, trained.err);
  const m = JSON.parse(trained.out) as { modelId: number; evaluation: { trainingWindows: number; flagged: number; threshold: number } };
  assert.equal(m.evaluation.trainingWindows, 4032);
  const text = await run(['train', '--task', 'anomaly', '--db', db, '--source', source, '--seed', '5', '--out', join(dir, 'forest2')]);
  assert.match(text.out, /Isolation Forest on 4032 windows of 300 s, \d+ features, 100 trees\n {2}contamination 0\.05: threshold score 0\.\d{4}, \d+ training windows flagged \(\d\.\d %\)/);

  const detected = await run(['detect', '--model', out, '--db', db, '--source', source, '--json']);
  assert.equal(detected.code, 0, detected.err);
  const flags = JSON.parse(detected.out) as { t: number; score: number }[];
  assert.equal(flags.length, m.evaluation.flagged);
  for (const f of flags) assert.ok(f.score > m.evaluation.threshold && f.score <= 1);
  // The same seed fitted on the fly flags the same windows with the same scores.
  const fitted = JSON.parse((await run(['detect', '--db', db, '--source', source, '--seed', '5', '--json'])).out) as { t: number; score: number }[];
  assert.deepEqual(fitted.map((f) => [f.t, f.score]), flags.map((f) => [f.t, f.score]));

  // Both detections are stored (the registered model's and the fitted one): Parquet read back by DuckDB.
  const pq = join(dir, 'pq');
  const exported = await run(['export', '--format', 'parquet', '--table', 'anomalies', '--db', db, '--out', pq]);
  assert.equal(exported.code, 0, exported.err);
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  const read = (await c.runAndReadAll(
    `SELECT model_id::INTEGER m, count(*)::INTEGER n, min(score) lo FROM read_parquet('${join(pq, 'table=anomalies', '**', '*.parquet')}', hive_partitioning = true) GROUP BY model_id ORDER BY model_id`,
  )).getRowObjectsJson() as { m: number; n: number; lo: number }[];
  assert.deepEqual(read.map((r) => [r.m, r.n]), [[0, flags.length], [m.modelId, flags.length]]);
  assert.ok(Number(read[1]?.lo) > m.evaluation.threshold);
  const csv = await run(['export', '--format', 'csv', '--table', 'anomalies', '--db', db, '--out', join(dir, 'csv')]);
  assert.equal(csv.code, 0, csv.err);
  const header = readFileSync(join(dir, 'csv', 'anomalies.csv'), 'utf8').split(/\r?\n/)[0];
  assert.equal(header, 'source_id,model_id,t,resolution,score,probability,severity,message,drivers,detected_at');

  // Bad folders: the error names the file and the field.
  const broken = join(dir, 'broken');
  mkdirSync(broken);
  for (const f of ['model.json', 'preprocessing.json', 'report.json']) writeFileSync(join(broken, f), readFileSync(join(out, f)));
  const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(broken, 'preprocessing.json'), JSON.stringify({ ...prep, contamination: 2 }));
  const cases: [string, RegExp][] = [
    [join(dir, 'nowhere'), /--model: .*nowhere.*preprocessing\.json: missing/],
    [broken, /--model: .*broken\/preprocessing\.json: contamination: must be in \(0, 0\.5\], got 2/],
  ];
  for (const [folder, pattern] of cases) {
    const r = await run(['detect', '--model', folder, '--db', db, '--source', source]);
    assert.equal(r.code, 1);
    assert.match(r.err, pattern);
  }
  writeFileSync(join(broken, 'preprocessing.json'), JSON.stringify(prep));
  rmSync(join(broken, 'model.json'));
  const noForest = await run(['detect', '--model', broken, '--db', db, '--source', source]);
  assert.match(noForest.err, /broken\/model\.json: missing/);
  const tuned = await run(['detect', '--model', out, '--db', db, '--source', source, '--contamination', '0.1']);
  assert.match(tuned.err, /--contamination comes from the model/);
  const bad = await run(['train', '--task', 'anomaly', '--db', db, '--source', `${source},${source}`]);
  assert.match(bad.err, /--source: one source for --task anomaly/);
});

test('train --task classify on two corpus captures, classify --model writes labels and counts them', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'classify-cli');
  const a = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__netflix.pcap'));
  const b = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__reddit.pcap'));
  assert.ok(a.ok && b.ok);
  const db = join(dir, 'w.flowbench');
  const out = join(dir, 'mlp');
  const trained = await run(['train', '--task', 'classify', '--db', db, '--source', `${a.value.sourceId},${b.value.sourceId}`, '--epochs', '2', '--out', out]);
  assert.equal(trained.code, 0, trained.err);
  assert.match(trained.out, /\d+ labelled flows \(0 by the user, \d+ by rules; \d+ unknown left out\), 2 folds grouped by source/);
  assert.match(trained.out, /macro-F1 \d\.\d{3} \(behaviour only, out of fold\), rules alone 1\.000/);
  assert.match(trained.out, /class\s+support\s+precision\s+recall\s+F1/);

  const applied = await run(['classify', '--model', out, '--db', db, '--source', String(a.value.sourceId), '--json']);
  assert.equal(applied.code, 0, applied.err);
  const r = JSON.parse(applied.out) as { modelId: number | null; flows: number; counts: { label: string; count: number }[] };
  const flows = ws.db.prepare('SELECT count(*) n FROM flows WHERE source_id = ?').get(a.value.sourceId) as { n: number };
  assert.equal(r.flows, flows.n);
  assert.equal(r.counts.reduce((s, c) => s + c.count, 0), r.flows);
  assert.ok(r.modelId !== null);
  const stored = ws.db.prepare(
    "SELECT count(*) n, min(confidence) lo, max(confidence) hi FROM flow_labels l JOIN flows f ON f.id = l.flow_id WHERE f.source_id = ? AND l.source = 'model' AND l.model_id = ?",
  ).get(a.value.sourceId, r.modelId) as { n: number; lo: number; hi: number };
  assert.equal(stored.n, r.flows);
  assert.ok(stored.lo > 0 && stored.hi <= 1);
  const table = await run(['classify', '--model', out, '--db', db, '--source', String(a.value.sourceId)]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, new RegExp(`^${r.flows} flows of source ${a.value.sourceId} labelled in \\d+ ms\\n\\s+label\\s+flows`));

  const cases: [string[], RegExp][] = [
    [['classify', '--db', db, '--source', '1'], /missing --model DIR/],
    [['classify', '--model', join(dir, 'none'), '--db', db, '--source', '1'], /--model: .*none\/model\.json: missing/],
    [['classify', '--model', out, '--db', db, '--source', '77'], /--source: no source 77/],
    [['train', '--task', 'classify', '--db', db, '--source', '1,x'], /--source: must be a source id/],
  ];
  for (const [args, pattern] of cases) {
    const res = await run(args);
    assert.equal(res.code, 1, args.join(' '));
    assert.match(res.err, pattern);
  }
});
