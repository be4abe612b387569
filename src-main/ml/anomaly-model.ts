/**
 * Saved anomaly models: an Isolation Forest detector (src-main/ml/anomaly/detector.ts) trained
 * on a source's windows and written as a model folder of the same family as a forecast's
 * (docs/decisions/0002-model-files.md), without weights.bin:
 *
 * - `model.json`: the forest ({ format: 'flowbench-isolation-forest', forest }), plain JSON;
 * - `preprocessing.json`: task 'anomaly', the window-feature definition (columns, medians,
 *   spreads, rolling windows, warm-up fills), the per-feature training medians and spreads the
 *   drivers are measured against, the threshold, contamination, calibration and severities;
 * - `report.json`: provenance (source, range), the evaluation on the training windows, durations.
 *
 * Scores of a loaded folder equal the trained detector's exactly: every number round-trips JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { AnomalyModelEvaluation } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { ANALYZER_VERSION } from '../analysis/ingest-pipeline.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { DEFAULT_CONTAMINATION, detectWindows, trainDetector } from './anomaly/detector.js';
import type { AnomalyDetectorModel, WindowAnomaly } from './anomaly/detector.js';
import type { IsolationForestModel } from './anomaly/isolation-forest.js';
import { loadSourceWindows } from './anomaly/source-windows.js';
import type { TimeRange } from './anomaly/source-windows.js';
import { pickDetectResolution } from './anomaly/detect-resolution.js';
import { REPORT_VERSION } from './model-files.js';
import { writeJsonFiles } from './model-folder.js';

/** Version of an anomaly preprocessing.json. */
export const ANOMALY_PREPROCESSING_VERSION = 1;
/** Files of an anomaly model folder. */
export const ANOMALY_MODEL_FILES = ['model.json', 'preprocessing.json', 'report.json'] as const;
/** `format` of an anomaly model.json. */
const FOREST_FORMAT = 'flowbench-isolation-forest';

/** preprocessing.json of an anomaly model: the detector without its forest. */
export type AnomalyPreprocessing = Omit<AnomalyDetectorModel, 'forest' | 'kind' | 'version'> & {
  readonly formatVersion: number;
  readonly task: 'anomaly';
  readonly extractor: string;
  readonly resolution: number;
};

/** Settings of an anomaly training run (the request's, plus the folder to write). */
export interface AnomalyTrainSpec {
  readonly sourceId: number;
  readonly dir: string;
  readonly from?: number;
  readonly to?: number;
  readonly resolution?: number;
  readonly contamination?: number;
  readonly seed?: number;
}

/** A finished anomaly run (the fields model rows need, as for a forecast). */
export interface AnomalyTrainResult {
  readonly dir: string;
  readonly resolution: number;
  readonly evaluation: AnomalyModelEvaluation;
  readonly report: Readonly<Record<string, unknown>>;
  readonly model: AnomalyDetectorModel;
  readonly results: readonly WindowAnomaly[];
}

/** Trains a detector on a source (or a range of it) and writes its folder. */
export function runAnomalyTraining(db: Database.Database, spec: AnomalyTrainSpec): Result<AnomalyTrainResult> {
  const t0 = performance.now();
  const range: TimeRange = { ...(spec.from === undefined ? {} : { from: spec.from }), ...(spec.to === undefined ? {} : { to: spec.to }) };
  const resolution = spec.resolution ?? pickDetectResolution(db, spec.sourceId, range) ?? undefined;
  const loaded = loadSourceWindows(db, spec.sourceId, range, resolution);
  if (!loaded.ok) return err({ ...loaded.error, message: `sourceId: ${loaded.error.message}` });
  const w = loaded.value;
  const contamination = spec.contamination ?? DEFAULT_CONTAMINATION;
  let trained;
  try {
    trained = trainDetector(w.rows, {
      resolution: w.resolution, columns: w.columns, fillGaps: w.fillGaps, contamination, ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    });
  } catch (e) {
    return err({ code: 'invalid_argument', message: `sourceId: cannot train on source ${spec.sourceId}: ${(e as Error).message}` });
  }
  const { model, results } = trained;
  const flagged = results.filter((r) => r.flagged).length;
  const evaluation: AnomalyModelEvaluation = {
    threshold: model.threshold, contamination, resolution: w.resolution, trainingWindows: results.length, flagged,
    flagShare: results.length === 0 ? 0 : flagged / results.length,
    from: model.training.from, to: model.training.to === null ? null : model.training.to + w.resolution,
  };
  const source = new SourcesRepo(db).get(spec.sourceId);
  const report: Record<string, unknown> = {
    formatVersion: REPORT_VERSION,
    task: 'anomaly',
    source: source === undefined ? null : {
      id: source.id, kind: source.kind, displayName: source.displayName, path: source.path, size: source.size, headSha256: source.headSha256,
      analyzer: source.analyzer,
    },
    resolution: w.resolution,
    features: model.features.featureNames,
    columns: model.features.baseColumns,
    range: { from: spec.from ?? null, to: spec.to ?? null },
    evaluation,
    forest: { trees: model.forest.trees.length, sampleSize: model.forest.sampleSize, heightLimit: model.forest.heightLimit, seed: model.forest.seed },
    durations: { totalSeconds: (performance.now() - t0) / 1000 },
    createdAt: new Date().toISOString(),
  };
  writeAnomalyFolder(spec.dir, model, report);
  return ok({ dir: spec.dir, resolution: w.resolution, evaluation, report, model, results });
}

