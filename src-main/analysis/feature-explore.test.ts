// Feature exploration against references computed here by other routes: Pearson from the
// one-pass sums formula, Spearman from ranks counted by comparison (and 1 − 6Σd²/(n(n²−1))
// without ties), PCA eigenvalues by power iteration with deflation and by the 2×2 closed form
// 1 ± r, loadings compared up to sign; statistics against hand-worked values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlationMatrices, featureStats, histogram, sortedValues } from './feature-explore-stats.js';
import { jacobiEigen, principalComponents } from './feature-explore-pca.js';
import { buildFeatureTable, exploreFeatures, suggestFeatures } from './feature-explore.js';

const N = Number.NaN;
/** A hand-made 10 × 4 matrix: b ≈ 2a, c with ties, d a curve of a; one hole in c and in d. */
const A = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const B = [2.1, 3.9, 6.2, 8.1, 9.8, 12.3, 13.9, 16.2, 18.1, 19.7];
const C = [5, 3, 3, 8, N, 1, 3, 9, 2, 7];
const D = [1, 4, 9, 16, 25, 36, N, 64, 81, 100];
const COLS = [A, B, C, D].map((c) => Float64Array.from(c));

function refPearson(x: number[], y: number[]): number {
  const n = x.length;
  let sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!; sy += y[i]!; sxy += x[i]! * y[i]!; sxx += x[i]! ** 2; syy += y[i]! ** 2;
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

/** Rank by counting: (#smaller) + (#equal + 1) / 2. */
function refRanks(x: number[]): number[] {
  return x.map((v) => x.filter((w) => w < v).length + (x.filter((w) => w === v).length + 1) / 2);
}

function pairComplete(a: number[], b: number[]): [number[], number[]] {
  const keep = a.map((_, i) => i).filter((i) => !Number.isNaN(a[i]!) && !Number.isNaN(b[i]!));
  return [keep.map((i) => a[i]!), keep.map((i) => b[i]!)];
}

test('Pearson and Spearman matrices equal the references, pairwise complete, ties at average ranks', () => {
  const raw = [A, B, C, D];
  const { pearson, spearman } = correlationMatrices(COLS);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const [x, y] = pairComplete(raw[i]!, raw[j]!);
      assert.equal(pearson.n[i]![j], x.length);
      assert.ok(Math.abs(pearson.values[i]![j]! - refPearson(x, y)) < 1e-12, `pearson ${i},${j}`);
      assert.ok(Math.abs(spearman.values[i]![j]! - refPearson(refRanks(x), refRanks(y))) < 1e-12, `spearman ${i},${j}`);
    }
  }
  // a–d: monotone without ties over 9 shared windows → Spearman exactly 1 by 1 − 6Σd²/(n(n²−1)).
  assert.equal(spearman.values[0]![3], 1);
  assert.ok(pearson.values[0]![3]! < 0.99);
  // c has ties (three 3s): the loop above checked it against ranks counted by comparison, where
  // tied values share (#smaller) + (#equal + 1) / 2 — here 2 + 4/2 = 4 for each 3 among c's
  // valued windows (ranks 3, 4, 5 averaged); among the 8 windows c shares with d they are recounted.
  assert.deepEqual(refRanks([5, 3, 3, 8, 1, 3, 9, 2, 7]), [6, 4, 4, 8, 1, 4, 9, 2, 7]);
  // The windows of a and c: c's hole drops window 5.
  assert.equal(pearson.n[0]![2], 9);
  assert.equal(pearson.n[2]![3], 8);
});

test('Spearman without ties equals 1 − 6Σd²/(n(n²−1))', () => {
  const x = [3.1, 1.2, 5.5, 4.4, 2.0, 9.1, 7.3];
  const y = [2, 1, 4, 7, 3, 6, 5];
  const rx = refRanks(x);
  const ry = refRanks(y);
  const n = x.length;
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]!) ** 2, 0);
  const { spearman } = correlationMatrices([Float64Array.from(x), Float64Array.from(y)]);
  assert.ok(Math.abs(spearman.values[0]![1]! - (1 - (6 * d2) / (n * (n * n - 1)))) < 1e-12);
});

/** Eigenpairs of a symmetric matrix by power iteration with Hotelling deflation. */
function powerEigen(m: number[][]): { values: number[]; vectors: number[][] } {
  const p = m.length;
  let a = m.map((r) => [...r]);
  const values: number[] = [];
  const vectors: number[][] = [];
  for (let k = 0; k < p; k++) {
    let v = Array.from({ length: p }, (_, i) => 1 + i * 0.37);
    let lambda = 0;
    for (let it = 0; it < 20_000; it++) {
      const w = a.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      const next = w.map((x) => x / norm);
      lambda = next.reduce((s, x, i) => s + x * a[i]!.reduce((t, y, j) => t + y * next[j]!, 0), 0);
      const diff = Math.min(Math.hypot(...next.map((x, i) => x - v[i]!)), Math.hypot(...next.map((x, i) => x + v[i]!)));
      v = next;
      if (diff < 1e-14) break;
    }
    values.push(lambda);
    vectors.push(v);
    a = a.map((row, i) => row.map((x, j) => x - lambda * v[i]! * v[j]!));
  }
  return { values, vectors };
}

