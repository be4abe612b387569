/**
 * The flow classifier's library API (the ML worker, CLI and REST call these):
 *
 * - `trainFlowClassifier(tf, data, { seed, epochs, folds, signal, onEpoch, importance })` →
 *   `{ model, report }`: k-fold cross-validation grouped by `data.groups` (source files; no file
 *   in both train and test), then a final model on every row. The report holds out-of-fold
 *   per-class precision / recall / F1, macro-F1 and the confusion matrix of the ensemble and of
 *   each member, and permutation feature importance. `signal` aborts between batches/trees:
 *   the result then has `report.cancelled` true and no final model is trained (model null).
 * - `saveFlowClassifier(tf, model, dir, report)` / `loadFlowClassifier(tf, dir)`: a model folder
 *   (docs/decisions/0002-model-files.md): the net as model.json + weights.bin, and
 *   preprocessing.json with the feature names in order, the scalers, the classes, the extractor
 *   version and the forest member; errors name the file and field.
 * - `classifyFlows(model, flows)` → `{ label, confidence }[]` and `classifyRaw(model, raw, m)`
 *   (typed arrays) score in batch: plain-JS forward pass of the net plus the forest, averaged.
 *
 * The model is an ensemble: the TensorFlow.js MLP (classify-model.ts) over the scaled statistics
 * and the early-packet sequence, and a seeded random forest (forest.ts) over the raw rows; the
 * class probabilities are averaged with weight `netWeight` on the net.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { err, ok } from '../../../src-shared/result.js';
import type { Result } from '../../../src-shared/result.js';
import { loadLayersModel, saveLayersModel } from '../model-files.js';
import { isScaler } from '../scalers.js';
import type { Scaler } from '../scalers.js';
import type { Tf } from '../tf-backend.js';
import { classifyMetrics, classWeights, fileBalancedWeights, groupedFolds } from './classify-eval.js';
import type { ClassifyMetrics } from './classify-eval.js';
import { argmaxRows, buildClassifier, DEFAULT_CLASSIFIER, denseLayers, forwardProbabilities, trainClassifier } from './classify-model.js';
import type { ClassifierEpoch, ClassifierSettings, DenseLayer } from './classify-model.js';
import { CLASSIFY_PREPROCESSING_VERSION, importanceGroups, permuteColumns } from './classify-train.js';
import type { LabelledData } from './classify-train.js';
import { DEFAULT_FOREST, forestProbabilities, trainForest } from './forest.js';
import type { Forest, ForestSettings } from './forest.js';
import { FEATURE_COUNT, FEATURE_NAMES, FLOW_FEATURES_VERSION, FLOW_STATISTICS_COUNT, fitStatScalers, rawFeatures, scaleRows, STAT_FEATURES } from './flow-features.js';
import type { BehaviourInput } from './flow-features.js';

/** A forest as preprocessing.json stores it (plain number arrays). */
export interface StoredForest {
  readonly roots: readonly number[];
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly leafValues: readonly number[];
}

/** preprocessing.json of an ensemble classify model. */
export interface EnsemblePreprocessing {
  readonly formatVersion: number;
  readonly task: 'classify';
  readonly extractor: string;
  /** Input features in model order (statistics first, then the early-packet sequence). */
  readonly features: readonly string[];
  /** One scaler per statistics feature (the net's first statScalers.length inputs; the forest reads raw rows). */
  readonly statScalers: readonly Scaler[];
  /** Output classes in model output order. */
  readonly classes: readonly string[];
  /** Weight of the net's probabilities (the forest gets 1 − netWeight; 1 when there is no forest). */
  readonly netWeight: number;
  readonly forest: StoredForest | null;
}

/** A trained (or loaded) classifier, ready to score. */
export interface FlowClassifier {
  readonly net: LayersModel;
  /** The net's dense layers copied out of tfjs for the plain-JS batch forward pass. */
  readonly layers: readonly DenseLayer[];
  readonly forest: Forest | null;
  readonly preprocessing: EnsemblePreprocessing;
}

/** Options of a training run. */
export interface TrainOptions {
  readonly seed?: number;
  readonly epochs?: number;
  /** Cross-validation folds (grouped by data.groups); 0 skips cross-validation. */
  readonly folds?: number;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (e: ClassifierEpoch & { fold: number; folds: number }) => void;
  /** Permutation feature importance on the test folds (41 extra scorings per fold). */
  readonly importance?: boolean;
  readonly net?: Partial<ClassifierSettings>;
  /** Forest settings; null trains the net alone. */
  readonly forest?: Partial<ForestSettings> | null;
  readonly netWeight?: number;
  /** 'file' (default): rows weighted by fileBalancedWeights; 'class': balanced class weights only. */
  readonly balance?: Balance;
}

