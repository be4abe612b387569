import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { ingestFile } from '../../analysis/ingest-pipeline.js';
import { corpusDir } from '../../../test/corpus-paths.js';
import { openTempWorkspace } from '../../../test/temp-workspace.js';
import { loadTf } from '../tf-backend.js';
import { classifyFlows, classifyProbabilities, loadFlowClassifier, saveFlowClassifier, trainFlowClassifier } from './classifier.js';
import type { FlowClassifier } from './classifier.js';
import { fileBalancedWeights } from './classify-eval.js';
import { forwardProbabilities } from './classify-model.js';
import { readSourceFlows, workspaceDataset } from './flow-dataset.js';
import type { WorkspaceDataset } from './flow-dataset.js';
import { FEATURE_COUNT, rawFeatures, scaleRows, STAT_FEATURES } from './flow-features.js';
import { forestProbabilities, trainForest } from './forest.js';

const pcap = (name: string): string => join(corpusDir, 'pcap', name);
const CAPTURES = ['ndpi__netflix.pcap', 'ndpi__googledns_android10.pcap', 'ndpi__bittorrent.pcap', 'ndpi__signal.pcap'];
const SMALL = { net: { hidden: [16], epochs: 4, batchSize: 64, learningRate: 0.003 }, forest: { trees: 8, maxDepth: 8 } } as const;

/** Real corpus captures ingested into a temp workspace, labelled by the default rules, grouped by file. */
async function corpusData(t: Parameters<typeof openTempWorkspace>[0]): Promise<{ data: WorkspaceDataset; flows: ReturnType<typeof readSourceFlows> }> {
  const { ws } = openTempWorkspace(t, 'classifier');
  const ids: number[] = [];
  for (const f of CAPTURES) {
    const r = await ingestFile(ws.db, pcap(f));
    assert.ok(r.ok, f);
    ids.push(r.value.sourceId);
  }
  return { data: workspaceDataset(ws.db, ids), flows: ids.flatMap((id) => readSourceFlows(ws.db, id)) };
}

let trained: Promise<{ model: FlowClassifier; data: WorkspaceDataset; flows: ReturnType<typeof readSourceFlows> }> | null = null;

test('trains on real corpus captures with grouped CV and reports per-class metrics, confusion and importance', async (t) => {
  const { data, flows } = await corpusData(t);
  assert.ok(data.y.length > 60, `${data.y.length} labelled flows`);
  const { tf } = await loadTf();
  const epochs: number[] = [];
  const { model, report } = await trainFlowClassifier(tf, data, { seed: 3, folds: 4, importance: true, ...SMALL, onEpoch: (e) => epochs.push(e.fold) });
  assert.ok(model !== null);
  trained = Promise.resolve({ model, data, flows });
  assert.equal(report.folds, 4);
  assert.equal(report.cancelled, false);
  // Every file is tested exactly once, so every row has an out-of-fold prediction.
  assert.deepEqual(report.foldGroups.flat().sort(), [...new Set(data.groups)].sort());
  for (const m of [report.ensemble, report.net, report.forest]) {
    assert.ok(m !== null);
    assert.equal(m.rows, data.y.length);
    assert.equal(m.confusion.flat().reduce((s, v) => s + v, 0), data.y.length);
    assert.equal(m.perClass.reduce((s, c) => s + c.support, 0), data.y.length);
    for (const c of m.perClass) for (const v of [c.precision, c.recall, c.f1]) assert.ok(v >= 0 && v <= 1);
  }
  assert.ok(report.ensemble.macroF1 > 0, 'the ensemble gets some class right out of fold');
  assert.equal(report.importance?.length, STAT_FEATURES.length + 1);
  assert.ok(report.importance?.some((i) => i.feature === 'early_packets'));
  // Epochs are reported for every fold (1–4) and for the final model (fold 0).
  assert.deepEqual([...new Set(epochs)].sort(), [0, 1, 2, 3, 4]);
  // classifyFlows labels every flow, including ones the rules call unknown, and never looks at
  // ports, addresses or names: scrambling them changes no prediction.
  const out = classifyFlows(model, flows);
  const scrambled = flows.map((f, i) => {
    const o = flows[(i + 11) % flows.length] ?? f;
    return { ...f, client_port: o.server_port, server_port: 1 + i, client_addr: o.server_addr, server_addr: '10.9.8.7', sni: 'www.example.org', dns_query: 'x.test', dns_answers: ['1.2.3.4'] };
  });
  assert.deepEqual(classifyFlows(model, scrambled), out);
  assert.equal(out.length, flows.length);
  for (const o of out) {
    assert.ok(data.classes.includes(o.label as never));
    assert.ok(o.confidence > 0 && o.confidence <= 1 + 1e-6);
  }
});

