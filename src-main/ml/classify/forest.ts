/**
 * A seeded random forest (our own, pure): bootstrap samples, a random subset of features per
 * split, the best weighted-Gini threshold among them, leaves holding class distributions. It
 * works on raw feature rows (trees need no scaling) and scores fast: one leaf per tree.
 * The classifier ensembles it with the TensorFlow.js nets (classify-model.ts).
 */
import { mulberry32 } from '../forecast-model.js';

/** Settings of a forest. */
export interface ForestSettings {
  readonly trees: number;
  readonly maxDepth: number;
  /** Fewest (unweighted) rows in a leaf. */
  readonly minLeaf: number;
  /** Features tried per split (0 = round(sqrt(candidates))). */
  readonly mtry: number;
  /** Only the first `candidates` columns are split on (0 = all). */
  readonly candidates?: number;
  readonly seed: number;
}

/** Defaults. */
export const DEFAULT_FOREST: ForestSettings = { trees: 30, maxDepth: 12, minLeaf: 2, mtry: 0, seed: 42 };

/**
 * A trained forest, flat: node i splits on `feature[i]` at `threshold[i]` (value <= threshold →
 * `left[i]`, else `right[i]`); a leaf has feature −1 and its class distribution at
 * `leafValues[left[i] … left[i] + classes)`. `roots[t]` is the root node of tree t.
 */
export interface Forest {
  readonly features: number;
  readonly classes: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly leafValues: Float32Array;
}

/**
 * Trains a forest on x (n × features, row-major) and y (class indices), each row weighted by
 * `rowWeight` (class weights for imbalance; 1 when omitted).
 */
export function trainForest(x: Float32Array, y: Int32Array, features: number, classes: number, s: ForestSettings, rowWeight?: Float32Array): Forest {
  const n = y.length;
  const rand = mulberry32(s.seed);
  const usable = s.candidates !== undefined && s.candidates > 0 ? Math.min(s.candidates, features) : features;
  const mtry = s.mtry > 0 ? Math.min(s.mtry, usable) : Math.max(1, Math.round(Math.sqrt(usable)));
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leafValues: number[] = [];
  const roots = new Int32Array(s.trees);
  const w = rowWeight ?? new Float32Array(n).fill(1);
  const vals = new Float64Array(n);
  const order = new Int32Array(n);
  const leftCounts = new Float64Array(classes);
  const totCounts = new Float64Array(classes);

  const makeLeaf = (rows: Int32Array): number => {
    const node = feature.length;
    const dist = new Float64Array(classes);
    let sum = 0;
    for (const r of rows) {
      dist[y[r] ?? 0] = (dist[y[r] ?? 0] ?? 0) + (w[r] ?? 1);
      sum += w[r] ?? 1;
    }
    feature.push(-1);
    threshold.push(0);
    left.push(leafValues.length);
    right.push(-1);
    for (let c = 0; c < classes; c++) leafValues.push(sum > 0 ? (dist[c] ?? 0) / sum : 1 / classes);
    return node;
  };

  const grow = (rows: Int32Array, depth: number): number => {
    totCounts.fill(0);
    let total = 0;
    for (const r of rows) {
      totCounts[y[r] ?? 0] = (totCounts[y[r] ?? 0] ?? 0) + (w[r] ?? 1);
      total += w[r] ?? 1;
    }
    let pure = 0;
    for (let c = 0; c < classes; c++) if ((totCounts[c] ?? 0) > 0) pure++;
    if (depth >= s.maxDepth || rows.length < 2 * s.minLeaf || pure <= 1) return makeLeaf(rows);
    let parentSq = 0;
    for (let c = 0; c < classes; c++) parentSq += (totCounts[c] ?? 0) ** 2;
    const parentScore = parentSq / total;
    const tot = Float64Array.from(totCounts);
    let bestGain = 1e-12;
    let bestF = -1;
    let bestT = 0;
    const m = rows.length;
    // Partial Fisher–Yates over feature indices picks mtry distinct features.
    const cand = Int32Array.from({ length: usable }, (_, i) => i);
    for (let k = 0; k < mtry; k++) {
      const j = k + Math.floor(rand() * (usable - k));
      const f = cand[j] ?? 0;
      cand[j] = cand[k] ?? 0;
      cand[k] = f;
      for (let i = 0; i < m; i++) {
        order[i] = i;
        vals[i] = x[(rows[i] ?? 0) * features + f] ?? 0;
      }
      const ord = order.subarray(0, m).sort((a, b) => (vals[a] ?? 0) - (vals[b] ?? 0));
      if ((vals[ord[0] ?? 0] ?? 0) === (vals[ord[m - 1] ?? 0] ?? 0)) continue;
      leftCounts.fill(0);
      let lw = 0;
      let lSq = 0;
      let rSq = parentSq;
      for (let i = 0; i < m - 1; i++) {
        const r = rows[ord[i] ?? 0] ?? 0;
        const c = y[r] ?? 0;
        const wr = w[r] ?? 1;
        const lc = leftCounts[c] ?? 0;
        const rc = (tot[c] ?? 0) - lc;
        lSq += 2 * lc * wr + wr * wr;
        rSq += -2 * rc * wr + wr * wr;
        leftCounts[c] = lc + wr;
        lw += wr;
        if (i + 1 < s.minLeaf || m - i - 1 < s.minLeaf) continue;
        const v = vals[ord[i] ?? 0] ?? 0;
        const next = vals[ord[i + 1] ?? 0] ?? 0;
        if (v === next) continue;
        const rw = total - lw;
        if (lw <= 0 || rw <= 0) continue;
        const gain = lSq / lw + rSq / rw - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestT = (v + next) / 2;
        }
      }
    }
    if (bestF < 0) return makeLeaf(rows);
    const l: number[] = [];
    const r: number[] = [];
    for (const row of rows) ((x[row * features + bestF] ?? 0) <= bestT ? l : r).push(row);
    if (l.length === 0 || r.length === 0) return makeLeaf(rows);
    const node = feature.length;
    feature.push(bestF);
    threshold.push(bestT);
    left.push(-1);
    right.push(-1);
    const ln = grow(Int32Array.from(l), depth + 1);
    const rn = grow(Int32Array.from(r), depth + 1);
    left[node] = ln;
    right[node] = rn;
    return node;
  };

  for (let t = 0; t < s.trees; t++) {
    const sample = new Int32Array(n);
    for (let i = 0; i < n; i++) sample[i] = Math.floor(rand() * n);
    roots[t] = grow(sample, 0);
  }
  return {
    features, classes, roots, feature: Int32Array.from(feature), threshold: Float32Array.from(threshold),
    left: Int32Array.from(left), right: Int32Array.from(right), leafValues: Float32Array.from(leafValues),
  };
}

/** Class probabilities of m rows of raw features (m × classes): the mean leaf distribution over the trees. */
export function forestProbabilities(forest: Forest, x: Float32Array, m: number): Float32Array {
  const { features, classes, roots, feature, threshold, left, right, leafValues } = forest;
  const out = new Float32Array(m * classes);
  const inv = 1 / Math.max(1, roots.length);
  for (let r = 0; r < m; r++) {
    const base = r * features;
    const o = r * classes;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t] as number;
      let f = feature[node] as number;
      while (f >= 0) {
        node = (x[base + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
        f = feature[node] as number;
      }
      const leaf = left[node] as number;
      for (let c = 0; c < classes; c++) out[o + c] = (out[o + c] as number) + (leafValues[leaf + c] as number) * inv;
    }
  }
  return out;
}
