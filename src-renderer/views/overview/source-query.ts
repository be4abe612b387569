/** What every overview query depends on: the source, the shared time range and the source's data key. */
import { useThrottledDataKey } from '../../hooks/use-live-refresh.js';
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import type { TimeRange } from '../../stores/selection-store.js';

/** The inputs of a source query. */
export interface SourceQueryInputs {
  readonly sourceId: number | null;
  readonly range: TimeRange | null;
  readonly rangeReq: { from?: number; to?: number };
  /** Changes when the source's data changed (see useThrottledDataKey): the queries' refresh key. */
  readonly version: string;
  /** True while the source is being written (ingest or live capture). */
  readonly live: boolean;
}

/** Light panels (totals, volume) refresh at most this often while their source is live. */
export const LIVE_REFRESH_MS = 1000;

/** Heavy panels (many rows or series) refresh at most this often while their source is live. */
export const HEAVY_REFRESH_MS = 5000;

/** Points a time chart asks for while its source is live (redrawn every second); full detail once finished. */
export const LIVE_MAX_POINTS = 300;

/**
 * The selected source, range and data key; the key changes at most once per `throttleMs` while
 * the source is being written (progress events and the 1 s re-read both move it), at once otherwise.
 */
export function useSourceQueryInputs(throttleMs = LIVE_REFRESH_MS): SourceQueryInputs {
  const sourceId = useSelection((s) => s.sourceId);
  const range = useSelection((s) => s.range);
  const version = useThrottledDataKey(sourceId, throttleMs);
  return { sourceId, range, rangeReq: rangeFields(range), version, live: version.split('|')[1] === 'ingesting' };
}

/** Axis label for an epoch second, with the date when the span covers days. */
export function axisTime(t: number, span: number): string {
  const iso = new Date(t * 1000).toISOString();
  if (span > 2 * 86400) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  if (span < 30) return iso.slice(11, 22);
  return iso.slice(11, 19);
}