/** How training rows are weighted. */
export type Balance = 'file' | 'class';

/** Out-of-fold evaluation of the ensemble and of each member. */
export interface ClassifyReport {
  readonly folds: number;
  /** Groups (source ids) tested in each fold. */
  readonly foldGroups: readonly (readonly number[])[];
  readonly rows: number;
  readonly ensemble: ClassifyMetrics;
  readonly net: ClassifyMetrics;
  readonly forest: ClassifyMetrics | null;
  /** Mean macro-F1 drop of the ensemble when one statistics feature (or the whole sequence) is permuted in test rows. */
  readonly importance: readonly { readonly feature: string; readonly drop: number }[] | null;
  readonly settings: { readonly net: ClassifierSettings; readonly forest: ForestSettings | null; readonly netWeight: number; readonly balance: Balance };
  readonly cancelled: boolean;
}

/** Default weight of the net in the ensemble. */
export const DEFAULT_NET_WEIGHT = 0.5;

interface Member {
  readonly net: LayersModel;
  readonly layers: DenseLayer[];
  readonly scalers: Scaler[];
  readonly forest: Forest | null;
}

function pick(raw: Float32Array, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * FEATURE_COUNT);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] ?? 0;
    out.set(raw.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
  }
  return out;
}

async function fitMember(
  tf: Tf, data: LabelledData, rows: Int32Array, net: ClassifierSettings, forest: ForestSettings | null, balance: Balance,
  hooks: { fold: number; folds: number; signal?: AbortSignal; onEpoch?: TrainOptions['onEpoch'] },
): Promise<{ member: Member; cancelled: boolean }> {
  const k = data.classes.length;
  const scalers = fitStatScalers(data.raw, rows) as Scaler[];
  const y = Int32Array.from(rows, (i) => data.y[i] ?? 0);
  const model = buildClassifier(tf, FEATURE_COUNT, k, net);
  const groups = Int32Array.from(rows, (i) => data.groups[i] ?? 0);
  const weight = balance === 'file' ? fileBalancedWeights(y, groups) : null;
  const r = await trainClassifier(tf, model, scaleRows(data.raw, scalers, rows), y, FEATURE_COUNT, k, {
    settings: net, ...(weight === null ? {} : { rowWeight: weight }),
    shouldStop: () => hooks.signal?.aborted === true,
    onEpoch: (e) => hooks.onEpoch?.({ ...e, fold: hooks.fold, folds: hooks.folds }),
  });
  let f: Forest | null = null;
  if (forest !== null && !r.cancelled && hooks.signal?.aborted !== true) {
    const cw = classWeights(y, k);
    f = trainForest(pick(data.raw, rows), y, FEATURE_COUNT, k, forest, weight ?? Float32Array.from(y, (c) => cw[c] ?? 1));
  }
  return { member: { net: model, layers: denseLayers(model), scalers, forest: f }, cancelled: r.cancelled || hooks.signal?.aborted === true };
}

const SCORE_CHUNK = 2048;

/** Probabilities of the net, the forest and the ensemble for raw rows. */
function memberProbabilities(m: { readonly layers: readonly DenseLayer[]; readonly scalers: readonly Scaler[]; readonly forest: Forest | null }, raw: Float32Array, n: number, netWeight: number): { net: Float32Array; forest: Float32Array | null; ensemble: Float32Array } {
  // In chunks: the scaled rows of one chunk stay in cache instead of a second n × features matrix.
  // One scaled-rows buffer for every chunk, and the net writes straight into its slice of `net`.
  const k = m.layers[m.layers.length - 1]?.units ?? 0;
  const net = new Float32Array(n * k);
  const scaled = new Float32Array(Math.min(n, SCORE_CHUNK) * FEATURE_COUNT);
  for (let a = 0; a < n; a += SCORE_CHUNK) {
    const b = Math.min(n, a + SCORE_CHUNK);
    scaleRows(raw.subarray(a * FEATURE_COUNT, b * FEATURE_COUNT), m.scalers, undefined, scaled);
    forwardProbabilities(m.layers, scaled, b - a, net.subarray(a * k, b * k));
  }
  if (m.forest === null) return { net, forest: null, ensemble: net };
  const forest = forestProbabilities(m.forest, raw, n);
  const ensemble = new Float32Array(net.length);
  const wn = netWeight;
  const wf = 1 - netWeight;
  for (let i = 0; i < net.length; i++) ensemble[i] = wn * (net[i] as number) + wf * (forest[i] as number);
  return { net, forest, ensemble };
}

