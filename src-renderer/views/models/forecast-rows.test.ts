// Run with: node --import tsx --test src-renderer/views/models/forecast-rows.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ForecastSeries } from '../../../src-shared/models-api.js';
import { forecastRows, outOfBandRows } from './forecast-rows.js';
import type { ForecastRow } from './forecast-rows.js';

function series(n: number, ahead: number): ForecastSeries {
  const t = Array.from({ length: n }, (_, i) => 1000 + i * 300);
  return {
    modelId: 1,
    sourceId: 1,
    resolution: 300,
    t,
    actual: t.map((_, i) => i),
    predicted: t.map((_, i) => (i < 3 ? null : i + 0.5)),
    residual: t.map((_, i) => (i < 3 ? null : i === 7 ? -40 : -0.5)),
    band: { low: -2, high: 2 },
    trainEnd: 1000 + 6 * 300,
    valEnd: 1000 + 8 * 300,
    ahead: { t: Array.from({ length: ahead }, (_, j) => 1000 + (n + j) * 300), predicted: Array.from({ length: ahead }, (_, j) => 100 + j) },
  };
}

test('small series: one row per window, the horizon joins the last actual point', () => {
  const rows = forecastRows(series(10, 3), 1000);
  assert.equal(rows.length, 13);
  assert.deepEqual(rows[9], { t: 1000 + 9 * 300, actual: 9, predicted: 9.5, residual: -0.5, ahead: 9 });
  assert.deepEqual(rows.slice(10).map((r) => [r.t, r.ahead, r.actual]), [
    [4000, 100, null],
    [4300, 101, null],
    [4600, 102, null],
  ]);
  assert.equal(rows[0]?.predicted, null);
});

test('long series is bucketed under maxPoints, each bucket one real window (the largest |residual|)', () => {
  const rows = forecastRows(series(5000, 6), 1000);
  assert.ok(rows.length <= 1000, `rows ${rows.length}`);
  // per = ceil(5000 / 993) = 6. Bucket 0 = windows 0..5: residuals from window 3 on, all -0.5 → window 3.
  assert.deepEqual(rows[0], { t: 1000, actual: 3, predicted: 3.5, residual: -0.5, ahead: null });
  // Bucket 1 = windows 6..11 holds the spike at window 7: its actual and prediction come with it.
  assert.deepEqual(rows[1], { t: 1000 + 6 * 300, actual: 7, predicted: 7.5, residual: -40, ahead: null });
  for (const r of rows) if (r.residual !== null && r.actual !== null && r.predicted !== null && r.residual !== -40) assert.equal(r.actual - r.predicted, r.residual);
  assert.equal(rows.filter((r) => r.ahead !== null).length, 7);
});

test('out-of-band rows: the furthest outside the band are kept when capped, returned in time order', () => {
  const row = (t: number, residual: number | null): ForecastRow => ({ t, actual: null, predicted: null, residual, ahead: null });
  // Many early small excursions, then one large spike late: the cap must not drop the spike.
  const rows = [row(1, 3), row(2, -3.5), row(3, 1), row(4, null), row(5, 2.5), row(6, 900), row(7, -60), row(8, -2)];
  const band = { low: -2, high: 2 };
  assert.deepEqual(outOfBandRows(rows, band, 10).map((r) => r.t), [1, 2, 5, 6, 7]);
  assert.deepEqual(outOfBandRows(rows, band, 2).map((r) => r.t), [6, 7]);
  assert.deepEqual(outOfBandRows(rows, band, 3).map((r) => r.t), [2, 6, 7]);
  assert.deepEqual(outOfBandRows(rows, band, 0), []);
});
