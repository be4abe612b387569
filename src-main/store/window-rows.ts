/**
 * Window rows as `flowbench query windows` and `GET /api/sources/{id}/windows` give them: t,
 * packets, bytes, captured_bytes and the window metrics by their snake_case names, at a chosen
 * resolution or the finest whose row count fits the limit, optionally with empty windows filled.
 */
import type Database from 'better-sqlite3';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { FLIGHT_METRICS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import { WindowsRepo } from './windows-repo.js';

/** Columns of a window row, in order. */
export const WINDOW_ROW_COLUMNS = ['t', 'packets', 'bytes', 'captured_bytes', ...WINDOW_METRICS, ...FLIGHT_METRICS] as const;

/** One window row (null where unknown). */
export type WindowRowValues = Record<string, number | null>;

/** Which windows. */
export interface WindowRowsQuery {
  readonly sourceId: number;
  /** Epoch seconds, from inclusive, to exclusive. */
  readonly from?: number;
  readonly to?: number;
  /** Seconds, or auto: the finest stored resolution whose row count in the range fits `limit`. */
  readonly resolution: number | 'auto';
  readonly limit?: number;
  /** Also list empty windows of the range (zero counts, null ratios). */
  readonly fill?: boolean;
}

/** Most rows `fill` may produce (a years-long span at 1 s would be billions). */
export const MAX_FILL_ROWS = 10_000_000;

/** The rows and the resolution they were read at. */
export function windowRows(db: Database.Database, q: WindowRowsQuery): Result<{ resolution: number; rows: WindowRowValues[] }> {
  const repo = new WindowsRepo(db);
  const lo = q.from ?? -1e300;
  const hi = q.to ?? 1e300;
  let resolution: number;
  if (q.resolution !== 'auto') {
    resolution = q.resolution;
  } else {
    const stored = repo.resolutions(q.sourceId);
    const fits = stored.find((r) => q.limit === undefined || repo.count(q.sourceId, r, lo, hi) <= q.limit);
    resolution = fits ?? stored[stored.length - 1] ?? 1;
  }
  const range = { ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }) };
  const page = repo.page(q.sourceId, resolution, { ...range, ...(q.limit === undefined ? {} : { limit: q.limit }) });
  let rows: WindowRowValues[] = page.map((w) => {
    const r: WindowRowValues = {};
    for (const c of WINDOW_ROW_COLUMNS) r[c] = w[c] ?? null;
    return r;
  });
  if (q.fill === true) {
    const ext = repo.extent(q.sourceId, resolution);
    if (ext !== null || (q.from !== undefined && q.to !== undefined)) {
      const start = Math.ceil((q.from ?? ext!.first) / resolution) * resolution;
      const end = q.to ?? ext!.last + resolution;
      const n = Math.max(0, Math.ceil((end - start) / resolution));
      if (Math.min(n, q.limit ?? n) > MAX_FILL_ROWS) {
        return err({ code: 'invalid_argument', message: `filling would give ${n} windows; narrow from/to or set a limit` });
      }
      rows = fillWindows(rows, start, end, resolution, q.limit);
    }
  }
  return ok({ resolution, rows });
}

/** Stored rows with an empty row (zero counts, null ratios) for every missing window of [start, end). */
function fillWindows(stored: WindowRowValues[], start: number, end: number, res: number, limit: number | undefined): WindowRowValues[] {
  const out: WindowRowValues[] = [];
  let k = 0;
  for (let t = start; t < end && (limit === undefined || out.length < limit); t += res) {
    while (k < stored.length && (stored[k]!['t'] as number) < t) k++;
    const have = stored[k];
    if (have !== undefined && have['t'] === t) {
      out.push(have);
      continue;
    }
    const r: WindowRowValues = { t };
    for (const c of WINDOW_ROW_COLUMNS) if (c !== 't') r[c] = null;
    for (const c of ['packets', 'bytes', 'captured_bytes', 'bytes_per_second', 'packets_per_second', 'active_connections', 'new_connections']) r[c] = 0;
    out.push(r);
  }
  return out;
}
