/**
 * PCA for the exploration view (pure): features standardised over the windows where all of
 * them have a value, the eigen-decomposition of their correlation matrix by the cyclic Jacobi
 * method, explained variance ratios, loadings and the first two component scores per window.
 */
import { EXPLORE_MAX_PROJECTION_POINTS } from '../../src-shared/explore-api.js';
import type { PcaResult } from '../../src-shared/explore-api.js';

/** Eigenvalues (descending) and unit eigenvectors (vectors[k] belongs to values[k]) of a symmetric matrix. */
export interface Eigen {
  readonly values: number[];
  readonly vectors: number[][];
}

/**
 * Eigen-decomposition of a symmetric p×p matrix by cyclic Jacobi rotations: sweeps zero each
 * off-diagonal element in turn until their sum of squares is below 1e-22 of the total (or 100
 * sweeps). Exact to rounding for the small matrices here (p ≤ a few dozen).
 */
export function jacobiEigen(matrix: readonly (readonly number[])[]): Eigen {
  const p = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  let total = 0;
  for (const row of a) for (const x of row) total += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i]![j]! ** 2;
    if (off <= 1e-22 * Math.max(total, 1e-300)) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i]![j]!;
        if (aij === 0) continue;
        // The rotation angle that zeroes a[i][j] (Golub & Van Loan, Algorithm 8.5.1, sym.schur2).
        const theta = (a[j]![j]! - a[i]![i]!) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k]![i]!;
          const akj = a[k]![j]!;
          a[k]![i] = c * aki - s * akj;
          a[k]![j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i]![k]!;
          const ajk = a[j]![k]!;
          a[i]![k] = c * aik - s * ajk;
          a[j]![k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k]![i]!;
          const vkj = v[k]![j]!;
          v[k]![i] = c * vki - s * vkj;
          v[k]![j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => a[y]![y]! - a[x]![x]!);
  return {
    values: order.map((k) => a[k]![k]!),
    vectors: order.map((k) => v.map((row) => row[k]!)),
  };
}

/** A feature column of the PCA input: name and values (NaN = no value). */
export interface PcaInput {
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly t: Float64Array;
}

/**
 * PCA of the columns over their listwise-complete windows. The caller leaves out constant and
 * mostly-missing columns; a column constant over the complete windows is an error here.
 */
export function principalComponents(input: PcaInput, maxPoints = EXPLORE_MAX_PROJECTION_POINTS): Omit<PcaResult, 'excluded'> {
  const p = input.columns.length;
  const rows: number[] = [];
  for (let i = 0; i < input.t.length; i++) if (input.columns.every((c) => !Number.isNaN(c[i]!))) rows.push(i);
  const n = rows.length;
  const z = input.columns.map((c) => {
    let s = 0;
    for (const i of rows) s += c[i]!;
    const mean = s / n;
    let q = 0;
    for (const i of rows) q += (c[i]! - mean) ** 2;
    const sd = Math.sqrt(q / (n - 1));
    return Float64Array.from(rows, (i) => (c[i]! - mean) / sd);
  });
  const r = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      const za = z[a]!;
      const zb = z[b]!;
      for (let k = 0; k < n; k++) s += za[k]! * zb[k]!;
      r[a]![b] = r[b]![a] = s / (n - 1);
    }
  }
  const { values, vectors } = jacobiEigen(r);
  const eigenvalues = values.map((x) => Math.max(0, x));
  const sum = eigenvalues.reduce((s, x) => s + x, 0);
  const loadings = vectors.map((vec) => {
    const big = vec.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
    return big < 0 ? vec.map((x) => -x) : vec;
  });
  const step = Math.max(1, n / maxPoints);
  const picked: number[] = [];
  for (let k = 0; Math.floor(k * step) < n && picked.length < maxPoints; k++) picked.push(Math.floor(k * step));
  const score = (comp: number, k: number): number => {
    const vec = loadings[comp];
    if (vec === undefined) return 0;
    let s = 0;
    for (let j = 0; j < p; j++) s += z[j]![k]! * vec[j]!;
    return s;
  };
  return {
    features: input.names,
    windows: n,
    eigenvalues,
    explainedVarianceRatio: eigenvalues.map((x) => (sum > 0 ? x / sum : 0)),
    loadings,
    projection: {
      t: picked.map((k) => input.t[rows[k]!]!),
      pc1: picked.map((k) => score(0, k)),
      pc2: picked.map((k) => score(1, k)),
      total: n,
    },
  };
}
