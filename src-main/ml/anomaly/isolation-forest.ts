/**
 * Isolation Forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008), written here because no
 * maintained JS library is both correct and seeded.
 *
 * Each tree is grown on a subsample of ψ rows drawn without replacement (default ψ = 256),
 * splitting on a random attribute at a value drawn uniformly between that attribute's min and
 * max in the node, until a node holds one row, all its rows are equal, or the height limit
 * ceil(log2 ψ) is reached. The path length h(x) of a point is the number of edges from the root
 * to the leaf it reaches plus c(size) for the rows the leaf still holds; the score is
 * s(x) = 2^(−E[h(x)] / c(ψ)), in (0, 1]: near 1 is anomalous, well below 0.5 normal.
 *
 * Where the paper leaves a choice open: the split attribute is drawn among the attributes that
 * are not constant in the node (as scikit-learn does), so a constant column never wastes a
 * level; a node whose attributes are all constant becomes a leaf.
 *
 * The model is plain arrays of numbers (JSON-serializable) so it exports with a model folder.
 */
import { randomInt, seededRandom } from './seeded-random.js';

/** Euler–Mascheroni constant, for H(i) ≈ ln(i) + γ. */
export const EULER_GAMMA = 0.5772156649;

/** A row-major matrix: row r, column c is data[r * cols + c]. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** One isolation tree, flattened: node i is a leaf when feature[i] < 0. */
export interface IsolationTree {
  /** Split attribute (column index), −1 for a leaf. */
  readonly feature: number[];
  /** Split value: x[feature] < split goes left, else right. */
  readonly split: number[];
  readonly left: number[];
  readonly right: number[];
  /** Rows of the subsample that reached the node (used at leaves for c(size)). */
  readonly size: number[];
}

/** A trained forest: plain JSON. */
export interface IsolationForestModel {
  readonly kind: 'isolation-forest';
  readonly version: 1;
  readonly cols: number;
  /** ψ actually used: min(sampleSize, rows). */
  readonly sampleSize: number;
  readonly heightLimit: number;
  readonly seed: number;
  readonly trees: readonly IsolationTree[];
}

/** Options of {@link fitIsolationForest}. */
export interface IsolationForestOptions {
  /** Number of trees t (default 100, the paper's). */
  readonly trees?: number;
  /** Subsample size ψ (default 256, the paper's). */
  readonly sampleSize?: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
}

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points,
 * 2H(n−1) − 2(n−1)/n with H(i) ≈ ln(i) + γ; c(2) = 1 exactly (H(1) = 1) and c(n ≤ 1) = 0, as in
 * the paper's implementation and scikit-learn's.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Grows a forest on X (rows × cols, row-major). Throws on non-finite values or no rows. */
export function fitIsolationForest(matrix: Matrix, options: IsolationForestOptions = {}): IsolationForestModel {
  const { data: X, rows, cols } = matrix;
  if (rows < 1 || cols < 1) throw new Error(`isolation forest: need at least one row and one column, got ${rows}×${cols}`);
  if (X.length !== rows * cols) throw new Error(`isolation forest: X has ${X.length} values, expected ${rows}×${cols}`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) throw new Error(`isolation forest: value at row ${Math.floor(i / cols)}, column ${i % cols} is not finite`);
  }
  const treeCount = options.trees ?? 100;
  const seed = options.seed ?? 1;
  const psi = Math.max(1, Math.min(options.sampleSize ?? 256, rows));
  const heightLimit = Math.ceil(Math.log2(Math.max(psi, 2)));
  const random = seededRandom(seed);
  const all = new Int32Array(rows);
  for (let i = 0; i < rows; i++) all[i] = i;
  const trees: IsolationTree[] = [];
  for (let k = 0; k < treeCount; k++) {
    // Partial Fisher–Yates: the first ψ entries become a sample without replacement.
    for (let i = 0; i < psi; i++) {
      const j = i + randomInt(random, rows - i);
      const tmp = all[i]!;
      all[i] = all[j]!;
      all[j] = tmp;
    }
    trees.push(growTree(X, cols, all.slice(0, psi), heightLimit, random));
  }
  return { kind: 'isolation-forest', version: 1, cols, sampleSize: psi, heightLimit, seed, trees };
}