/** Trains with grouped cross-validation, then a final model on all rows (see the file comment). */
export async function trainFlowClassifier(tf: Tf, data: LabelledData, options: TrainOptions = {}): Promise<{ model: FlowClassifier | null; report: ClassifyReport }> {
  const seed = options.seed ?? DEFAULT_CLASSIFIER.seed;
  const net: ClassifierSettings = { ...DEFAULT_CLASSIFIER, ...options.net, seed, ...(options.epochs === undefined ? {} : { epochs: options.epochs }) };
  const forest: ForestSettings | null = options.forest === null ? null : { ...DEFAULT_FOREST, candidates: FLOW_STATISTICS_COUNT, ...options.forest, seed };
  const netWeight = forest === null ? 1 : (options.netWeight ?? DEFAULT_NET_WEIGHT);
  const balance = options.balance ?? 'file';
  const k = data.classes.length;
  const n = data.y.length;
  const folds = (options.folds ?? 5) > 1 ? groupedFolds(data.groups, options.folds ?? 5, seed) : [];
  const pred = { net: new Int32Array(n).fill(-1), forest: new Int32Array(n).fill(-1), ensemble: new Int32Array(n).fill(-1) };
  const drops = new Map<string, number[]>();
  let cancelled = false;
  const hooks = { ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.onEpoch === undefined ? {} : { onEpoch: options.onEpoch }) };
  for (let fi = 0; fi < folds.length && !cancelled; fi++) {
    const fold = folds[fi];
    if (fold === undefined || fold.train.length === 0 || fold.test.length === 0) continue;
    const r = await fitMember(tf, data, fold.train, net, forest, balance, { ...hooks, fold: fi + 1, folds: folds.length });
    cancelled = r.cancelled;
    try {
      if (cancelled) break;
      const raw = pick(data.raw, fold.test);
      const p = memberProbabilities(r.member, raw, fold.test.length, netWeight);
      const labels = { net: argmaxRows(p.net, k).label, forest: p.forest === null ? null : argmaxRows(p.forest, k).label, ensemble: argmaxRows(p.ensemble, k).label };
      fold.test.forEach((row, i) => {
        pred.net[row] = labels.net[i] ?? -1;
        pred.forest[row] = labels.forest?.[i] ?? -1;
        pred.ensemble[row] = labels.ensemble[i] ?? -1;
      });
      if (options.importance === true) {
        const truth = Int32Array.from(fold.test, (i) => data.y[i] ?? 0);
        const base = classifyMetrics(data.classes, truth, labels.ensemble).macroF1;
        for (const [feature, cols] of importanceGroups()) {
          const permuted = permuteColumns(raw, cols, fold.test.length, seed + fi);
          const lp = argmaxRows(memberProbabilities(r.member, permuted, fold.test.length, netWeight).ensemble, k).label;
          const list = drops.get(feature) ?? [];
          list.push(base - classifyMetrics(data.classes, truth, lp).macroF1);
          drops.set(feature, list);
        }
      }
    } finally {
      r.member.net.dispose();
    }
  }
  const tested = folds.length > 0;
  const report: ClassifyReport = {
    folds: folds.length, foldGroups: folds.map((f) => f.testGroups), rows: n,
    ensemble: classifyMetrics(data.classes, data.y, tested ? pred.ensemble : []),
    net: classifyMetrics(data.classes, data.y, tested ? pred.net : []),
    forest: forest === null ? null : classifyMetrics(data.classes, data.y, tested ? pred.forest : []),
    importance: options.importance === true
      ? [...drops.entries()].map(([feature, d]) => ({ feature, drop: d.reduce((s, v) => s + v, 0) / d.length })).sort((a, b) => b.drop - a.drop)
      : null,
    settings: { net, forest, netWeight, balance }, cancelled,
  };
  if (cancelled) return { model: null, report };
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const final = await fitMember(tf, data, all, net, forest, balance, { ...hooks, fold: 0, folds: folds.length });
  if (final.cancelled) {
    final.member.net.dispose();
    return { model: null, report: { ...report, cancelled: true } };
  }
  const m = final.member;
  return {
    model: {
      net: m.net, layers: m.layers, forest: m.forest,
      preprocessing: {
        formatVersion: CLASSIFY_PREPROCESSING_VERSION, task: 'classify', extractor: FLOW_FEATURES_VERSION, features: FEATURE_NAMES,
        statScalers: m.scalers, classes: data.classes, netWeight, forest: m.forest === null ? null : storeForest(m.forest),
      },
    },
    report,
  };
}

