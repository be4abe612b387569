import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HISTOGRAM_RELATIVE_ERROR, SeriesAccumulator } from './series-summary.js';

test('small series are exact: median as Python\'s statistics.median, mean, min, max', () => {
  const a = new SeriesAccumulator();
  assert.deepEqual(a.summary(), { count: 0, min: null, mean: null, p50: null, p99: null, max: null });
  for (const x of [0.004, 0.001, 0.003, 0.002]) a.add(x);
  a.add(Number.NaN);
  const s = a.summary();
  assert.equal(s.count, 4);
  assert.equal(s.p50, 0.0025);
  assert.equal(s.min, 0.001);
  assert.equal(s.max, 0.004);
  assert.ok(Math.abs(s.mean! - 0.0025) < 1e-15);
  a.add(-0.5); // a clock that went back: kept, as tshark shows it
  assert.equal(a.summary().min, -0.5);
});

test('beyond the exact limit quantiles come from the histogram within its error', () => {
  const a = new SeriesAccumulator(1000);
  const values: number[] = [];
  let seed = 1;
  for (let k = 0; k < 50_000; k++) {
    seed = (seed * 16807) % 2147483647;
    const v = 10 ** ((seed / 2147483647) * 6 - 5); // 10 µs … 10 s
    values.push(v);
    a.add(v);
  }
  values.sort((x, y) => x - y);
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = values[Math.ceil(q * values.length) - 1]!;
    const got = a.quantile(q)!;
    assert.ok(Math.abs(got - exact) / exact <= HISTOGRAM_RELATIVE_ERROR, `q=${q}: ${got} vs ${exact}`);
  }
  assert.equal(a.quantile(1), values[values.length - 1]);
  assert.equal(a.count, 50_000);
});

test('merge equals feeding one accumulator, exact or not', () => {
  for (const limit of [100_000, 100]) {
    const all = new SeriesAccumulator(limit);
    const merged = new SeriesAccumulator(limit);
    for (let part = 0; part < 4; part++) {
      const p = new SeriesAccumulator(limit);
      for (let k = 1; k <= 60; k++) {
        const v = (part * 60 + k) / 1000;
        p.add(v);
        all.add(v);
      }
      merged.merge(p);
    }
    assert.deepEqual(merged.summary(), all.summary());
  }
});
