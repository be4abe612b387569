/**
 * Running a saved forecast model: one-step-ahead predictions over a source's windows plus the
 * H windows after the last one (`models.forecast`, `flowbench predict`), and the same for the
 * last windows of a live capture.
 */
import type Database from 'better-sqlite3';
import type { LayersModel } from '@tensorflow/tfjs';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { featureMatrix, outputsToValues, scaledTarget, SPLIT, toGrid } from './forecast-dataset.js';
import type { ForecastPreprocessing, Grid, RawSeries } from './forecast-dataset.js';
import { predictWindows } from './forecast-model.js';
import { loadLayersModel, readModelFolder } from './model-files.js';
import { WindowsRepo } from '../store/windows-repo.js';
import { readSourceSeries } from './source-series.js';
import type { SourceSeries } from './source-series.js';
import { derivedSeries } from './forecast-by-type.js';
import type { Tf } from './tf-backend.js';

/** A loaded model with its preprocessing and report. */
export interface LoadedModel {
  readonly model: LayersModel;
  readonly prep: ForecastPreprocessing;
  readonly report: Readonly<Record<string, unknown>>;
}

/** Loads and checks a model folder. */
export async function loadModel(tf: Tf, dir: string): Promise<Result<LoadedModel>> {
  const folder = readModelFolder(dir);
  if (!folder.ok) return folder;
  const model = await loadLayersModel(tf, dir);
  if (!model.ok) return model;
  return ok({ model: model.value, prep: folder.value.preprocessing, report: folder.value.report });
}

/** Actual vs one-step-ahead predicted per window, and the H windows after the last one. */
export interface ForecastRun {
  readonly resolution: number;
  readonly t: number[];
  readonly actual: (number | null)[];
  readonly predicted: (number | null)[];
  readonly ahead: { readonly t: number[]; readonly predicted: number[] };
}

/** Predicts over a grid: window i (i ≥ L) from windows i−L … i−1, then the H windows after the end. */
export function forecastGrid(tf: Tf, m: LoadedModel, grid: Grid): ForecastRun {
  const { prep } = m;
  const n = grid.t.length;
  const L = prep.lookback;
  const H = prep.horizon;
  const actualCol = grid.columns.get(prep.target) ?? new Float64Array(n);
  const x = featureMatrix(prep, grid);
  const z = scaledTarget(prep, grid);
  // Every window with a full lookback, and the one after the end (the horizon ahead), in one batch.
  const ix = Int32Array.from({ length: Math.max(0, n - L + 1) }, (_, k) => L + k);
  const values = outputsToValues(prep, predictWindows(tf, m.model, x, { lookback: L, features: prep.features.length }, L, n + 1), z, ix);
  const predicted: (number | null)[] = new Array<number | null>(n).fill(null);
  for (let k = 0; k < ix.length - 1; k++) predicted[ix[k] ?? 0] = values[k * H] ?? null;
  const last = ix.length - 1;
  const ahead = { t: [] as number[], predicted: [] as number[] };
  if (last >= 0 && n >= L) {
    const end = grid.t[n - 1] ?? 0;
    for (let h = 0; h < H; h++) {
      ahead.t.push(end + (h + 1) * grid.resolution);
      ahead.predicted.push(values[last * H + h] ?? 0);
    }
  }
  return { resolution: grid.resolution, t: Array.from(grid.t), actual: Array.from(actualCol, (v) => (Number.isFinite(v) ? v : null)), predicted, ahead };
}

/** Reads the source's windows the model needs and forecasts over them. */
export function forecastSource(tf: Tf, db: Database.Database, m: LoadedModel, sourceId: number, from?: number, to?: number): Result<ForecastRun> {
  const metrics = [...new Set(m.prep.features.map((f) => f.metric).filter((x): x is string => x !== null))];
  const series = m.prep.series !== undefined ? derivedInRange(db, sourceId, m.prep, from, to) : readSourceSeries(db, sourceId, {
    resolution: m.prep.resolution, target: m.prep.target, metrics,
    ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }),
  });
  if (!series.ok) return series;
  const grid = toGrid(series.value.raw, m.prep.fill);
  if (grid.t.length < m.prep.lookback) {
    return err({ code: 'invalid_argument', message: `sourceId: source ${sourceId} has ${grid.t.length} windows in range; the model needs a lookback of ${m.prep.lookback}` });
  }
  return ok(forecastGrid(tf, m, grid));
}

