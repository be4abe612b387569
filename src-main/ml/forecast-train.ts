/**
 * One forecast training run, end to end: the source's windows → dataset → LSTM training →
 * evaluation on the test split beside the baselines → the model folder (model.json,
 * weights.bin, preprocessing.json, report.json). Runs in the ML worker or in the CLI process.
 */
import type Database from 'better-sqlite3';
import type { ForecastEvaluation } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { ANALYZER_VERSION } from '../analysis/ingest-pipeline.js';
import {
  featureMatrix, fitPreprocessing, makeSamples, outputsToValues, sampleIndices, scaledTarget, splitIndex, toGrid,
} from './forecast-dataset.js';
import type { ForecastPreprocessing, Grid } from './forecast-dataset.js';
import { errorFigures, evaluateForecast, residualBand } from './forecast-metrics.js';
import { buildForecastModel, DEFAULT_SETTINGS, predictWindows, trainForecastModel } from './forecast-model.js';
import type { EpochReport, ModelSettings } from './forecast-model.js';
import { REPORT_VERSION, saveLayersModel, writeModelDocs } from './model-files.js';
import { readSourceSeries } from './source-series.js';
import type { SourceSeries } from './source-series.js';
import { derivedSeries } from './forecast-by-type.js';
import type { SeriesSelector } from './forecast-dataset.js';
import { loadTf } from './tf-backend.js';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from './tf-backend.js';

/** Sample passes per default run: epochs = this / training samples, within EPOCH_RANGE. */
const SAMPLE_BUDGET = 16_000;
const EPOCH_RANGE = [8, 60] as const;

/** Settings of one run (the request's, plus the folder to write). */
export interface ForecastTrainSpec {
  readonly sourceId: number;
  readonly dir: string;
  readonly target?: string;
  readonly resolution?: number;
  readonly lookback?: number;
  readonly horizon?: number;
  readonly epochs?: number;
  readonly from?: number;
  readonly to?: number;
  readonly seed?: number;
  readonly units?: number;
  /** Input metrics besides the target (default: source-series' choice). */
  readonly features?: readonly string[];
  /** Forecast one traffic type's or service's bytes (forecast-by-type.ts) instead of a stored metric. */
  readonly series?: SeriesSelector;
}

/** Callbacks of a run. */
export interface TrainHooks {
  readonly onStart?: (info: { backend: string; epochs: number; trainSamples: number; target: string; resolution: number }) => void;
  readonly onEpoch?: (e: EpochReport & { etaSeconds: number | null }) => void;
  /** Polled between batches: true stops training (the best weights so far are kept). */
  readonly shouldStop?: () => boolean;
}

/** A finished run. */
export interface ForecastTrainResult {
  readonly dir: string;
  readonly backend: string;
  readonly target: string;
  readonly resolution: number;
  readonly evaluation: ForecastEvaluation;
  readonly report: Readonly<Record<string, unknown>>;
  readonly history: readonly { epoch: number; loss: number; valLoss: number | null }[];
  readonly stoppedBy: string;
}

