/**
 * Shapes a ForecastSeries into chart rows of at most `maxPoints`. A bucket is drawn as one real
 * window, the one with the largest |residual| (else the largest actual), so actual − predicted
 * = residual on every row and a spike out of the band stays visible at any zoom (means would
 * flatten it). The horizon ahead starts at the last actual point so the dashed line joins it.
 */
import type { ForecastSeries } from '../../../src-shared/models-api.js';

/** One chart row: window start and the values drawn (null: no value, a gap). */
export interface ForecastRow {
  readonly t: number;
  readonly actual: number | null;
  readonly predicted: number | null;
  readonly residual: number | null;
  readonly ahead: number | null;
}

/** Rows for the actual/predicted chart and the residual chart below it. */
export function forecastRows(f: ForecastSeries, maxPoints: number): ForecastRow[] {
  const n = f.t.length;
  const per = Math.max(1, Math.ceil(n / Math.max(1, maxPoints - f.ahead.t.length - 1)));
  const rows: ForecastRow[] = [];
  for (let i = 0; i < n; i += per) {
    const k = representative(f, i, Math.min(n, i + per));
    rows.push({ t: f.t[i] ?? 0, actual: f.actual[k] ?? null, predicted: f.predicted[k] ?? null, residual: f.residual[k] ?? null, ahead: null });
  }
  const lastActual = lastIndex(f.actual);
  if (f.ahead.t.length > 0 && lastActual >= 0) {
    // The dashed horizon leaves from the last actual point (its own row, so it is exact).
    const t = f.t[lastActual] ?? 0;
    const a = f.actual[lastActual] ?? null;
    const at = rows.findIndex((r) => r.t === t);
    if (at >= 0) rows[at] = { ...(rows[at] as ForecastRow), actual: a, ahead: a };
    else {
      const row: ForecastRow = { t, actual: a, predicted: f.predicted[lastActual] ?? null, residual: f.residual[lastActual] ?? null, ahead: a };
      rows.push(row);
      rows.sort((x, y) => x.t - y.t);
    }
    for (let j = 0; j < f.ahead.t.length; j++) {
      const tt = f.ahead.t[j];
      if (tt === undefined || tt <= t) continue;
      rows.push({ t: tt, actual: null, predicted: null, residual: null, ahead: f.ahead.predicted[j] ?? null });
    }
  }
  return rows;
}

/**
 * The rows whose residual leaves the band, at most `max` of them: the furthest outside first, so
 * the largest residual anomalies are the ones marked when there are more; returned in time order.
 */
export function outOfBandRows(rows: readonly ForecastRow[], band: { readonly low: number; readonly high: number }, max: number): ForecastRow[] {
  const beyond = (r: number): number => (r > band.high ? r - band.high : band.low - r);
  return rows
    .filter((r) => r.residual !== null && (r.residual < band.low || r.residual > band.high))
    .sort((a, b) => beyond(b.residual as number) - beyond(a.residual as number) || a.t - b.t)
    .slice(0, Math.max(0, max))
    .sort((a, b) => a.t - b.t);
}

/** Index of the window in [from, to) with the largest |residual|, else the largest actual, else `from`. */
function representative(f: ForecastSeries, from: number, to: number): number {
  let best = from;
  let bestR = -1;
  let bestA = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const r = f.residual[i];
    const a = f.actual[i];
    if (r !== null && r !== undefined && Number.isFinite(r)) {
      if (Math.abs(r) > bestR) {
        bestR = Math.abs(r);
        best = i;
      }
    } else if (bestR < 0 && a !== null && a !== undefined && a > bestA) {
      bestA = a;
      best = i;
    }
  }
  return best;
}

function lastIndex(v: readonly (number | null)[]): number {
  for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && v[i] !== undefined) return i;
  return -1;
}