/** Correlation matrix of complete rows, computed from z-scores by hand. */
function refCorrelation(cols: number[][]): { r: number[][]; rows: number[] } {
  const rows = cols[0]!.map((_, i) => i).filter((i) => cols.every((c) => !Number.isNaN(c[i]!)));
  const z = cols.map((c) => {
    const v = rows.map((i) => c[i]!);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
    return v.map((x) => (x - mean) / sd);
  });
  const r = z.map((a) => z.map((b) => a.reduce((s, x, k) => s + x * b[k]!, 0) / (rows.length - 1)));
  return { r, rows };
}

function sameUpToSign(a: readonly number[], b: readonly number[], tol: number): boolean {
  const plus = a.every((x, i) => Math.abs(x - b[i]!) < tol);
  const minus = a.every((x, i) => Math.abs(x + b[i]!) < tol);
  return plus || minus;
}

test('PCA eigenvalues, variance ratios, loadings and scores equal power iteration on the hand-made matrix', () => {
  const raw = [A, B, C, D];
  const t = Float64Array.from(A, (_, i) => 1000 + i);
  const pca = principalComponents({ names: ['a', 'b', 'c', 'd'], columns: COLS, t });
  const { r, rows } = refCorrelation(raw);
  assert.equal(pca.windows, rows.length);
  assert.equal(pca.windows, 8);
  const ref = powerEigen(r);
  const total = ref.values.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(total - 4) < 1e-9, 'trace of a correlation matrix = p');
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(pca.eigenvalues[k]! - ref.values[k]!) < 1e-8, `λ${k} ${pca.eigenvalues[k]} vs ${ref.values[k]}`);
    assert.ok(Math.abs(pca.explainedVarianceRatio[k]! - ref.values[k]! / total) < 1e-9);
  }
  // Loadings of the well-separated leading components, up to sign.
  for (let k = 0; k < 2; k++) assert.ok(sameUpToSign(pca.loadings[k]!, ref.vectors[k]!, 1e-6), `loadings ${k}`);
  // Scores: z · v1 for the first complete window, recomputed from the reference.
  const first = rows[0]!;
  const zFirst = raw.map((c) => {
    const v = rows.map((i) => c[i]!);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
    return (c[first]! - mean) / sd;
  });
  const score = zFirst.reduce((s, z, j) => s + z * pca.loadings[0]![j]!, 0);
  assert.equal(pca.projection.t[0], 1000 + first);
  assert.ok(Math.abs(pca.projection.pc1[0]! - score) < 1e-12);
  assert.equal(pca.projection.t.length, 8);
  // Windows 4 and 6 (holes in c and d) are not projected.
  assert.ok(!pca.projection.t.includes(1004) && !pca.projection.t.includes(1006));
});