/** Grows one tree over the sample rows `idx` (partitioned in place). */
function growTree(X: Float64Array, cols: number, idx: Int32Array, heightLimit: number, random: () => number): IsolationTree {
  const tree: IsolationTree = { feature: [], split: [], left: [], right: [], size: [] };
  const lo = new Float64Array(cols);
  const hi = new Float64Array(cols);
  const candidates: number[] = [];
  const build = (start: number, end: number, depth: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.split.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.size.push(end - start);
    if (end - start <= 1 || depth >= heightLimit) return node;
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let i = start; i < end; i++) {
      const base = idx[i]! * cols;
      for (let c = 0; c < cols; c++) {
        const v = X[base + c]!;
        if (v < lo[c]!) lo[c] = v;
        if (v > hi[c]!) hi[c] = v;
      }
    }
    candidates.length = 0;
    for (let c = 0; c < cols; c++) if (hi[c]! > lo[c]!) candidates.push(c);
    if (candidates.length === 0) return node;
    const f = candidates[randomInt(random, candidates.length)]!;
    const min = lo[f]!;
    const max = hi[f]!;
    let p = min + random() * (max - min);
    if (p <= min) p = (min + max) / 2; // keep both sides non-empty when random() is 0
    let m = start;
    for (let i = start; i < end; i++) {
      if (X[idx[i]! * cols + f]! < p) {
        const tmp = idx[m]!;
        idx[m] = idx[i]!;
        idx[i] = tmp;
        m++;
      }
    }
    tree.feature[node] = f;
    tree.split[node] = p;
    const l = build(start, m, depth + 1);
    const r = build(m, end, depth + 1);
    tree.left[node] = l;
    tree.right[node] = r;
    return node;
  };
  build(0, idx.length, 0);
  return tree;
}

/** h(x) in one tree: edges to the leaf plus c(leaf size). `used`, if given, counts splits per attribute. */
export function treePathLength(tree: IsolationTree, x: ArrayLike<number>, offset = 0, used?: Float64Array): number {
  let node = 0;
  let depth = 0;
  for (;;) {
    const f = tree.feature[node]!;
    if (f < 0) return depth + averagePathLength(tree.size[node]!);
    if (used !== undefined) used[f]! += 1;
    node = x[offset + f]! < tree.split[node]! ? tree.left[node]! : tree.right[node]!;
    depth++;
  }
}

/** E[h(x)] over the forest for every row of X (row-major, model.cols wide). */
export function averagePathLengths(model: IsolationForestModel, X: Float64Array): Float64Array {
  const rows = checkShape(model, X);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (const tree of model.trees) sum += treePathLength(tree, X, r * model.cols);
    out[r] = sum / model.trees.length;
  }
  return out;
}

/** Anomaly scores s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1] for every row of X (row-major, model.cols wide). */
export function scoreIsolationForest(model: IsolationForestModel, X: Float64Array): Float64Array {
  const h = averagePathLengths(model, X);
  const c = averagePathLength(model.sampleSize);
  // ψ = 1 gives c = 0: every point is equally (un)isolated; score 1 keeps the range (0, 1].
  for (let r = 0; r < h.length; r++) h[r] = c > 0 ? 2 ** (-h[r]! / c) : 1;
  return h;
}

/**
 * Path-based attribution of one row: for each attribute, the share of the splits on the row's
 * paths that tested it, averaged over trees (sums to 1 unless every tree is a single leaf).
 * Short paths of an outlier are dominated by the attribute that isolates it. Cheap: one pass.
 */
export function pathAttribution(model: IsolationForestModel, x: ArrayLike<number>, offset = 0): Float64Array {
  const total = new Float64Array(model.cols);
  const used = new Float64Array(model.cols);
  for (const tree of model.trees) {
    used.fill(0);
    treePathLength(tree, x, offset, used);
    let edges = 0;
    for (let c = 0; c < model.cols; c++) edges += used[c]!;
    if (edges > 0) for (let c = 0; c < model.cols; c++) total[c]! += used[c]! / edges;
  }
  for (let c = 0; c < model.cols; c++) total[c]! /= model.trees.length;
  return total;
}

function checkShape(model: IsolationForestModel, X: Float64Array): number {
  if (X.length % model.cols !== 0) throw new Error(`isolation forest: X has ${X.length} values, not a multiple of ${model.cols} columns`);
  return X.length / model.cols;
}
