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
import type { FeatureExploreRequest, FeatureExploreResult } from '../../src-shared/explore-api.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import { availableFeatures, buildFeatureTable, exploreFeatures, type ExploreSourceShape } from '../analysis/feature-explore.js';
import { loadSourceWindows } from '../ml/anomaly/source-windows.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { WindowsRepo } from '../store/windows-repo.js';

/** Said with every answer: the workbench keeps no anomaly flags to colour the projection by. */
export const ANOMALY_NOTE =
  'No anomaly run is stored for this source (anomalies.detect computes flags on demand): the projection is coloured by time; run detection in the Overview to colour it by anomaly flag.';

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
  const shape: ExploreSourceShape = {
    resolution: w.resolution, fillGaps: w.fillGaps, seriesColumns: source.kind === 'series' ? w.columns.filter((c) => hasValue(c, w.rows)) : [],
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
  return ok({
    sourceId: req.sourceId, resolution: w.resolution, from: first, to: last + w.resolution,
    available: availableFeatures(shape), ...figures, anomalyNote: ANOMALY_NOTE, elapsedMs: performance.now() - started,
  });
}

/**
 * Whether a column has a value in some row: a series source's value columns are its named
 * values and the window metrics its file filled (a field named like one fills that column).
 */
function hasValue(c: string, rows: readonly { readonly [k: string]: number | null }[]): boolean {
  return rows.some((r) => typeof r[c] === 'number');
}