test('Jacobi: the 2×2 correlation closed form 1 ± r and a 3×3 with known eigenvalues', () => {
  const rho = 0.6;
  const two = jacobiEigen([[1, rho], [rho, 1]]);
  assert.ok(Math.abs(two.values[0]! - 1.6) < 1e-14 && Math.abs(two.values[1]! - 0.4) < 1e-14);
  assert.ok(sameUpToSign(two.vectors[0]!, [Math.SQRT1_2, Math.SQRT1_2], 1e-14));
  // [[2,1,0],[1,2,1],[0,1,2]]: eigenvalues 2 + √2, 2, 2 − √2; eigenvector of 2 + √2 ∝ (1, √2, 1).
  const three = jacobiEigen([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);
  const expect = [2 + Math.SQRT2, 2, 2 - Math.SQRT2];
  expect.forEach((e, k) => assert.ok(Math.abs(three.values[k]! - e) < 1e-13, `λ${k}`));
  assert.ok(sameUpToSign(three.vectors[0]!, [0.5, Math.SQRT1_2, 0.5], 1e-13));
});

test('summary statistics and histogram of a small column equal hand-worked values', () => {
  const col = Float64Array.from([4, 1, N, 3, 2, 10]);
  const s = featureStats('x', col);
  assert.equal(s.count, 5);
  assert.equal(s.missing, 1);
  assert.equal(s.mean, 4);
  // Σ(x−4)² = 0+9+1+4+36 = 50 → sample variance 12.5.
  assert.ok(Math.abs(s.std! - Math.sqrt(12.5)) < 1e-12);
  assert.equal(s.min, 1);
  assert.equal(s.max, 10);
  assert.equal(s.median, 3);
  // numpy: percentile([1,2,3,4,10], 25) = 2, 75 → 4, 5 → 1.2, 95 → 8.8.
  assert.equal(s.p25, 2);
  assert.equal(s.p75, 4);
  assert.ok(Math.abs(s.p5! - 1.2) < 1e-12 && Math.abs(s.p95! - 8.8) < 1e-12);
  // m2 = 50/5 = 10, m3 = (0 − 27 − 1 − 8 + 216)/5 = 36; G1 = √20/3 · 36/10^1.5 (pandas: 1.6970).
  assert.ok(Math.abs(s.skew! - (Math.sqrt(20) / 3) * (36 / 10 ** 1.5)) < 1e-12);
  assert.ok(Math.abs(s.skew! - 1.697056) < 1e-6);
  const h = histogram('x', sortedValues(col), 3);
  assert.deepEqual(h.edges, [1, 4, 7, 10]);
  assert.deepEqual(h.counts, [3, 1, 1]);
  assert.deepEqual(histogram('k', Float64Array.from([5, 5]), 2).edges, [4.5, 5, 5.5]);
});

test('suggestions: near-constant features and one side of each |r| ≥ 0.95 pair, with reasons', () => {
  const n = 200;
  const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 7) * 10 + i * 0.01);
  const b = Float64Array.from(a, (x, i) => 3 * x + (i % 3) * 0.01);
  const c = Float64Array.from({ length: n }, (_, i) => (i === 7 ? 1 : 0));
  const d = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 3));
  const e = Float64Array.from(b, (x, i) => (i < 20 ? Number.NaN : x));
  const names = ['a', 'b', 'c', 'd', 'e'];
  const cols = [a, b, c, d, e];
  const stats = names.map((f, j) => featureStats(f, cols[j]!));
  const { pearson } = correlationMatrices(cols);
  const s = suggestFeatures(names, stats, pearson);
  const byName = new Map(s.drop.map((x) => [x.feature, x]));
  assert.equal(byName.get('c')?.kind, 'near_constant');
  assert.match(byName.get('c')!.reason, /99\.5 % of its 200 windows/);
  // e duplicates b with 20 missing windows: e goes; then a–b (r ≈ 1): one of them goes.
  assert.equal(byName.get('e')?.kind, 'correlated');
  assert.equal(byName.get('e')?.keptInstead, 'b');
  assert.match(byName.get('e')!.reason, /more missing windows \(20 against 0\)/);
  assert.ok(byName.has('a') !== byName.has('b'));
  assert.ok(s.keep.includes('d'));
  assert.equal(s.keep.length + s.drop.length, 5);
});

test('feature table: idle windows of a capture are 0 for rates and missing for ratios; differences on the grid', () => {
  const rows = [
    { t: 100, bytes_per_second: 10, packets_per_second: 1, avg_packet_size: 10, tcp_rtt_ms: 5 },
    { t: 101, bytes_per_second: 30, packets_per_second: 2, avg_packet_size: 15, tcp_rtt_ms: null },
    { t: 104, bytes_per_second: 20, packets_per_second: 1, avg_packet_size: 20, tcp_rtt_ms: 7 },
  ];
  const shape = { resolution: 1, fillGaps: true, seriesColumns: [] };
  const table = buildFeatureTable(rows, shape, ['bytes_per_second', 'avg_packet_size', 'bytes_per_second_diff', 'avg_packet_size_diff']);
  assert.deepEqual([...table.t], [100, 101, 102, 103, 104]);
  assert.deepEqual([...table.columns[0]!], [10, 30, 0, 0, 20]);
  assert.deepEqual([...table.columns[1]!].map((v) => (Number.isNaN(v) ? null : v)), [10, 15, null, null, 20]);
  assert.deepEqual([...table.columns[2]!].map((v) => (Number.isNaN(v) ? null : v)), [null, 20, -30, 0, 20]);
  assert.deepEqual([...table.columns[3]!].map((v) => (Number.isNaN(v) ? null : v)), [null, 5, null, null, null]);
  // Default set: values with any value (connection counts are 0 in the idle windows), plus the
  // throughput differences.
  const def = buildFeatureTable(rows, shape);
  assert.deepEqual(def.names, [
    'bytes_per_second', 'packets_per_second', 'avg_packet_size', 'tcp_rtt_ms', 'active_connections', 'new_connections',
    'bytes_per_second_diff', 'packets_per_second_diff',
  ]);
  assert.ok(def.skipped.some((s) => s.feature === 'bif_mean'));
  assert.throws(() => buildFeatureTable(rows, shape, ['tcp_rtt_ms_diff']), /unknown feature "tcp_rtt_ms_diff"/);
  assert.throws(() => buildFeatureTable([{ t: 0 }, { t: 60_000 }], shape), /60001 windows of 1 s .* more than the 50000/);
  const figures = exploreFeatures(def);
  assert.equal(figures.windows, 5);
  assert.equal(figures.pearson.values.length, 8);
  // Connection counts: only the idle zeros → constant, out of the PCA and suggested for dropping.
  assert.ok(figures.suggestions.drop.some((d) => d.feature === 'active_connections' && d.kind === 'near_constant'));
});
