import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import {
  featureMatrix, fitPreprocessing, makeSamples, outputsToValues, sampleIndices, scaledTarget, splitIndex, toGrid,
} from './forecast-dataset.js';
import type { RawSeries } from './forecast-dataset.js';
import { evaluateForecast } from './forecast-metrics.js';
import { readSourceSeries } from './source-series.js';

// A sparse real capture: ndpi__bitcoin.pcap spans 1 873 s with packets in few seconds, so the
// grid's zero fill and the split both matter.
const CAPTURE = join(corpusDir, 'pcap', 'ndpi__bitcoin.pcap');

async function bitcoinSeries(t: Parameters<typeof openTempWorkspace>[0]) {
  const { ws } = openTempWorkspace(t, 'ml-dataset');
  const r = await ingestFile(ws.db, CAPTURE);
  assert.ok(r.ok);
  const s = readSourceSeries(ws.db, r.value.sourceId);
  assert.ok(s.ok, s.ok ? '' : s.error.message);
  return s.value;
}

test('windows of a real capture → grid (zero-filled bytes, carried ratios) → tensors → back to the same values', async (t) => {
  const { raw, target } = await bitcoinSeries(t);
  assert.equal(target, 'bytes_per_second');
  assert.equal(raw.resolution, 1);
  const grid = toGrid(raw);
  const first = raw.t[0] ?? 0;
  const last = raw.t[raw.t.length - 1] ?? 0;
  assert.equal(grid.t.length, last - first + 1);
  assert.ok(raw.t.length < grid.t.length / 2, 'the capture is sparse');
  const bps = grid.columns.get('bytes_per_second');
  const size = grid.columns.get('avg_packet_size');
  assert.ok(bps !== undefined && size !== undefined);
  // Every stored window keeps its value; every missing one is 0 bytes/s and carries the packet size.
  const stored = new Map(raw.t.map((x, k) => [x, k]));
  let missing = 0;
  for (let i = 0; i < grid.t.length; i++) {
    const k = stored.get(grid.t[i] ?? 0);
    if (k === undefined) {
      missing++;
      assert.equal(bps[i], 0);
      assert.equal(size[i], size[i - 1]);
    } else {
      assert.equal(bps[i], raw.columns['bytes_per_second']?.[k]);
    }
  }
  assert.ok(missing > 0);

  const prep = fitPreprocessing(grid, { target, kind: raw.kind, extractor: 'test', lookback: 8, horizon: 3 });
  assert.equal(prep.features[0]?.name, 'bytes_per_second');
  assert.equal(prep.features[1]?.name, 'd_bytes_per_second');
  assert.equal(prep.targetScaler.log1p, true);
  assert.equal(prep.fill['bytes_per_second'], 'zero');
  const x = featureMatrix(prep, grid);
  const z = scaledTarget(prep, grid);
  const F = prep.features.length;
  assert.equal(x.length, grid.t.length * F);
  const split = splitIndex(grid.t.length);
  const idx = sampleIndices(prep, split);
  const s = makeSamples(prep, x, z, idx.test);
  // Inputs of sample k are rows i−L … i−1 of the matrix.
  const k = 5;
  const i = idx.test[k] ?? 0;
  assert.deepEqual(Array.from(s.x.subarray(k * 8 * F, (k + 1) * 8 * F)), Array.from(x.subarray((i - 8) * F, i * F)));
  // Targets back to original units: the true deltas give the actual windows to float precision.
  const back = outputsToValues(prep, s.y, z, idx.test);
  for (let kk = 0; kk < idx.test.length; kk++) {
    for (let h = 0; h < 3; h++) {
      const actual = bps[(idx.test[kk] ?? 0) + h] ?? Number.NaN;
      assert.ok(Math.abs((back[kk * 3 + h] ?? Number.NaN) - actual) <= 1e-3 * Math.max(1, actual), `sample ${kk} step ${h}`);
    }
  }
});

test('no leakage: scalers come from the training rows only; every sample target stays inside its part', async (t) => {
  const { raw, target } = await bitcoinSeries(t);
  const grid = toGrid(raw);
  const opts = { target, kind: raw.kind, extractor: 'test', lookback: 8, horizon: 3 } as const;
  const prep = fitPreprocessing(grid, opts);
  const split = splitIndex(grid.t.length);
  // Change everything after the training rows: the fitted preprocessing must not move.
  const changed = new Map([...grid.columns].map(([k, col]) => [k, col.map((v, i) => (i >= split.trainEnd ? v * 1000 + 7 : v))]));
  const prep2 = fitPreprocessing({ ...grid, columns: changed }, opts);
  assert.deepEqual(prep2, prep);
  const idx = sampleIndices(prep, split);
  assert.ok(idx.train.every((i) => i + 3 <= split.trainEnd));
  assert.ok(idx.val.every((i) => i >= split.trainEnd && i + 3 <= split.valEnd));
  assert.ok(idx.test.every((i) => i >= split.valEnd));
  assert.equal(idx.train[0], 8);
});

test('an imported series carries a missing step forward instead of zero', () => {
  const raw: RawSeries = { kind: 'series', resolution: 300, t: [0, 300, 900], columns: { value: [5, 7, 9] } };
  const grid = toGrid(raw);
  assert.deepEqual(Array.from(grid.columns.get('value') ?? []), [5, 7, 7, 9]);
  const cap: RawSeries = { kind: 'capture', resolution: 1, t: [10, 12], columns: { bytes_per_second: [5, 9], tcp_rtt_ms: [null, 3] } };
  const g2 = toGrid(cap);
  assert.deepEqual(Array.from(g2.columns.get('bytes_per_second') ?? []), [5, 0, 9]);
  assert.deepEqual(Array.from(g2.columns.get('tcp_rtt_ms') ?? []), [3, 3, 3]);
});

test('baselines on a hand-made series: persistence, seasonal naive and skill on the same points', () => {
  // Season 4: 1 2 3 4 | 1 2 3 4 | 1 2 3 5; test points are the last four windows.
  const actual = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 5];
  const idx = [8, 9, 10, 11];
  const model = [1.5, 2, 3, 4];
  const e = evaluateForecast(actual, idx, model, 4);
  // Persistence predicts 4, 1, 2, 3 for 1, 2, 3, 5: errors 3, −1, −1, −2.
  assert.equal(e.persistence.mae, (3 + 1 + 1 + 2) / 4);
  assert.ok(Math.abs(e.persistence.rmse - Math.sqrt((9 + 1 + 1 + 4) / 4)) < 1e-12);
  assert.equal(e.persistence.skill, 0);
  // Seasonal naive predicts 1, 2, 3, 4: one error of 1.
  assert.ok(e.seasonalNaive !== null);
  assert.equal(e.seasonalNaive.mae, 0.25);
  assert.ok(Math.abs(e.seasonalNaive.rmse - 0.5) < 1e-12);
  assert.ok(Math.abs(e.seasonalNaive.skill - (1 - 0.5 / Math.sqrt(15 / 4))) < 1e-12);
  // The model: errors 0.5, 0, 0, 1.
  assert.ok(Math.abs(e.model.rmse - Math.sqrt(1.25 / 4)) < 1e-12);
  assert.ok(Math.abs(e.model.smape - (100 / 4) * ((2 * 0.5) / 2.5 + (2 * 1) / 9)) < 1e-9);
  assert.equal(e.points, 4);
  assert.equal(e.seasonWindows, 4);
  // No season (series shorter than two days): no seasonal baseline.
  assert.equal(evaluateForecast(actual, idx, model, null).seasonalNaive, null);
});
