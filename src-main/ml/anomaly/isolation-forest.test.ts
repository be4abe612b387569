import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averagePathLength, averagePathLengths, EULER_GAMMA, fitIsolationForest, pathAttribution, scoreIsolationForest, treePathLength,
  type IsolationForestModel, type IsolationTree, type Matrix,
} from './isolation-forest.js';
import { seededRandom } from './seeded-random.js';

/** n normal points in d dimensions (Box–Muller on a seeded generator) plus `far` points at radius 8–10. */
function plantedData(n: number, far: number, d: number, seed: number): Matrix {
  const rnd = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const data = new Float64Array((n + far) * d);
  for (let i = 0; i < n * d; i++) data[i] = gauss();
  for (let k = 0; k < far; k++) {
    const v = Array.from({ length: d }, gauss);
    const norm = Math.hypot(...v);
    const radius = 8 + 2 * rnd();
    for (let j = 0; j < d; j++) data[(n + k) * d + j] = (v[j]! / norm) * radius;
  }
  return { data, rows: n + far, cols: d };
}

test('c(n) follows 2H(n−1) − 2(n−1)/n with H(i) ≈ ln i + γ, c(2) = 1, c(1) = 0', () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  // c(3) = 2(ln 2 + γ) − 4/3 = 1.2073922...
  assert.ok(Math.abs(averagePathLength(3) - 1.2073922) < 1e-6);
  // c(256) = 2(ln 255 + γ) − 2·255/256 = 10.2447709...
  assert.ok(Math.abs(averagePathLength(256) - 10.2447709) < 1e-6);
  assert.equal(averagePathLength(256), 2 * (Math.log(255) + EULER_GAMMA) - (2 * 255) / 256);
});

test('path length on a hand-built tree: edges plus c(leaf size)', () => {
  // root: x0 < 5 → leaf(1); else x1 < 2 → leaf(3) | leaf(2)
  const tree: IsolationTree = {
    feature: [0, -1, 1, -1, -1], split: [5, 0, 2, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1], size: [6, 1, 5, 3, 2],
  };
  assert.equal(treePathLength(tree, [1, 0]), 1);
  assert.ok(Math.abs(treePathLength(tree, [9, 1]) - (2 + averagePathLength(3))) < 1e-12);
  assert.equal(treePathLength(tree, [9, 9]), 3);
  const model: IsolationForestModel = { kind: 'isolation-forest', version: 1, cols: 2, sampleSize: 6, heightLimit: 3, seed: 0, trees: [tree, tree] };
  const h = averagePathLengths(model, Float64Array.from([1, 0, 9, 9]));
  assert.deepEqual([...h], [1, 3]);
  const s = scoreIsolationForest(model, Float64Array.from([1, 0]));
  assert.ok(Math.abs(s[0]! - 2 ** (-1 / averagePathLength(6))) < 1e-12);
});

test('two points, ψ = 2: one split, path length 1, score exactly 0.5 for both', () => {
  const model = fitIsolationForest({ data: Float64Array.from([0, 1]), rows: 2, cols: 1 }, { trees: 10, seed: 3 });
  assert.equal(model.sampleSize, 2);
  assert.equal(model.heightLimit, 1);
  assert.deepEqual([...scoreIsolationForest(model, Float64Array.from([0, 1]))], [0.5, 0.5]);
});

test('planted outliers: 10 far points among 500 normal 4-D points are all in the top 15 scores', () => {
  const X = plantedData(500, 10, 4, 42);
  const model = fitIsolationForest(X, { seed: 7 });
  assert.equal(model.sampleSize, 256);
  assert.equal(model.heightLimit, 8);
  assert.equal(model.trees.length, 100);
  const scores = scoreIsolationForest(model, X.data);
  const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!);
  const top15 = new Set(order.slice(0, 15));
  for (let k = 500; k < 510; k++) assert.ok(top15.has(k), `outlier ${k} (score ${scores[k]}) not in the top 15`);
  for (const s of scores) assert.ok(s > 0 && s <= 1, `score ${s} outside (0, 1]`);
  // Normal points sit near or below 0.5, the planted ones well above.
  const sortedNormal = [...scores.slice(0, 500)].sort((a, b) => a - b);
  assert.ok(sortedNormal[250]! < 0.5);
  const minOutlier = Math.min(...scores.slice(500));
  assert.ok(minOutlier > 0.55 && minOutlier > sortedNormal[495]!, `lowest outlier score ${minOutlier}`);
});

test('identical seeds give identical scores; different seeds differ; the model survives JSON', () => {
  const X = plantedData(300, 5, 3, 9);
  const a = scoreIsolationForest(fitIsolationForest(X, { seed: 11 }), X.data);
  const b = scoreIsolationForest(fitIsolationForest(X, { seed: 11 }), X.data);
  const c = scoreIsolationForest(fitIsolationForest(X, { seed: 12 }), X.data);
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...c]);
  const model = fitIsolationForest(X, { seed: 11 });
  const copy = JSON.parse(JSON.stringify(model)) as IsolationForestModel;
  assert.deepEqual([...scoreIsolationForest(copy, X.data)], [...a]);
});

test('path attribution points at the attribute that isolates an outlier', () => {
  const X = plantedData(400, 0, 3, 5);
  const model = fitIsolationForest(X, { seed: 2 });
  const attr = pathAttribution(model, [0, 25, 0]);
  assert.ok(attr[1]! > attr[0]! && attr[1]! > attr[2]!, `attribution ${[...attr].join(', ')}`);
  assert.ok(Math.abs(attr.reduce((s, v) => s + v, 0) - 1) < 1e-9);
});

test('bad input is refused with a message', () => {
  assert.throws(() => fitIsolationForest({ data: new Float64Array(0), rows: 0, cols: 1 }), /at least one row/);
  assert.throws(() => fitIsolationForest({ data: Float64Array.from([1, NaN]), rows: 2, cols: 1 }), /row 1, column 0 is not finite/);
});
