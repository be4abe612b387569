// Run with: node --import tsx --test src-renderer/views/models/type-stack-rows.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ForecastSeries } from '../../../src-shared/models-api.js';
import { stackRows } from './type-stack-rows.js';

function series(t: number[], actual: (number | null)[], predicted: (number | null)[], ahead: number[]): ForecastSeries {
  return {
    modelId: 1, sourceId: 1, resolution: 1, t, actual, predicted, residual: actual.map((a, i) => (a === null || predicted[i] === null ? null : a - (predicted[i] ?? 0))),
    band: { low: -1, high: 1 }, trainEnd: t[0] ?? 0, valEnd: t[0] ?? 0, ahead: { t: ahead.map((_, h) => (t[t.length - 1] ?? 0) + h + 1), predicted: ahead },
  };
}

test('stacked rows: actuals per series add up to the total, predictions sum once every series has one, the horizon sums', () => {
  const web = series([10, 11, 12], [5, 6, 7], [null, 5.5, 6.5], [8, 9]);
  const dns = series([10, 11, 12], [1, 0, 2], [null, 1, 1], [1, 1]);
  const rows = stackRows([{ name: 'web', forecast: web }, { name: 'dns', forecast: dns }], 100);
  assert.deepEqual(rows.map((r) => r.t), [10, 11, 12, 13, 14]);
  assert.deepEqual(rows.map((r) => r.total), [6, 6, 9, null, null]);
  assert.deepEqual(rows.map((r) => r['a:web']), [5, 6, 7, undefined, undefined]);
  assert.deepEqual(rows.map((r) => r.predicted), [null, 6.5, 7.5, null, null]);
  assert.deepEqual(rows.map((r) => r.ahead), [null, null, 9, 9, 10]);
  // Thinned to at most maxPoints windows (plus the horizon).
  assert.equal(stackRows([{ name: 'web', forecast: web }], 2).filter((r) => r.total !== null).length, 2);
});