/** A per-type model's series on a source, cut to [from, to]. */
function derivedInRange(db: Database.Database, sourceId: number, prep: ForecastPreprocessing, from?: number, to?: number): Result<SourceSeries> {
  if (prep.series === undefined) return err({ code: 'invalid_argument', message: 'series: not a per-type model' });
  const d = derivedSeries(db, sourceId, prep.series, prep.resolution);
  if (!d.ok) return d;
  const { raw } = d.value;
  const keep = raw.t.map((t) => (from === undefined || t >= from) && (to === undefined || t <= to));
  const cut = <T>(a: readonly T[]): T[] => a.filter((_, i) => keep[i]);
  return ok({ ...d.value, raw: { ...raw, t: cut(raw.t), columns: Object.fromEntries(Object.entries(raw.columns).map(([k, v]) => [k, cut(v)])) } });
}

/** The last windows of a live capture (1 s rows as the aggregator emits them; gaps are empty windows). */
export interface LiveInput {
  readonly raw: RawSeries;
}

/** The prediction for the last window (from the L before it) and the next H windows. */
export interface LiveOutput {
  readonly t: number | null;
  readonly actual: number | null;
  readonly predictedNow: number | null;
  readonly ahead: { readonly t: number[]; readonly predicted: number[] };
}

/** Predicts from the tail of a live capture. */
export function predictLive(tf: Tf, m: LoadedModel, input: LiveInput): LiveOutput {
  const grid = toGrid(input.raw, m.prep.fill);
  const n = grid.t.length;
  if (n < m.prep.lookback) return { t: grid.t[n - 1] ?? null, actual: grid.columns.get(m.prep.target)?.[n - 1] ?? null, predictedNow: null, ahead: { t: [], predicted: [] } };
  const run = forecastGrid(tf, m, grid);
  return { t: run.t[n - 1] ?? null, actual: run.actual[n - 1] ?? null, predictedNow: run.predicted[n - 1] ?? null, ahead: run.ahead };
}

/** A source at most this many windows long is forecast whole by default. */
export const WHOLE_SOURCE_WINDOWS = 2000;

/**
 * The range `models.forecast` shows when the request names none: what an analyst judging the
 * model wants to see. A source of at most WHOLE_SOURCE_WINDOWS windows (at the model's
 * resolution): all of it. A longer one: on the model's own training source, the test split
 * (from its first window, with the lookback before it read as input only); on another source,
 * its last 15 % (the test split's share). The H windows ahead follow the last actual either way.
 * `report` is the model's report.json (resolution, lookback, split.valEnd). Returns the `from`
 * to read from (epoch seconds), or {} for the whole source.
 */
export function defaultForecastRange(
  db: Database.Database, sourceId: number, report: Readonly<Record<string, unknown>>, trainedOnThisSource: boolean,
): { from?: number; to?: number } {
  const res = Number(report['resolution']);
  const lookback = Number(report['lookback']);
  const split = report['split'] as { valEnd?: unknown } | undefined;
  const valEnd = typeof split?.valEnd === 'number' ? split.valEnd : null;
  if (!(res > 0) || !(lookback > 0)) return {};
  const ext = new WindowsRepo(db).extent(sourceId, res);
  if (ext === null) return {};
  const n = Math.round((ext.last - ext.first) / res) + 1;
  if (n <= WHOLE_SOURCE_WINDOWS) return {};
  const inputs = lookback * res;
  if (trainedOnThisSource && valEnd !== null && valEnd > ext.first && valEnd <= ext.last) return { from: Math.max(ext.first, valEnd - inputs) };
  return { from: Math.max(ext.first, ext.last - (Math.ceil(n * (1 - SPLIT.train - SPLIT.validation)) - 1) * res - inputs) };
}
