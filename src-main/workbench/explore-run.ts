/**
 * One `features.explore` run on a workspace connection: choose the resolution, read the
 * windows, build the feature table and compute its figures. Runs inline for small ranges and
 * inside explore.worker.ts otherwise (see explore-handlers.ts).
 *
 * Resolution by default: a series' one step; for a capture the finest stored resolution whose
 * span over the range holds at most EXPLORE_MAX_WINDOWS windows, else the coarsest (which then
 * fails with the cap's message when still too long).
 */
import type Database from 'better-sqlite3';
import { EXPLORE_MAX_WINDOWS } from '../../src-shared/explore-api.js';
import type { ExploreAnomalies, FeatureExploreRequest, FeatureExploreResult } from '../../src-shared/explore-api.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import { availableFeatures, buildFeatureTable, exploreFeatures, type ExploreSourceShape } from '../analysis/feature-explore.js';
import { loadSourceWindows } from '../ml/anomaly/source-windows.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { WindowsRepo } from '../store/windows-repo.js';

/** Said when the source has no stored flags. */
export const NO_ANOMALIES_NOTE =
  'No anomaly detection is stored for this source: the projection is coloured by time only (run anomaly detection in the Overview to colour it by flag).';

/**
 * The latest stored detection of the source (newest detected_at over its models) matched to
 * the projection: a point is flagged when its window [t, t + resolution) overlaps a flagged
 * window. A detection that flagged nothing leaves no rows, so it reads as none stored.
 */
export function storedAnomalies(db: Database.Database, sourceId: number, t: readonly number[], resolution: number): ExploreAnomalies | null {
  let latest: { model_id: number; d: number } | undefined;
  try {
    latest = db.prepare<[number], { model_id: number; d: number }>(
      'SELECT model_id, max(detected_at) AS d FROM anomalies WHERE source_id = ? GROUP BY model_id ORDER BY d DESC, model_id LIMIT 1',
    ).get(sourceId);
  } catch {
    return null; // a workspace from before migration 7
  }
  if (latest === undefined) return null;
  const flags = db.prepare<[number, number], { t: number; resolution: number }>(
    'SELECT t, resolution FROM anomalies WHERE source_id = ? AND model_id = ? ORDER BY t',
  ).all(sourceId, latest.model_id);
  // Both lists are in time order: one merge pass.
  const flagged: boolean[] = [];
  let k = 0;
  for (const start of t) {
    const end = start + resolution;
    while (k < flags.length && flags[k]!.t + flags[k]!.resolution <= start) k++;
    let hit = false;
    for (let j = k; j < flags.length && flags[j]!.t < end; j++) {
      if (flags[j]!.t + flags[j]!.resolution > start) {
        hit = true;
        break;
      }
    }
    flagged.push(hit);
  }
  return { modelId: latest.model_id === 0 ? null : latest.model_id, detectedAt: latest.d, stored: flags.length, flagged };
}

/** The resolution a run reads and how many grid windows that is (null: no windows). */
export function planExplore(db: Database.Database, req: FeatureExploreRequest): { resolution: number; windows: number } | null {
  const repo = new WindowsRepo(db);
  const stored = repo.resolutions(req.sourceId);
  const span = (r: number): number | null => {
    const ext = repo.extent(req.sourceId, r);
    if (ext === null) return null;
    const from = Math.max(ext.first, req.from ?? -Infinity);
    const to = Math.min(ext.last + r, req.to ?? Infinity);
    return Math.max(0, Math.ceil((to - from) / r));
  };
  const res = req.resolution ?? stored.find((r) => (span(r) ?? Infinity) <= EXPLORE_MAX_WINDOWS) ?? stored[stored.length - 1];
  if (res === undefined) return null;
  return { resolution: res, windows: span(res) ?? 0 };
}

/** Explores the source's (or range's) window features. */
export function runExplore(db: Database.Database, req: FeatureExploreRequest): Result<FeatureExploreResult> {
  const started = performance.now();
  const source = new SourcesRepo(db).get(req.sourceId);
  if (source === undefined) return err({ code: 'not_found', message: `sourceId: no source ${req.sourceId}` });
  const plan = planExplore(db, req);
  if (plan === null) return err({ code: 'invalid_argument', message: `sourceId: source ${req.sourceId} has no windows` });
  const range = { ...(req.from === undefined ? {} : { from: req.from }), ...(req.to === undefined ? {} : { to: req.to }) };
  // Refuse before reading: a 1 s read of a week-long capture would load 600 000 rows first.
  if (plan.windows > EXPLORE_MAX_WINDOWS) {
    return err({
      code: 'invalid_argument',
      message: `resolution: ${plan.windows} windows of ${plan.resolution} s in the range, more than the ${EXPLORE_MAX_WINDOWS} one exploration reads: choose a coarser resolution or a shorter range`,
    });
  }
  const loaded = loadSourceWindows(db, req.sourceId, range, plan.resolution);
  if (!loaded.ok) return loaded;
  const w = loaded.value;
  const ext = new WindowsRepo(db).extent(req.sourceId, w.resolution);
  const res = w.resolution;
  const shape: ExploreSourceShape = {
    resolution: res, fillGaps: w.fillGaps, seriesColumns: source.kind === 'series' ? w.columns.filter((c) => hasValue(c, w.rows)) : [],
    // The range's idle edges, on the resolution's grid, within the source's extent.
    ...(ext === null ? {} : {
      gridFrom: Math.max(ext.first, req.from === undefined ? -Infinity : Math.ceil(req.from / res) * res),
      gridTo: Math.min(ext.last + res, req.to === undefined ? Infinity : Math.ceil(req.to / res) * res),
    }),
  };
  let table;
  try {
    table = buildFeatureTable(w.rows, shape, req.features);
  } catch (e) {
    return err({ code: 'invalid_argument', message: (e as Error).message });
  }
  if (table.names.length === 0) {
    return err({ code: 'invalid_argument', message: `features: none of ${table.skipped.map((s) => s.feature).join(', ')} has a value in the range` });
  }
  const figures = exploreFeatures(table);
  const first = table.t[0] ?? 0;
  const last = table.t[table.t.length - 1] ?? 0;
  const anomalies = storedAnomalies(db, req.sourceId, figures.pca?.projection.t ?? [], w.resolution);
  const flaggedPoints = anomalies?.flagged.filter(Boolean).length ?? 0;
  const anomalyNote = anomalies === null
    ? NO_ANOMALIES_NOTE
    : `Coloured by the latest stored anomaly detection (${anomalies.modelId === null ? 'fitted on the fly' : `model ${anomalies.modelId}`}, ${anomalies.stored} flagged windows): ${flaggedPoints} of ${anomalies.flagged.length} projected windows flagged.`;
  return ok({
    sourceId: req.sourceId, resolution: w.resolution, from: first, to: last + w.resolution,
    available: availableFeatures(shape), ...figures, anomalies, anomalyNote, elapsedMs: performance.now() - started,
  });
}

/**
 * Whether a column has a value in some row: a series source's value columns are its named
 * values and the window metrics its file filled (a field named like one fills that column).
 */
function hasValue(c: string, rows: readonly { readonly [k: string]: number | null }[]): boolean {
  return rows.some((r) => typeof r[c] === 'number');
}
