import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectWindows, scoreProbability, trainDetector } from './detector.js';
import { residualAnomalies } from './residual-detector.js';
import { seededRandom } from './seeded-random.js';
import { buildWindowFeatures, fitWindowFeatures, type WindowValues } from './window-features.js';

/** 600 one-second windows of ordinary traffic; bytes_per_second × 40 at the `spikes` indices. */
function windows(spikes: readonly number[], seed = 1): WindowValues[] {
  const rnd = seededRandom(seed);
  const jitter = (v: number): number => v * (0.9 + 0.2 * rnd());
  const rows: WindowValues[] = [];
  for (let i = 0; i < 600; i++) {
    const pps = jitter(200);
    const size = jitter(600);
    rows.push({
      t: 1_700_000_000 + i,
      bytes_per_second: (spikes.includes(i) ? 40 : 1) * pps * size,
      packets_per_second: pps,
      avg_packet_size: size,
      avg_latency_ms: i % 7 === 0 ? null : jitter(20),
      tcp_percent: jitter(80),
      udp_percent: jitter(20),
    });
  }
  return rows;
}

test('detector: planted byte-rate spikes are flagged and explained by bytes_per_second, above', () => {
  const spikes = [150, 320, 480];
  const { model, results } = trainDetector(windows(spikes), { resolution: 1, seed: 5 });
  assert.equal(results.length, 600);
  const flagged = results.filter((r) => r.flagged);
  // About 5 % of the training windows are flagged.
  assert.ok(flagged.length >= 25 && flagged.length <= 35, `${flagged.length} flagged`);
  for (const i of spikes) {
    const r = results[i]!;
    assert.ok(r.flagged, `window ${i} not flagged (score ${r.score})`);
    assert.equal(r.drivers[0]?.column, 'bytes_per_second', JSON.stringify(r.drivers));
    assert.equal(r.drivers[0]?.direction, 'above');
    assert.match(r.drivers[0]!.text, /^bytes_per_second \d+(\.\d)?× .*above its/);
    assert.match(r.message, /-severity anomaly at 20\d\d-.*bytes_per_second/);
    assert.ok(r.probability >= 1 - model.contamination);
    assert.ok(r.severity === 'high' || r.severity === 'medium', `severity ${r.severity}`);
  }
  for (const r of results) {
    assert.ok(r.score > 0 && r.score <= 1);
    assert.ok(r.probability >= 0 && r.probability <= 1);
    assert.equal(r.severity === null, !r.flagged);
  }
  // The missing latencies were imputed with the median: never the reason for a flag.
  for (const r of flagged) assert.ok(!r.drivers.some((d) => d.column === 'avg_latency_ms' && d.value !== d.median && Number.isNaN(d.value)));
});

test('detector: the model is plain JSON and scores new windows the same after a round trip', () => {
  const rows = windows([100]);
  const { model, results } = trainDetector(rows, { resolution: 1, seed: 9 });
  const copy = JSON.parse(JSON.stringify(model)) as typeof model;
  const again = detectWindows(copy, rows);
  assert.deepEqual(again.map((r) => r.score), results.map((r) => r.score));
  assert.deepEqual(again.map((r) => r.flagged), results.map((r) => r.flagged));
  // Probability is non-decreasing in the score.
  const sorted = [...results].sort((a, b) => a.score - b.score);
  for (let i = 1; i < sorted.length; i++) assert.ok(scoreProbability(model, sorted[i]!.score) >= scoreProbability(model, sorted[i - 1]!.score));
});

test('window features: idle gaps of a capture are zero rates, unknown ratios take the training median', () => {
  const rows: WindowValues[] = [
    { t: 10, bytes_per_second: 100, avg_packet_size: 50 },
    { t: 11, bytes_per_second: 300, avg_packet_size: null },
    { t: 14, bytes_per_second: 200, avg_packet_size: 70 },
  ];
  const { spec, features } = fitWindowFeatures(rows, { resolution: 1, fillGaps: true, columns: ['bytes_per_second', 'avg_packet_size'], rollingWindow: 0 });
  assert.deepEqual([...features.t], [10, 11, 12, 13, 14]);
  assert.deepEqual(spec.featureNames, ['bytes_per_second', 'avg_packet_size']);
  // Medians over the filled grid: bps [100, 300, 0, 0, 200] → 100; size [50, 70] → 60.
  assert.deepEqual(spec.medians, [100, 60]);
  assert.deepEqual([...features.matrix.data], [100, 50, 300, 60, 0, 60, 0, 60, 200, 70]);
  // A series source is not gap-filled.
  const series = buildWindowFeatures({ ...spec, fillGaps: false }, rows);
  assert.equal(series.matrix.rows, 3);
});

test('residual detector: flags only residuals outside the band, with direction and excess', () => {
  const out = residualAnomalies([10, 20, 30, null, 5], [10, 12, 31, 4, 9], { low: -2, high: 2 }, [0, 60, 120, 180, 240]);
  assert.deepEqual(out.map((a) => [a.index, a.t, a.residual, a.direction]), [[1, 60, 8, 'above'], [4, 240, -4, 'below']]);
  assert.equal(out[0]!.excess, 1.5); // (8 − 2) / 4
  assert.equal(out[0]!.severity, 'medium');
  assert.equal(out[1]!.excess, 0.5);
  assert.match(out[0]!.message, /actual 20 is 8 above the forecast 12, outside the validation band \[-2, 2\]/);
  assert.throws(() => residualAnomalies([1], [1, 2], { low: 0, high: 1 }), /actual has 1 values/);
});