/** Trains a forecast model on a source of `db` and writes its folder. */
export async function runForecastTraining(
  db: Database.Database, spec: ForecastTrainSpec, hooks: TrainHooks = {}, derived?: SourceSeries,
): Promise<Result<ForecastTrainResult>> {
  const t0 = performance.now();
  // `derived`: a series computed from the source rather than stored (per-type capacity forecasts).
  const series = derived !== undefined ? ok(derived) : spec.series !== undefined
    ? derivedSeries(db, spec.sourceId, spec.series, spec.resolution)
    : readSourceSeries(db, spec.sourceId, {
    ...(spec.resolution === undefined ? {} : { resolution: spec.resolution }), ...(spec.target === undefined ? {} : { target: spec.target }),
    ...(spec.from === undefined ? {} : { from: spec.from }), ...(spec.to === undefined ? {} : { to: spec.to }),
    ...(spec.features === undefined ? {} : { inputs: spec.features }),
  });
  if (!series.ok) return series;
  const { source, raw, target } = series.value;
  const grid = toGrid(raw);
  let prep: ForecastPreprocessing;
  try {
    prep = fitPreprocessing(grid, {
      target, kind: raw.kind, extractor: ANALYZER_VERSION, ...(spec.features === undefined ? {} : { required: spec.features }),
      ...(spec.lookback === undefined ? {} : { lookback: spec.lookback }), ...(spec.horizon === undefined ? {} : { horizon: spec.horizon }),
    });
    if (spec.series !== undefined) prep = { ...prep, series: spec.series };
  } catch (e) {
    return err({ code: 'invalid_argument', message: `source ${spec.sourceId}: ${(e as Error).message}` });
  }
  const split = splitIndex(grid.t.length);
  const x = featureMatrix(prep, grid);
  const z = scaledTarget(prep, grid);
  const idx = sampleIndices(prep, split);
  const trainS = makeSamples(prep, x, z, idx.train);
  const valS = makeSamples(prep, x, z, idx.val);
  const settings: ModelSettings = { ...DEFAULT_SETTINGS, ...(spec.seed === undefined ? {} : { seed: spec.seed }), ...(spec.units === undefined ? {} : { units: spec.units }) };
  const epochs = spec.epochs ?? Math.max(EPOCH_RANGE[0], Math.min(EPOCH_RANGE[1], Math.ceil(SAMPLE_BUDGET / idx.train.length)));
  const loaded = await loadTf();
  const { tf } = loaded;
  hooks.onStart?.({ backend: loaded.backend, epochs, trainSamples: idx.train.length, target, resolution: grid.resolution });
  const F = prep.features.length;
  const shape = { lookback: prep.lookback, features: F, horizon: prep.horizon };
  const tLoad = performance.now();
  const model = buildForecastModel(tf, prep.lookback, F, prep.horizon, settings);
  try {
    const outcome = await trainForecastModel(
      tf, model, shape, { x: trainS.x, y: trainS.y, count: idx.train.length }, { x: valS.x, y: valS.y, count: idx.val.length },
      {
        epochs, settings, shouldStop: hooks.shouldStop ?? (() => false),
        onEpoch: (e) => {
          const per = e.elapsedSeconds / e.epoch;
          hooks.onEpoch?.({ ...e, etaSeconds: e.epoch < e.epochs ? per * (e.epochs - e.epoch) : 0 });
        },
      },
    );
    const tTrain = performance.now();
    const evaluated = evaluateModel(tf, model, prep, grid, x, z, split);
    const tEval = performance.now();
    const col = grid.columns.get(target);
    const report: Record<string, unknown> = {
      formatVersion: REPORT_VERSION,
      task: 'forecast',
      source: {
        id: source.id, kind: source.kind, displayName: source.displayName, path: source.path, size: source.size, headSha256: source.headSha256,
        analyzer: source.analyzer,
      },
      target, resolution: grid.resolution, lookback: prep.lookback, horizon: prep.horizon, series: spec.series ?? null,
      features: prep.features.map((f) => f.name),
      split: {
        windows: grid.t.length, from: grid.t[0] ?? null, to: (grid.t[grid.t.length - 1] ?? 0) + grid.resolution,
        trainEnd: grid.t[split.trainEnd] ?? null, valEnd: grid.t[split.valEnd] ?? null,
        trainSamples: idx.train.length, valSamples: idx.val.length, testPoints: evaluated.evaluation.points,
        fractions: { train: 0.7, validation: 0.15, test: 0.15 },
      },
      evaluation: evaluated.evaluation,
      perHorizon: evaluated.perHorizon,
      band: evaluated.band,
      backend: loaded.backend,
      backendNotes: loaded.notes,
      settings: { ...settings, epochs },
      training: {
        epochsRun: outcome.epochsRun, bestEpoch: outcome.bestEpoch, stoppedBy: outcome.stoppedBy,
        samplesPerSecond: outcome.samplesPerSecond,
      },
      durations: {
        loadSeconds: (tLoad - t0) / 1000, trainSeconds: outcome.trainSeconds, evaluateSeconds: (tEval - tTrain) / 1000,
        totalSeconds: (performance.now() - t0) / 1000,
      },
      targetStats: col === undefined ? null : { min: Math.min(...col), max: Math.max(...col) },
      history: outcome.history,
      createdAt: new Date().toISOString(),
    };
    await saveLayersModel(tf, model, spec.dir);
    writeModelDocs(spec.dir, prep, report);
    return ok({
      dir: spec.dir, backend: loaded.backend, target, resolution: grid.resolution, evaluation: evaluated.evaluation, report,
      history: outcome.history, stoppedBy: outcome.stoppedBy,
    });
  } finally {
    model.dispose();
  }
}

/** One-step-ahead indices [from, to) with a full lookback. */
function oneStep(prep: ForecastPreprocessing, from: number, to: number): Int32Array {
  const a: number[] = [];
  for (let i = Math.max(from, prep.lookback); i < to; i++) a.push(i);
  return Int32Array.from(a);
}

/** Test-split scores of step 1 beside the baselines, RMSE per step, and the validation residual band. */
export function evaluateModel(
  tf: Tf, model: LayersModel, prep: ForecastPreprocessing, grid: Grid, x: Float32Array, z: Float64Array, split: { trainEnd: number; valEnd: number; n: number },
): { evaluation: ForecastEvaluation; perHorizon: { step: number; points: number; rmse: number; persistenceRmse: number }[]; band: { low: number; high: number } } {
  const actual = grid.columns.get(prep.target) ?? new Float64Array(0);
  const H = prep.horizon;
  const shape = { lookback: prep.lookback, features: prep.features.length };
  const test = oneStep(prep, split.valEnd, split.n);
  const values = outputsToValues(prep, predictWindows(tf, model, x, shape, test[0] ?? 0, (test[0] ?? 0) + test.length), z, test);
  const step1 = new Float64Array(test.length);
  for (let k = 0; k < test.length; k++) step1[k] = values[k * H] ?? Number.NaN;
  const evaluation = evaluateForecast(actual, test, step1, prep.seasonWindows);
  const perHorizon: { step: number; points: number; rmse: number; persistenceRmse: number }[] = [];
  for (let h = 0; h < H; h++) {
    const a: number[] = [];
    const p: number[] = [];
    const q: number[] = [];
    for (let k = 0; k < test.length; k++) {
      const i = (test[k] ?? 0) + h;
      if (i >= split.n) continue;
      a.push(actual[i] ?? 0);
      p.push(values[k * H + h] ?? 0);
      q.push(actual[(test[k] ?? 0) - 1] ?? 0);
    }
    perHorizon.push({ step: h + 1, points: a.length, rmse: errorFigures(a, p).rmse, persistenceRmse: errorFigures(a, q).rmse });
  }
  const val = oneStep(prep, split.trainEnd, split.valEnd);
  const valValues = outputsToValues(prep, predictWindows(tf, model, x, shape, val[0] ?? 0, (val[0] ?? 0) + val.length), z, val);
  const residuals = new Float64Array(val.length);
  for (let k = 0; k < val.length; k++) residuals[k] = (actual[val[k] ?? 0] ?? 0) - (valValues[k * H] ?? 0);
  return { evaluation, perHorizon, band: residualBand(residuals) };
}