/** Writes model.json, preprocessing.json and report.json of a detector. */
export function writeAnomalyFolder(dir: string, model: AnomalyDetectorModel, report: Readonly<Record<string, unknown>>): void {
  const { forest, kind: _kind, version: _version, ...rest } = model;
  const prep: AnomalyPreprocessing = {
    formatVersion: ANOMALY_PREPROCESSING_VERSION, task: 'anomaly', extractor: ANALYZER_VERSION, resolution: model.features.resolution, ...rest,
  };
  writeJsonFiles(dir, { 'model.json': { format: FOREST_FORMAT, forest }, 'preprocessing.json': prep, 'report.json': report });
}

/** Reads and checks an anomaly folder; errors name the file and field. */
export function readAnomalyFolder(dir: string): Result<{ model: AnomalyDetectorModel; report: Readonly<Record<string, unknown>> }> {
  const prepPath = join(dir, 'preprocessing.json');
  const prep = readObject(prepPath);
  if (!prep.ok) return prep;
  const p = prep.value;
  const bad = (path: string, field: string, what: string): Result<never> => err({ code: 'corrupt', message: `${path}: ${field}: ${what}` });
  if (p['formatVersion'] !== ANOMALY_PREPROCESSING_VERSION) {
    return err({ code: 'unsupported', message: `${prepPath}: formatVersion ${JSON.stringify(p['formatVersion'] ?? null)}, this Flowbench reads ${ANOMALY_PREPROCESSING_VERSION}` });
  }
  if (p['task'] !== 'anomaly') return bad(prepPath, 'task', `must be "anomaly", got ${JSON.stringify(p['task'] ?? null)}`);
  for (const k of ['threshold', 'contamination', 'resolution']) if (typeof p[k] !== 'number' || !Number.isFinite(p[k])) return bad(prepPath, k, 'must be a number');
  const c = p['contamination'] as number;
  if (!(c > 0 && c <= 0.5)) return bad(prepPath, 'contamination', `must be in (0, 0.5], got ${c}`);
  if (!Array.isArray(p['calibration']) || (p['calibration'] as unknown[]).some((v) => typeof v !== 'number')) return bad(prepPath, 'calibration', 'must be a list of scores');
  const features = p['features'] as Record<string, unknown> | undefined;
  if (typeof features !== 'object' || features === null || !Array.isArray(features['featureNames']) || !Array.isArray(features['baseColumns'])) {
    return bad(prepPath, 'features', 'must be the window-feature definition (featureNames, baseColumns, medians, spreads, …)');
  }
  const names = features['featureNames'] as unknown[];
  const stats = p['featureStats'];
  if (!Array.isArray(stats) || stats.length !== names.length) return bad(prepPath, 'featureStats', `must hold one { name, median, spread } per feature (${names.length})`);
  const sev = p['severityThresholds'] as { medium?: unknown; high?: unknown } | undefined;
  if (typeof sev?.medium !== 'number' || typeof sev.high !== 'number') return bad(prepPath, 'severityThresholds', 'must be { medium, high }');
  const modelPath = join(dir, 'model.json');
  const m = readObject(modelPath);
  if (!m.ok) return m;
  if (m.value['format'] !== FOREST_FORMAT) return bad(modelPath, 'format', `must be "${FOREST_FORMAT}", got ${JSON.stringify(m.value['format'] ?? null)}`);
  const forest = m.value['forest'] as IsolationForestModel | undefined;
  if (typeof forest !== 'object' || forest === null || forest.kind !== 'isolation-forest' || !Array.isArray(forest.trees) || forest.trees.length === 0) {
    return bad(modelPath, 'forest', 'must be an isolation forest with trees');
  }
  if (forest.cols !== names.length) return bad(modelPath, 'forest.cols', `${forest.cols} inputs, but preprocessing.json lists ${names.length} features`);
  const reportPath = join(dir, 'report.json');
  const report = readObject(reportPath);
  if (!report.ok) return report;
  if (report.value['formatVersion'] !== REPORT_VERSION) {
    return err({ code: 'unsupported', message: `${reportPath}: formatVersion ${JSON.stringify(report.value['formatVersion'] ?? null)}, this Flowbench reads ${REPORT_VERSION}` });
  }
  const { formatVersion: _f, task: _t, extractor: _e, resolution: _r, ...rest } = p;
  const model = { kind: 'window-anomaly', version: 1, ...rest, forest } as unknown as AnomalyDetectorModel;
  return ok({ model, report: report.value });
}

/** Scores a source's windows (or a range) with a saved detector at the detector's resolution. */
export function detectWithModel(db: Database.Database, model: AnomalyDetectorModel, sourceId: number, range: TimeRange = {}): Result<{ resolution: number; results: WindowAnomaly[] }> {
  const resolution = model.features.resolution;
  const loaded = loadSourceWindows(db, sourceId, range, resolution);
  if (!loaded.ok) return err({ ...loaded.error, message: `sourceId: ${loaded.error.message} (the model reads ${resolution} s windows)` });
  const missing = model.features.baseColumns.filter((c) => !loaded.value.columns.includes(c));
  if (missing.length === model.features.baseColumns.length) {
    return err({ code: 'invalid_argument', message: `sourceId: source ${sourceId} has none of the model's columns (${model.features.baseColumns.slice(0, 5).join(', ')})` });
  }
  return ok({ resolution, results: detectWindows(model, loaded.value.rows) });
}

function readObject(path: string): Result<Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return err({ code: 'not_found', message: `${path}: missing (an anomaly model folder holds ${ANOMALY_MODEL_FILES.join(', ')})` });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return err({ code: 'corrupt', message: `${path}: not a JSON object` });
    return ok(v as Record<string, unknown>);
  } catch (e) {
    return err({ code: 'corrupt', message: `${path}: not valid JSON: ${(e as Error).message}` });
  }
}
