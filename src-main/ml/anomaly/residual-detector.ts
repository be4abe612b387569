/**
 * The forecast-residual detector: a window is flagged when its residual (actual − predicted)
 * leaves the validation band [low, high] the forecast model measured (ForecastSeries.band in
 * src-shared/models-api.ts). Pure and JSON in, JSON out.
 *
 * Severity is how far outside the band the residual is, in band widths: low < 0.5, medium < 2,
 * high ≥ 2 (a band of zero width counts any excess as high).
 */
import type { Severity } from './detector.js';

/** One out-of-band window. */
export interface ResidualAnomaly {
  /** Index into the input arrays. */
  readonly index: number;
  /** Window start when `t` was given, else null. */
  readonly t: number | null;
  readonly actual: number;
  readonly predicted: number;
  readonly residual: number;
  readonly direction: 'above' | 'below';
  /** Distance outside the band divided by its width (Infinity-free: capped at 1000). */
  readonly excess: number;
  readonly severity: Severity;
  readonly message: string;
}

/** Flags residuals outside [band.low, band.high]; null or non-finite actual/predicted pairs are skipped. */
export function residualAnomalies(
  actual: readonly (number | null)[],
  predicted: readonly (number | null)[],
  band: { readonly low: number; readonly high: number },
  t?: readonly number[],
): ResidualAnomaly[] {
  if (actual.length !== predicted.length) throw new Error(`actual has ${actual.length} values, predicted ${predicted.length}`);
  if (!(band.low <= band.high)) throw new Error(`band low ${band.low} is above high ${band.high}`);
  const width = band.high - band.low;
  const out: ResidualAnomaly[] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (typeof a !== 'number' || typeof p !== 'number' || !Number.isFinite(a) || !Number.isFinite(p)) continue;
    const residual = a - p;
    if (residual >= band.low && residual <= band.high) continue;
    const direction = residual > band.high ? 'above' : 'below';
    const outside = direction === 'above' ? residual - band.high : band.low - residual;
    const excess = Math.min(1000, width > 0 ? outside / width : 1000);
    const severity: Severity = excess >= 2 ? 'high' : excess >= 0.5 ? 'medium' : 'low';
    const when = t?.[i];
    const at = when === undefined ? `window ${i}` : new Date(when * 1000).toISOString().replace('.000Z', 'Z');
    out.push({
      index: i, t: when ?? null, actual: a, predicted: p, residual, direction, excess, severity,
      message: `${severity[0]!.toUpperCase()}${severity.slice(1)}-severity forecast miss at ${at}: actual ${fmt(a)} is ${fmt(Math.abs(residual))} ${direction === 'above' ? 'above' : 'below'} the forecast ${fmt(p)}, outside the validation band [${fmt(band.low)}, ${fmt(band.high)}].`,
    });
  }
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}
