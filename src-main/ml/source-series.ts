/**
 * Reads a source's windows for a model: picks the resolution (a series' own step; for a capture
 * the coarsest stored resolution that still gives MIN_WINDOWS windows over the span, else the
 * finest), the default target, and the metric columns as a RawSeries.
 */
import type Database from 'better-sqlite3';
import { FLIGHT_METRICS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { SourcesRepo } from '../store/sources-repo.js';
import type { SourceRow } from '../store/sources-repo.js';
import { WindowsRepo } from '../store/windows-repo.js';
import type { RawSeries } from './forecast-dataset.js';

/** A resolution is picked only if it gives at least this many windows. */
const MIN_WINDOWS = 2000;
/** Default forecast target. */
export const DEFAULT_TARGET = 'bytes_per_second';

/** What `readSourceSeries` answers. */
export interface SourceSeries {
  readonly source: SourceRow;
  readonly raw: RawSeries;
  readonly target: string;
}

/** Reads the windows of a source at a resolution (default: picked) with the metrics a model may use. */
export function readSourceSeries(
  db: Database.Database,
  sourceId: number,
  opts: { resolution?: number; target?: string; from?: number; to?: number; metrics?: readonly string[]; inputs?: readonly string[] } = {},
): Result<SourceSeries> {
  const source = new SourcesRepo(db).get(sourceId);
  if (source === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
  const windows = new WindowsRepo(db);
  const stored = windows.resolutions(sourceId);
  if (stored.length === 0) return err({ code: 'invalid_argument', message: `sourceId: source ${sourceId} (${source.displayName}) has no windows` });
  let resolution: number;
  if (opts.resolution !== undefined) {
    if (!stored.includes(opts.resolution)) {
      return err({ code: 'invalid_argument', message: `resolution: source ${sourceId} has no ${opts.resolution} s windows (stored: ${stored.join(', ')} s)` });
    }
    resolution = opts.resolution;
  } else {
    resolution = pickResolution(windows, sourceId, stored);
  }
  const extras = windows.valueNames(sourceId);
  const rows = windows.page(sourceId, resolution, { ...(opts.from === undefined ? {} : { from: opts.from }), ...(opts.to === undefined ? {} : { to: opts.to }) });
  const known = [...WINDOW_METRICS, ...FLIGHT_METRICS, ...extras];
  for (const [i, m] of (opts.inputs ?? []).entries()) {
    if (!known.includes(m)) return err({ code: 'invalid_argument', message: `features[${i}]: ${m} is not a metric of source ${sourceId} (it has: ${known.join(', ')})` });
  }
  const hasDefault = rows.some((r) => typeof r[DEFAULT_TARGET] === 'number');
  const defaultTarget = hasDefault || extras.length !== 1 ? DEFAULT_TARGET : (extras[0] ?? DEFAULT_TARGET);
  const explicit = opts.metrics ?? (opts.inputs === undefined ? undefined : [...new Set([opts.target ?? defaultTarget, ...opts.inputs])]);
  const candidates = explicit ?? known;
  const columns: Record<string, (number | null)[]> = {};
  for (const m of candidates) {
    const col = rows.map((r) => (typeof r[m] === 'number' ? (r[m] as number) : null));
    // By default a flight metric is an input only where the source's TCP has non-zero bytes in flight.
    const flight = (FLIGHT_METRICS as readonly string[]).includes(m);
    if (explicit !== undefined || ((!flight || hasBytesInFlight(rows)) && col.some((v) => v !== null))) columns[m] = col;
  }
  for (const [i, m] of (opts.inputs ?? []).entries()) {
    if (m !== (opts.target ?? defaultTarget) && !(columns[m] ?? []).some((v) => v !== null)) {
      const why = (FLIGHT_METRICS as readonly string[]).includes(m) ? ' (no TCP data segments in range)' : '';
      return err({ code: 'invalid_argument', message: `features[${i}]: source ${sourceId} has no values of ${m}${why}` });
    }
  }
  const target = opts.target ?? defaultTarget;
  if (columns[target] === undefined) {
    const known = Object.keys(columns);
    return err({ code: 'invalid_argument', message: `target: source ${sourceId} has no values of ${target} (it has: ${known.join(', ') || 'none'})` });
  }
  return ok({ source, raw: { kind: source.kind, resolution, t: rows.map((r) => r.t), columns }, target });
}

function hasBytesInFlight(rows: readonly Record<string, unknown>[]): boolean {
  return rows.some((r) => typeof r['bif_max'] === 'number' && r['bif_max'] > 0);
}

function pickResolution(windows: WindowsRepo, sourceId: number, stored: readonly number[]): number {
  for (let i = stored.length - 1; i > 0; i--) {
    const r = stored[i] ?? 1;
    const ext = windows.extent(sourceId, r);
    if (ext !== null && (ext.last - ext.first) / r + 1 >= MIN_WINDOWS) return r;
  }
  return stored[0] ?? 1;
}