/** Class index and probability of each of m raw feature rows (rawFeatures layout), in batch. */
export function classifyRaw(model: FlowClassifier, raw: Float32Array, m: number): { label: Int32Array; confidence: Float32Array } {
  const p = memberProbabilities({ layers: model.layers, scalers: model.preprocessing.statScalers, forest: model.forest }, raw, m, model.preprocessing.netWeight);
  return argmaxRows(p.ensemble, model.preprocessing.classes.length);
}

/** Class probabilities (m × classes) of m raw feature rows. */
export function classifyProbabilities(model: FlowClassifier, raw: Float32Array, m: number): Float32Array {
  return memberProbabilities({ layers: model.layers, scalers: model.preprocessing.statScalers, forest: model.forest }, raw, m, model.preprocessing.netWeight).ensemble;
}

/** Label and confidence of each flow, in batch. */
export function classifyFlows(model: FlowClassifier, flows: readonly BehaviourInput[]): { label: string; confidence: number }[] {
  const { label, confidence } = classifyRaw(model, rawFeatures(flows), flows.length);
  const classes = model.preprocessing.classes;
  return Array.from(label, (c, i) => ({ label: classes[c] ?? 'other', confidence: confidence[i] ?? 0 }));
}

function storeForest(f: Forest): StoredForest {
  return {
    roots: Array.from(f.roots), feature: Array.from(f.feature), threshold: Array.from(f.threshold),
    left: Array.from(f.left), right: Array.from(f.right), leafValues: Array.from(f.leafValues),
  };
}

