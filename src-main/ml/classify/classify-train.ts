/**
 * A classifier training run: k-fold cross-validation grouped by source file (out-of-fold
 * predictions give the reported metrics), then a final model on every labelled flow, saved as a
 * model folder (docs/decisions/0002-model-files.md) with a classify `preprocessing.json`.
 * Scalers are fitted on each fold's training rows only, and on all rows for the final model.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import type { Scaler } from '../scalers.js';
import type { Tf } from '../tf-backend.js';
import { classifyMetrics, groupedFolds } from './classify-eval.js';
import type { ClassifyMetrics } from './classify-eval.js';
import { argmaxRows, buildClassifier, DEFAULT_CLASSIFIER, predictProbabilities, trainClassifier } from './classify-model.js';
import type { ClassifierEpoch, ClassifierSettings } from './classify-model.js';
import { FEATURE_COUNT, FEATURE_NAMES, FLOW_FEATURES_VERSION, fitStatScalers, scaleRows, STAT_FEATURES } from './flow-features.js';

/** Version of a classify preprocessing.json. */
export const CLASSIFY_PREPROCESSING_VERSION = 1;

/** preprocessing.json of a classify model. */
export interface ClassifyPreprocessing {
  readonly formatVersion: number;
  readonly task: 'classify';
  readonly extractor: string;
  /** Input features in model order (statistics first, then the early-packet sequence). */
  readonly features: readonly string[];
  /** One scaler per statistics feature (the first statScalers.length inputs). */
  readonly statScalers: readonly Scaler[];
  /** Output classes in model output order. */
  readonly classes: readonly string[];
}

/** A labelled dataset in memory: raw feature rows, class index per row, source file per row. */
export interface LabelledData {
  readonly raw: Float32Array;
  readonly y: Int32Array;
  readonly groups: Int32Array;
  readonly classes: readonly string[];
}

/** Cross-validation outcome. */
export interface CrossValidation {
  readonly folds: number;
  readonly foldGroups: readonly (readonly number[])[];
  /** Out-of-fold predicted class per row. */
  readonly predicted: Int32Array;
  readonly metrics: ClassifyMetrics;
  /** Mean drop of macro-F1 when one statistics feature (or the whole sequence) is permuted in the test rows. */
  readonly importance: readonly { readonly feature: string; readonly drop: number }[] | null;
}

/** Hooks of a run. */
export interface ClassifyHooks {
  readonly onEpoch?: (e: ClassifierEpoch & { fold: number; folds: number }) => void;
  readonly shouldStop?: () => boolean;
}

/** Fits, scales and trains one model on the listed rows; returns it with its scalers. */
export async function fitOn(tf: Tf, data: LabelledData, rows: Int32Array, settings: ClassifierSettings, hooks: ClassifyHooks & { fold: number; folds: number }): Promise<{ model: LayersModel; scalers: Scaler[]; cancelled: boolean }> {
  const scalers = fitStatScalers(data.raw, rows) as Scaler[];
  const x = scaleRows(data.raw, scalers, rows);
  const y = Int32Array.from(rows, (i) => data.y[i] ?? 0);
  const model = buildClassifier(tf, FEATURE_COUNT, data.classes.length, settings);
  const r = await trainClassifier(tf, model, x, y, FEATURE_COUNT, data.classes.length, {
    settings,
    ...(hooks.shouldStop === undefined ? {} : { shouldStop: hooks.shouldStop }),
    onEpoch: (e) => hooks.onEpoch?.({ ...e, fold: hooks.fold, folds: hooks.folds }),
  });
  return { model, scalers, cancelled: r.cancelled };
}

/** K-fold cross-validation grouped by `data.groups`, with optional permutation importance. */
export async function crossValidate(
  tf: Tf, data: LabelledData, k: number, settings: ClassifierSettings = DEFAULT_CLASSIFIER, hooks: ClassifyHooks = {}, importance = false,
): Promise<CrossValidation> {
  const folds = groupedFolds(data.groups, k, settings.seed);
  const predicted = new Int32Array(data.y.length).fill(-1);
  const drops = new Map<string, number[]>();
  for (let f = 0; f < folds.length; f++) {
    const fold = folds[f];
    if (fold === undefined || fold.train.length === 0 || fold.test.length === 0) continue;
    const { model, scalers } = await fitOn(tf, data, fold.train, settings, { ...hooks, fold: f + 1, folds: folds.length });
    try {
      const x = scaleRows(data.raw, scalers, fold.test);
      const { label } = argmaxRows(predictProbabilities(tf, model, x, fold.test.length, FEATURE_COUNT), data.classes.length);
      fold.test.forEach((row, i) => {
        predicted[row] = label[i] ?? -1;
      });
      if (importance) {
        const truth = Int32Array.from(fold.test, (i) => data.y[i] ?? 0);
        const base = classifyMetrics(data.classes, truth, label).macroF1;
        for (const [feature, cols] of importanceGroups()) {
          const xp = permuteColumns(x, cols, fold.test.length, settings.seed);
          const lp = argmaxRows(predictProbabilities(tf, model, xp, fold.test.length, FEATURE_COUNT), data.classes.length).label;
          const list = drops.get(feature) ?? [];
          list.push(base - classifyMetrics(data.classes, truth, lp).macroF1);
          drops.set(feature, list);
        }
      }
    } finally {
      model.dispose();
    }
    if (hooks.shouldStop?.() === true) break;
  }
  const metrics = classifyMetrics(data.classes, data.y, predicted);
  const imp = importance
    ? [...drops.entries()].map(([feature, d]) => ({ feature, drop: d.reduce((s, v) => s + v, 0) / d.length })).sort((a, b) => b.drop - a.drop)
    : null;
  return { folds: folds.length, foldGroups: folds.map((f) => f.testGroups), predicted, metrics, importance: imp };
}

/** Each statistics feature alone, and the whole early-packet sequence as one group. */
export function importanceGroups(): [string, number[]][] {
  const stat = STAT_FEATURES.map((f, j): [string, number[]] => [f.name, [j]]);
  const seq = Array.from({ length: FEATURE_COUNT - STAT_FEATURES.length }, (_, i) => STAT_FEATURES.length + i);
  return [...stat, ['early_packets', seq]];
}

/** Rows of x (m × FEATURE_COUNT) with the columns `cols` moved together by one seeded row permutation. */
export function permuteColumns(x: Float32Array, cols: readonly number[], m: number, seed: number): Float32Array {
  const out = x.slice();
  // One row permutation for the whole group keeps the columns of a group together.
  let s = seed >>> 0;
  const order = Int32Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  for (let i = 0; i < m; i++) {
    const src = (order[i] ?? 0) * FEATURE_COUNT;
    for (const c of cols) out[i * FEATURE_COUNT + c] = x[src + c] ?? 0;
  }
  return out;
}

/** The preprocessing document of a model trained with these scalers and classes. */
export function classifyPreprocessing(scalers: readonly Scaler[], classes: readonly string[]): ClassifyPreprocessing {
  return {
    formatVersion: CLASSIFY_PREPROCESSING_VERSION, task: 'classify', extractor: FLOW_FEATURES_VERSION,
    features: FEATURE_NAMES, statScalers: scalers, classes,
  };
}
