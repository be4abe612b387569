/**
 * Rows of the stacked per-type view: one row per window (at most `maxPoints`, buckets drawn as
 * their first window), each series' actual under its own key (stacked, they add up to the
 * window's bytes) and the sum of the series' one-step predictions beside the summed actual,
 * then the summed horizon ahead. Series are per-type forecasts of the same source and split,
 * so their windows coincide; a window missing in one series counts as 0 there.
 */
import type { ForecastSeries } from '../../../src-shared/models-api.js';

/** A series of the stack: its name and its forecast. */
export interface StackSeries {
  readonly name: string;
  readonly forecast: ForecastSeries;
}

/** One chart row: `a:<name>` actual per series, `total`, `predicted` and `ahead` sums. */
export type StackRow = { readonly t: number; readonly total: number | null; readonly predicted: number | null; readonly ahead: number | null } & Readonly<Record<string, number | null>>;

/** Stacked rows of the series (module comment). */
export function stackRows(series: readonly StackSeries[], maxPoints: number): StackRow[] {
  const times = [...new Set(series.flatMap((s) => s.forecast.t))].sort((a, b) => a - b);
  const at = series.map((s) => new Map(s.forecast.t.map((t, i) => [t, i])));
  const per = Math.max(1, Math.ceil(times.length / Math.max(1, maxPoints)));
  const rows: StackRow[] = [];
  for (let k = 0; k < times.length; k += per) {
    const t = times[k] ?? 0;
    const row: Record<string, number | null> = { t, total: 0, predicted: 0, ahead: null };
    let predictedAll = true;
    series.forEach((s, j) => {
      const i = at[j]?.get(t);
      const a = i === undefined ? 0 : (s.forecast.actual[i] ?? 0);
      const p = i === undefined ? null : (s.forecast.predicted[i] ?? null);
      row[`a:${s.name}`] = a;
      row['total'] = (row['total'] ?? 0) + a;
      if (p === null) predictedAll = false;
      else row['predicted'] = (row['predicted'] ?? 0) + p;
    });
    if (!predictedAll) row['predicted'] = null;
    rows.push(row as StackRow);
  }
  const horizon = Math.min(...series.map((s) => s.forecast.ahead.t.length));
  const first = series[0];
  if (first !== undefined && horizon > 0 && rows.length > 0) {
    const last = rows[rows.length - 1] as Record<string, number | null>;
    last['ahead'] = last['total'] ?? null;
    for (let h = 0; h < horizon; h++) {
      const sum = series.reduce((a, s) => a + (s.forecast.ahead.predicted[h] ?? 0), 0);
      rows.push({ t: first.forecast.ahead.t[h] ?? 0, total: null, predicted: null, ahead: sum } as StackRow);
    }
  }
  return rows;
}
