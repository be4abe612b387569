/**
 * Evaluation of a flow classifier, pure: folds grouped by source file (no file in both train and
 * test), per-class precision / recall / F1, macro-F1 and the confusion matrix, class weights.
 */
import { seededRandom } from '../anomaly/seeded-random.js';

/** One fold: row indices to train on and to test on. */
export interface Fold {
  readonly train: Int32Array;
  readonly test: Int32Array;
  /** Groups (files) whose rows are in `test`. */
  readonly testGroups: readonly number[];
}

/**
 * K folds grouped by `groups[i]` (the source file of row i): groups are shuffled (seeded), then
 * each goes to the fold with the fewest rows so far, largest groups first. A group's rows are
 * all in one fold's test set and in no other fold's. k is capped at the number of groups.
 */
export function groupedFolds(groups: ArrayLike<number>, k: number, seed = 1): Fold[] {
  const sizes = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) sizes.set(groups[i] ?? 0, (sizes.get(groups[i] ?? 0) ?? 0) + 1);
  const ids = [...sizes.keys()];
  const rand = seededRandom(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  ids.sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0));
  const folds = Math.max(1, Math.min(k, ids.length));
  const load = new Array<number>(folds).fill(0);
  const foldOf = new Map<number, number>();
  const members: number[][] = Array.from({ length: folds }, () => []);
  for (const g of ids) {
    let best = 0;
    for (let f = 1; f < folds; f++) if ((load[f] ?? 0) < (load[best] ?? 0)) best = f;
    foldOf.set(g, best);
    load[best] = (load[best] ?? 0) + (sizes.get(g) ?? 0);
    members[best]?.push(g);
  }
  return members.map((testGroups, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < groups.length; i++) (foldOf.get(groups[i] ?? 0) === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test), testGroups };
  });
}

/** Per-class figures. */
export interface ClassScores {
  readonly label: string;
  /** Rows of this class in the truth. */
  readonly support: number;
  readonly predicted: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Evaluation of predictions against truth. */
export interface ClassifyMetrics {
  readonly labels: readonly string[];
  readonly perClass: readonly ClassScores[];
  /** Mean F1 over the classes present in the truth. */
  readonly macroF1: number;
  readonly accuracy: number;
  /** confusion[truth][predicted], in `labels` order. */
  readonly confusion: readonly (readonly number[])[];
  readonly rows: number;
}

/** Metrics of `predicted` against `truth` (class indices into `labels`; −1 in predicted = no answer). */
export function classifyMetrics(labels: readonly string[], truth: ArrayLike<number>, predicted: ArrayLike<number>): ClassifyMetrics {
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] ?? -1;
    const p = predicted[i] ?? -1;
    if (t < 0) continue;
    if (p >= 0) (confusion[t] as number[])[p] = ((confusion[t] as number[])[p] ?? 0) + 1;
    if (p === t) correct++;
  }
  const perClass = labels.map((label, c): ClassScores => {
    const tp = confusion[c]?.[c] ?? 0;
    const support = truth.length === 0 ? 0 : countOf(truth, c);
    const predictedN = countOf(predicted, c);
    const precision = predictedN === 0 ? 0 : tp / predictedN;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, support, predicted: predictedN, precision, recall, f1 };
  });
  const present = perClass.filter((c) => c.support > 0);
  const macroF1 = present.length === 0 ? 0 : present.reduce((s, c) => s + c.f1, 0) / present.length;
  return { labels, perClass, macroF1, accuracy: truth.length === 0 ? 0 : correct / truth.length, confusion, rows: truth.length };
}

function countOf(xs: ArrayLike<number>, c: number): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] === c) n++;
  return n;
}

/** Balanced class weights n / (classes present × count), for the classes with rows in `y`. */
export function classWeights(y: ArrayLike<number>, k: number): Record<number, number> {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i] ?? 0] = (counts[y[i] ?? 0] ?? 0) + 1;
  const present = counts.filter((c) => c > 0).length;
  const out: Record<number, number> = {};
  counts.forEach((c, i) => {
    out[i] = c === 0 ? 0 : y.length / (present * c);
  });
  return out;
}

/**
 * Row weights balanced over classes and, within a class, over source files: every class weighs
 * the same in total, shared equally by the files that hold it, and within a file equally by its
 * rows. A capture with hundreds of near-identical flows of one class (a scan, one P2P session)
 * then counts as one example of that class's behaviour, not hundreds — which is what a split
 * by file asks the model to generalise from. Mean weight 1.
 */
export function fileBalancedWeights(y: ArrayLike<number>, groups: ArrayLike<number>): Float32Array {
  const perCell = new Map<string, number>();
  const filesOf = new Map<number, Set<number>>();
  for (let i = 0; i < y.length; i++) {
    const c = y[i] ?? 0;
    const g = groups[i] ?? 0;
    perCell.set(`${c}:${g}`, (perCell.get(`${c}:${g}`) ?? 0) + 1);
    let s = filesOf.get(c);
    if (s === undefined) filesOf.set(c, (s = new Set()));
    s.add(g);
  }
  const w = new Float32Array(y.length);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const c = y[i] ?? 0;
    const v = 1 / ((perCell.get(`${c}:${groups[i] ?? 0}`) ?? 1) * (filesOf.get(c)?.size ?? 1));
    w[i] = v;
    sum += v;
  }
  if (sum > 0) for (let i = 0; i < w.length; i++) w[i] = ((w[i] ?? 0) * y.length) / sum;
  return w;
}
