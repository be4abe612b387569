/**
 * Reads the windows of a source (or a time range of it) from the workspace for the detector:
 * the rows, the resolution, the candidate columns and whether idle gaps are filled. The
 * imperative edge of the detector; everything after it is pure.
 */
import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../../src-shared/result.js';
import { WINDOW_METRICS } from '../../../src-shared/window-metrics.js';
import { SourcesRepo } from '../../store/sources-repo.js';
import { WindowsRepo } from '../../store/windows-repo.js';
import type { WindowValues } from './window-features.js';

/** Default cap on windows when the resolution is chosen automatically. */
const AUTO_MAX_WINDOWS = 200_000;

/** A time range [from, to) in epoch seconds; either end optional. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}

/** Windows of a source ready for training or scoring. */
export interface SourceWindows {
  readonly sourceId: number;
  readonly resolution: number;
  readonly rows: readonly WindowValues[];
  /** Window metrics plus an imported series' named values. */
  readonly columns: readonly string[];
  /** Captures: a missing window is idle; imported series: unknown. */
  readonly fillGaps: boolean;
}

/**
 * Loads a source's windows. Resolution: as given (must be stored), else for a series its one
 * step, else the finest stored resolution whose span holds at most 200 000 windows.
 */
export function loadSourceWindows(db: Database.Database, sourceId: number, range: TimeRange = {}, resolution?: number): Result<SourceWindows> {
  const source = new SourcesRepo(db).get(sourceId);
  if (source === undefined) return err({ code: 'not_found', message: `no source ${sourceId} in this workspace` });
  const repo = new WindowsRepo(db);
  const stored = repo.resolutions(sourceId);
  if (stored.length === 0) return err({ code: 'invalid_argument', message: `source ${sourceId} has no windows` });
  let res: number;
  if (resolution !== undefined) {
    if (!stored.includes(resolution)) {
      return err({ code: 'invalid_argument', message: `source ${sourceId} has no ${resolution} s windows (stored: ${stored.map((r) => `${r} s`).join(', ')})` });
    }
    res = resolution;
  } else {
    res = stored.find((r) => {
      const ext = repo.extent(sourceId, r);
      if (ext === null) return false;
      const from = Math.max(ext.first, range.from ?? -Infinity);
      const to = Math.min(ext.last + r, range.to ?? Infinity);
      return (to - from) / r <= AUTO_MAX_WINDOWS;
    }) ?? stored[stored.length - 1]!;
  }
  const rows = repo.page(sourceId, res, { ...(range.from === undefined ? {} : { from: range.from }), ...(range.to === undefined ? {} : { to: range.to }) });
  if (rows.length === 0) return err({ code: 'invalid_argument', message: `source ${sourceId} has no ${res} s windows in the range` });
  const extra = repo.valueNames(sourceId);
  return ok({ sourceId, resolution: res, rows, columns: [...WINDOW_METRICS, ...extra], fillGaps: source.kind !== 'series' });
}
