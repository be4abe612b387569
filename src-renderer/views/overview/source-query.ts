/** What every overview query depends on: the source, the shared time range and the data version. */
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import { useSources } from '../../stores/sources-store.js';
import type { TimeRange } from '../../stores/selection-store.js';

/** The inputs of a source query. */
export interface SourceQueryInputs {
  readonly sourceId: number | null;
  readonly range: TimeRange | null;
  readonly rangeReq: { from?: number; to?: number };
  readonly version: number;
}

/** The selected source, range and data version. */
export function useSourceQueryInputs(): SourceQueryInputs {
  const sourceId = useSelection((s) => s.sourceId);
  const range = useSelection((s) => s.range);
  const version = useSources((s) => s.version);
  return { sourceId, range, rangeReq: rangeFields(range), version };
}

/** Axis label for an epoch second, with the date when the span covers days. */
export function axisTime(t: number, span: number): string {
  const iso = new Date(t * 1000).toISOString();
  if (span > 2 * 86400) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  if (span < 30) return iso.slice(11, 22);
  return iso.slice(11, 19);
}
