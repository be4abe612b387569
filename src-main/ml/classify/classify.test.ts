import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import { ingestFile } from '../../analysis/ingest-pipeline.js';
import { FlowsRepo } from '../../store/flows-repo.js';
import { LabelsRepo } from '../../store/labels-repo.js';
import { corpusDir } from '../../../test/corpus-paths.js';
import { openTempWorkspace } from '../../../test/temp-workspace.js';
import { loadTf } from '../tf-backend.js';
import { classifyMetrics, groupedFolds } from './classify-eval.js';
import { crossValidate } from './classify-train.js';
import { readSourceFlows, workspaceDataset } from './flow-dataset.js';
import { FEATURE_COUNT, FEATURE_NAMES, rawFeatures } from './flow-features.js';
import { compileRules, defaultRuleList } from './traffic-rules.js';

const pcap = (name: string): string => join(corpusDir, 'pcap', name);

test('default rules label known corpus flows: DNS on 53 → dns, a Netflix SNI → streaming', async (t) => {
  const { ws } = openTempWorkspace(t, 'rules');
  const r = await ingestFile(ws.db, pcap('ndpi__netflix.pcap'));
  assert.ok(r.ok);
  const match = compileRules(new LabelsRepo(ws.db).rules());
  const flows = readSourceFlows(ws.db, r.value.sourceId);
  const dns = flows.filter((f) => f.proto === 17 && f.server_port === 53);
  assert.ok(dns.length > 0);
  for (const f of dns) assert.equal(match(f).label, 'dns');
  const netflix = flows.filter((f) => f.sni !== null && /netflix\.com$|nflxvideo\.net$/.test(f.sni));
  assert.ok(netflix.length > 0);
  for (const f of netflix) assert.equal(match(f).label, 'streaming');
  assert.equal(match({ server_port: 40000, client_port: 40001, sni: null, dns_query: null }).label, 'unknown');
  assert.equal(match({ server_port: 6885, sni: null, dns_query: null }).label, 'file_transfer');
  // A user rule ahead of the defaults wins; a disabled one is skipped.
  const custom = compileRules([{ id: 999, kind: 'sni', pattern: '*.netflix.*', label: 'other', priority: 1, enabled: true }, ...defaultRuleList()]);
  assert.equal(custom({ server_port: 443, sni: 'api.netflix.com', dns_query: null }).label, 'other');
  const off = compileRules([{ id: 999, kind: 'sni', pattern: '*.netflix.*', label: 'other', priority: 1, enabled: false }, ...defaultRuleList()]);
  assert.equal(off({ server_port: 443, sni: 'api.netflix.com', dns_query: null }).label, 'streaming');
});

test('features never see ports, addresses or names: permuting them gives identical rows', async (t) => {
  const { ws } = openTempWorkspace(t, 'features');
  const r = await ingestFile(ws.db, pcap('ndpi__netflix.pcap'));
  assert.ok(r.ok);
  const flows = readSourceFlows(ws.db, r.value.sourceId);
  const shuffled = flows.map((f, i) => {
    const o = flows[(i + 7) % flows.length] ?? f;
    return { ...f, client_port: o.server_port, server_port: o.client_port, client_addr: o.server_addr, server_addr: o.client_addr, sni: 'x.example', dns_query: null, dns_answers: [] };
  });
  assert.deepEqual(rawFeatures(shuffled), rawFeatures(flows));
  assert.equal(FEATURE_NAMES.length, FEATURE_COUNT);
  for (const n of FEATURE_NAMES) assert.doesNotMatch(n, /port|addr|sni|dns/);
});

test('grouped folds never put one file in both train and test', () => {
  const groups = Int32Array.from({ length: 500 }, (_, i) => (i * 7919) % 13);
  const folds = groupedFolds(groups, 5, 3);
  assert.equal(folds.length, 5);
  const seen = new Set<number>();
  for (const f of folds) {
    const test = new Set(Array.from(f.test, (i) => groups[i] ?? -1));
    const train = new Set(Array.from(f.train, (i) => groups[i] ?? -1));
    for (const g of test) assert.ok(!train.has(g), `group ${g} in train and test`);
    for (const g of test) {
      assert.ok(!seen.has(g), `group ${g} tested twice`);
      seen.add(g);
    }
    assert.equal(f.train.length + f.test.length, 500);
  }
  assert.equal(seen.size, 13);
});

test('metrics: per-class precision, recall, F1 and macro-F1 by hand', () => {
  const m = classifyMetrics(['a', 'b', 'c'], [0, 0, 1, 1, 2], [0, 1, 1, 1, 0]);
  assert.deepEqual(m.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
  assert.equal(m.perClass[0]?.precision, 0.5);
  assert.equal(m.perClass[1]?.recall, 1);
  assert.ok(Math.abs(m.macroF1 - (0.5 + 0.8 + 0) / 3) < 1e-12);
});

test('training on three corpus captures, grouped by file, reports per-class metrics', async (t) => {
  const { ws } = openTempWorkspace(t, 'train');
  const ids: number[] = [];
  for (const f of ['ndpi__netflix.pcap', 'ndpi__googledns_android10.pcap', 'ndpi__bittorrent.pcap']) {
    const r = await ingestFile(ws.db, pcap(f));
    assert.ok(r.ok);
    ids.push(r.value.sourceId);
  }
  const data = workspaceDataset(ws.db, ids);
  assert.ok(data.y.length > 50);
  const { tf } = await loadTf();
  const cv = await crossValidate(tf, data, 3, { hidden: [16], epochs: 3, batchSize: 64, learningRate: 0.003, l2: 1e-4, seed: 7 });
  assert.equal(cv.folds, 3);
  assert.equal(cv.metrics.rows, data.y.length);
  assert.equal(cv.metrics.perClass.length, TRAFFIC_CLASSES.length);
  const support = cv.metrics.perClass.reduce((s, c) => s + c.support, 0);
  assert.equal(support, data.y.length);
  for (const c of cv.metrics.perClass) for (const v of [c.precision, c.recall, c.f1]) assert.ok(v >= 0 && v <= 1);
  assert.ok(cv.metrics.macroF1 >= 0 && cv.metrics.macroF1 <= 1);
});

test('user labels persist across reopening and override rules in the dataset', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'labels');
  const r = await ingestFile(ws.db, pcap('ndpi__netflix.pcap'));
  assert.ok(r.ok);
  const flow = new FlowsRepo(ws.db).page(r.value.sourceId, {}, { limit: 1 })[0];
  assert.ok(flow !== undefined);
  new LabelsRepo(ws.db).setLabel(flow.id, 'user', 'mail');
  ws.close();
  const { openWorkspace } = await import('../../store/workspace.js');
  const again = openWorkspace(ws.path);
  assert.ok(again.ok, dir);
  t.after(() => again.value.close());
  const labels = new LabelsRepo(again.value.db).labelsOf([flow.id]).get(flow.id);
  assert.deepEqual(labels?.map((l) => [l.source, l.label]), [['user', 'mail']]);
  const data = workspaceDataset(again.value.db, [r.value.sourceId]);
  const row = Array.from(data.flowIds).indexOf(flow.id);
  assert.equal(TRAFFIC_CLASSES[data.y[row] ?? -1], 'mail');
  assert.ok(new LabelsRepo(again.value.db).rules().length > 50);
});
