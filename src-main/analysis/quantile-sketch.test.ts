import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuantileSketch, SKETCH_RELATIVE_ACCURACY } from './quantile-sketch.js';

/** Exact nearest-rank quantile of a sample list. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertClose(actual: number | null, expected: number, label: string): void {
  assert.ok(actual !== null, `${label}: null`);
  const rel = Math.abs(actual - expected) / expected;
  assert.ok(rel <= SKETCH_RELATIVE_ACCURACY + 1e-12, `${label}: ${actual} vs ${expected} (rel ${rel})`);
}

test('an empty sketch has no quantile', () => {
  const s = new QuantileSketch();
  assert.equal(s.quantile(0.99), null);
  s.add(Number.NaN);
  assert.equal(s.count, 0);
  assert.equal(s.quantile(0.5), null);
});

test('one sample and equal samples give the exact value (clamped to min/max)', () => {
  const s = new QuantileSketch();
  s.add(12.345);
  assert.equal(s.quantile(0.99), 12.345);
  assert.equal(s.quantile(0), 12.345);
  for (let i = 0; i < 50; i++) s.add(12.345);
  assert.equal(s.quantile(0.5), 12.345);
});

test('p50/p90/p99 stay within 1 % of the exact nearest-rank value over log-spread data', () => {
  const r = rng(7);
  for (const n of [3, 10, 99, 100, 101, 1000, 20000]) {
    const s = new QuantileSketch();
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      // 1 µs … 100 s in ms, log-uniform: every part of the bucket range is exercised.
      const v = 10 ** (r() * 8 - 3);
      values.push(v);
      s.add(v);
    }
    for (const q of [0.5, 0.9, 0.99, 1]) assertClose(s.quantile(q), exactQuantile(values, q), `n=${n} q=${q}`);
  }
});

test('zero and sub-nanosecond values count in the zero bucket', () => {
  const s = new QuantileSketch();
  for (let i = 0; i < 99; i++) s.add(0);
  s.add(5);
  assert.equal(s.quantile(0.99), 0);
  assert.equal(s.quantile(1), 5);
  s.add(-3); // a negative difference (clock went back) is a zero, not a crash
  assert.equal(s.min, 0);
});

test('merging sketches equals one sketch fed every sample', () => {
  const r = rng(11);
  const all = new QuantileSketch();
  const merged = new QuantileSketch();
  const values: number[] = [];
  for (let part = 0; part < 6; part++) {
    const s = new QuantileSketch();
    for (let i = 0; i < 500; i++) {
      const v = r() < 0.05 ? 200 + r() * 800 : r() * 20;
      values.push(v);
      s.add(v);
      all.add(v);
    }
    merged.merge(s);
  }
  assert.equal(merged.count, all.count);
  for (const q of [0.01, 0.5, 0.99]) {
    assert.equal(merged.quantile(q), all.quantile(q));
    assertClose(merged.quantile(q), exactQuantile(values, q), `q=${q}`);
  }
});

test('clear empties the sketch for reuse', () => {
  const s = new QuantileSketch();
  s.add(1000);
  s.add(0.01);
  s.clear();
  assert.equal(s.count, 0);
  s.add(3);
  assert.equal(s.quantile(0.99), 3);
  assert.equal(s.min, 3);
});

test('values beyond the covered range are clamped, never lost', () => {
  const s = new QuantileSketch();
  s.add(1e12);
  s.add(1e12);
  assert.equal(s.count, 2);
  assert.equal(s.quantile(0.99), 1e12);
});
