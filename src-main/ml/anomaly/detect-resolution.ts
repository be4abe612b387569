/**
 * The default window resolution of an anomaly detection or anomaly-model training: a series'
 * one step; for a capture the finest stored resolution (1, 10, 60 s) whose span over the range
 * holds at most MAX_AUTO_WINDOWS windows, else the coarsest. Scoring costs ~0.09 ms per window
 * (bench/anomaly-nab.ts), so 20 000 windows keep a run near 2 s; a 1-day 1 s capture (86 400
 * windows, ~8 s) is read at 10 s unless asked for 1 s.
 */
import type Database from 'better-sqlite3';
import { WindowsRepo } from '../../store/windows-repo.js';

/** Most windows a detection scores when the caller does not choose the resolution. */
export const MAX_AUTO_WINDOWS = 20_000;

/** The default resolution (see the file comment); null when the source has no windows. */
export function pickDetectResolution(db: Database.Database, sourceId: number, range: { from?: number; to?: number }): number | null {
  const repo = new WindowsRepo(db);
  const stored = repo.resolutions(sourceId);
  const fits = stored.find((r) => {
    const ext = repo.extent(sourceId, r);
    if (ext === null) return false;
    const from = Math.max(ext.first, range.from ?? -Infinity);
    const to = Math.min(ext.last + r, range.to ?? Infinity);
    return (to - from) / r <= MAX_AUTO_WINDOWS;
  });
  return fits ?? stored[stored.length - 1] ?? null;
}