test('the plain-JS forward pass agrees with tfjs predict, and save → load predicts identically', async () => {
  assert.ok(trained !== null, 'needs the training test');
  const { model, flows } = await trained;
  const { tf } = await loadTf();
  const raw = rawFeatures(flows);
  const x = scaleRows(raw, model.preprocessing.statScalers);
  const viaTf = tf.tidy(() => (model.net.predict(tf.tensor2d(x, [flows.length, FEATURE_COUNT])) as Tensor).dataSync() as Float32Array);
  const viaJs = forwardProbabilities(model.layers, x, flows.length);
  for (let i = 0; i < viaTf.length; i++) assert.ok(Math.abs((viaTf[i] ?? 0) - (viaJs[i] ?? 0)) < 1e-5, `probability ${i}`);
  // Batch scoring runs in chunks through one reused buffer: over several chunks and a partial
  // last one it must equal the members scored on the whole matrix at once, row for row.
  const many = Array.from({ length: 2 * 2048 + 37 }, (_, i) => flows[(i * 7) % flows.length] as (typeof flows)[number]);
  const manyRaw = rawFeatures(many);
  const net = forwardProbabilities(model.layers, scaleRows(manyRaw, model.preprocessing.statScalers), many.length);
  assert.ok(model.forest !== null);
  const forest = forestProbabilities(model.forest, manyRaw, many.length);
  const w = model.preprocessing.netWeight;
  const batch = classifyProbabilities(model, manyRaw, many.length);
  assert.equal(batch.length, net.length);
  for (let i = 0; i < batch.length; i++) assert.ok(Math.abs((batch[i] ?? 0) - (w * (net[i] ?? 0) + (1 - w) * (forest[i] ?? 0))) < 1e-6, `batch probability ${i}`);
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-classifier-'));
  try {
    await saveFlowClassifier(tf, model, dir, { note: 'test' });
    const loaded = await loadFlowClassifier(tf, dir);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    const before = classifyProbabilities(model, raw, flows.length);
    const after = classifyProbabilities(loaded.value, raw, flows.length);
    assert.equal(after.length, before.length);
    for (let i = 0; i < before.length; i++) assert.ok(Math.abs((before[i] ?? 0) - (after[i] ?? 0)) < 1e-6, `probability ${i}`);
    assert.deepEqual(loaded.value.preprocessing.classes, model.preprocessing.classes);
    loaded.value.net.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad model folders give errors naming the file and field', async () => {
  assert.ok(trained !== null, 'needs the training test');
  const { model } = await trained;
  const { tf } = await loadTf();
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-classifier-bad-'));
  try {
    await saveFlowClassifier(tf, model, dir, {});
    const prepPath = join(dir, 'preprocessing.json');
    const good = JSON.parse(readFileSync(prepPath, 'utf8')) as Record<string, unknown>;
    const expectError = async (doc: unknown, field: RegExp): Promise<void> => {
      writeFileSync(prepPath, typeof doc === 'string' ? doc : JSON.stringify(doc));
      const r = await loadFlowClassifier(tf, dir);
      assert.ok(!r.ok);
      assert.match(r.error.message, /preprocessing\.json/);
      assert.match(r.error.message, field);
    };
    await expectError('{"formatVersion": 1,', /not valid JSON/);
    await expectError({ ...good, formatVersion: 99 }, /formatVersion 99/);
    await expectError({ ...good, classes: ['web'] }, /classes/);
    await expectError({ ...good, features: [...(good['features'] as string[])].reverse() }, /features/);
    await expectError({ ...good, statScalers: [{ log1p: true, center: 0, scale: 0 }, ...(good['statScalers'] as unknown[]).slice(1)] }, /statScalers\[0\]/);
    const forest = good['forest'] as Record<string, number[]>;
    await expectError({ ...good, forest: { ...forest, right: forest['right']?.map((v, i) => (i === forest['feature']?.findIndex((f) => f >= 0) ? 0 : v)) } }, /forest\.right\[\d+\]/);
    await expectError({ ...good, netWeight: 2 }, /netWeight/);
    writeFileSync(prepPath, JSON.stringify(good));
    unlinkSync(join(dir, 'weights.bin'));
    const missing = await loadFlowClassifier(tf, dir);
    assert.ok(!missing.ok);
    assert.match(missing.error.message, /weights\.bin: missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fast feature rows equal the documented per-feature getters on corpus flows', async () => {
  assert.ok(trained !== null, 'needs the training test');
  const { flows } = await trained;
  const raw = rawFeatures(flows);
  flows.forEach((f, r) => {
    STAT_FEATURES.forEach((s, j) => {
      const v = s.get(f);
      assert.equal(raw[r * FEATURE_COUNT + j], Math.fround(Number.isFinite(v) ? v : 0), `flow ${r} ${s.name}`);
    });
  });
});

test('an aborted run stops between batches and returns no model', async (t) => {
  const { data } = await corpusData(t);
  const { tf } = await loadTf();
  const ac = new AbortController();
  const { model, report } = await trainFlowClassifier(tf, data, { seed: 1, folds: 3, ...SMALL, onEpoch: () => ac.abort(), signal: ac.signal });
  assert.equal(model, null);
  assert.equal(report.cancelled, true);
});

test('file-balanced weights: every class weighs the same, shared equally by its files', () => {
  // class 0: file 1 has 6 rows, file 2 has 2; class 1: file 2 has 4 rows.
  const y = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
  const g = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2];
  const w = fileBalancedWeights(y, g);
  const sum = (pred: (i: number) => boolean): number => Array.from(w).reduce((s, v, i) => s + (pred(i) ? v : 0), 0);
  assert.ok(Math.abs(sum(() => true) - y.length) < 1e-5, 'mean weight 1');
  assert.ok(Math.abs(sum((i) => y[i] === 0) - sum((i) => y[i] === 1)) < 1e-5, 'classes weigh the same');
  assert.ok(Math.abs(sum((i) => y[i] === 0 && g[i] === 1) - sum((i) => y[i] === 0 && g[i] === 2)) < 1e-5, 'files of a class weigh the same');
  assert.equal(w[0], w[5]);
});

test('forest: seeded and deterministic, learns a rule a single feature carries', () => {
  const n = 400;
  const features = 5;
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  let s = 7;
  const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < features; j++) x[i * features + j] = rand();
    const v = x[i * features + 3] ?? 0;
    y[i] = v < 0.33 ? 0 : v < 0.66 ? 1 : 2;
  }
  const settings = { trees: 10, maxDepth: 6, minLeaf: 1, mtry: 2, seed: 5 };
  const a = trainForest(x, y, features, 3, settings);
  const b = trainForest(x, y, features, 3, settings);
  assert.deepEqual(a, b);
  const p = forestProbabilities(a, x, n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(p.subarray(i * 3, i * 3 + 3));
    assert.ok(Math.abs(row.reduce((t, v) => t + v, 0) - 1) < 1e-5);
    if (row.indexOf(Math.max(...row)) === y[i]) correct++;
  }
  assert.ok(correct / n > 0.95, `${correct}/${n}`);
});