/** Saves the model folder: model.json + weights.bin (the net), preprocessing.json, report.json. */
export async function saveFlowClassifier(tf: Tf, model: FlowClassifier, dir: string, report: Readonly<Record<string, unknown>>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await saveLayersModel(tf, model.net, dir);
  writeFileSync(join(dir, 'preprocessing.json'), `${JSON.stringify(model.preprocessing)}\n`);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify({ formatVersion: 1, task: 'classify', ...report }, null, 2)}\n`);
}

/** Loads a model folder saved by saveFlowClassifier; errors name the file and field. */
export async function loadFlowClassifier(tf: Tf, dir: string): Promise<Result<FlowClassifier>> {
  const path = join(dir, 'preprocessing.json');
  for (const f of ['model.json', 'weights.bin', 'preprocessing.json']) {
    if (!existsSync(join(dir, f))) return err({ code: 'not_found', message: `${join(dir, f)}: missing (a classify model folder holds model.json, weights.bin, preprocessing.json, report.json)` });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return err({ code: 'corrupt', message: `${path}: not valid JSON: ${(e as Error).message}` });
  }
  const prep = checkEnsemblePreprocessing(doc, path);
  if (!prep.ok) return prep;
  const net = await loadLayersModel(tf, dir);
  if (!net.ok) return net;
  let layers: DenseLayer[];
  try {
    layers = denseLayers(net.value);
  } catch (e) {
    net.value.dispose();
    return err({ code: 'corrupt', message: `${join(dir, 'model.json')}: ${(e as Error).message}` });
  }
  const k = prep.value.classes.length;
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (first?.inputs !== FEATURE_COUNT || last?.units !== k) {
    net.value.dispose();
    return err({ code: 'corrupt', message: `${join(dir, 'model.json')}: the net maps ${first?.inputs ?? 0} inputs to ${last?.units ?? 0} classes; preprocessing.json has ${FEATURE_COUNT} features and ${k} classes` });
  }
  const s = prep.value.forest;
  const forest: Forest | null = s === null ? null : {
    features: FEATURE_COUNT, classes: k, roots: Int32Array.from(s.roots), feature: Int32Array.from(s.feature), threshold: Float32Array.from(s.threshold),
    left: Int32Array.from(s.left), right: Int32Array.from(s.right), leafValues: Float32Array.from(s.leafValues),
  };
  return ok({ net: net.value, layers, forest, preprocessing: prep.value });
}

/** Validates a classify preprocessing.json (including the forest's node links, so scoring cannot run off the arrays). */
export function checkEnsemblePreprocessing(doc: unknown, path: string): Result<EnsemblePreprocessing> {
  const bad = (field: string, what: string): Result<never> => err({ code: 'corrupt', message: `${path}: ${field}: ${what}` });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('(document)', 'must be a JSON object');
  const o = doc as Record<string, unknown>;
  if (o['formatVersion'] !== CLASSIFY_PREPROCESSING_VERSION) {
    return err({ code: 'unsupported', message: `${path}: formatVersion ${JSON.stringify(o['formatVersion'] ?? null)}, this Flowbench reads ${CLASSIFY_PREPROCESSING_VERSION}` });
  }
  if (o['task'] !== 'classify') return bad('task', `must be "classify", got ${JSON.stringify(o['task'] ?? null)}`);
  if (typeof o['extractor'] !== 'string') return bad('extractor', 'must be the flow feature extractor version');
  const features = o['features'];
  if (!Array.isArray(features) || features.length !== FEATURE_NAMES.length || features.some((f, i) => f !== FEATURE_NAMES[i])) {
    return bad('features', `must be the ${FEATURE_NAMES.length} features of ${FLOW_FEATURES_VERSION} in order`);
  }
  const scalers = o['statScalers'];
  if (!Array.isArray(scalers) || scalers.length !== STAT_FEATURES.length) return bad('statScalers', `must hold ${STAT_FEATURES.length} scalers`);
  const badScaler = scalers.findIndex((s) => !isScaler(s));
  if (badScaler >= 0) return bad(`statScalers[${badScaler}]`, 'must be { log1p, center, scale > 0 }');
  const classes = o['classes'];
  if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string' || c === '')) return bad('classes', 'must list at least two class names');
  const w = o['netWeight'];
  if (typeof w !== 'number' || !(w >= 0 && w <= 1)) return bad('netWeight', 'must be a number in [0, 1]');
  const f = o['forest'];
  if (f !== null) {
    const problem = forestProblem(f, classes.length);
    if (problem !== null) return bad(`forest.${problem[0]}`, problem[1]);
  } else if (w !== 1) return bad('netWeight', 'must be 1 when there is no forest');
  return ok(o as unknown as EnsemblePreprocessing);
}

function forestProblem(f: unknown, classes: number): [string, string] | null {
  if (typeof f !== 'object' || f === null) return ['', 'must be an object or null'];
  const o = f as Record<string, unknown>;
  for (const k of ['roots', 'feature', 'threshold', 'left', 'right', 'leafValues']) {
    const a = o[k];
    if (!Array.isArray(a) || a.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return [k, 'must be a list of finite numbers'];
  }
  const feature = o['feature'] as number[];
  const left = o['left'] as number[];
  const right = o['right'] as number[];
  const leaves = (o['leafValues'] as number[]).length;
  const nodes = feature.length;
  if ((o['threshold'] as number[]).length !== nodes || left.length !== nodes || right.length !== nodes) return ['threshold', 'feature, threshold, left and right must have one entry per node'];
  for (const [i, r] of (o['roots'] as number[]).entries()) if (!Number.isInteger(r) || r < 0 || r >= nodes) return [`roots[${i}]`, `must be a node index below ${nodes}`];
  for (let i = 0; i < nodes; i++) {
    const fe = feature[i] as number;
    if (fe === -1) {
      const at = left[i] as number;
      if (!Number.isInteger(at) || at < 0 || at + classes > leaves) return [`left[${i}]`, 'a leaf must point at its class distribution in leafValues'];
      continue;
    }
    if (!Number.isInteger(fe) || fe < 0 || fe >= FEATURE_COUNT) return [`feature[${i}]`, `must be −1 (leaf) or a feature index below ${FEATURE_COUNT}`];
    // Children come after their parent, so a walk always ends at a leaf.
    for (const [name, c] of [['left', left[i]], ['right', right[i]]] as const) {
      if (!Number.isInteger(c) || (c as number) <= i || (c as number) >= nodes) return [`${name}[${i}]`, `must be a node index after ${i} and below ${nodes}`];
    }
  }
  return null;
}
