/**
 * Forecast error figures (pure): MAE, RMSE, sMAPE and skill against persistence, for the model
 * and the persistence and seasonal-naive baselines on the same points, in original units.
 */
import type { ForecastEvaluation, ForecastScores } from '../../src-shared/models-api.js';
import { quantileSorted } from './scalers.js';

/** MAE, RMSE and sMAPE of predictions against actual values (equal lengths). */
export function errorFigures(actual: ArrayLike<number>, predicted: ArrayLike<number>): { mae: number; rmse: number; smape: number } {
  let abs = 0;
  let sq = 0;
  let sm = 0;
  const n = actual.length;
  for (let i = 0; i < n; i++) {
    const a = actual[i] ?? 0;
    const p = predicted[i] ?? 0;
    const e = p - a;
    abs += Math.abs(e);
    sq += e * e;
    const denom = Math.abs(a) + Math.abs(p);
    sm += denom === 0 ? 0 : (2 * Math.abs(e)) / denom;
  }
  return n === 0 ? { mae: Number.NaN, rmse: Number.NaN, smape: Number.NaN } : { mae: abs / n, rmse: Math.sqrt(sq / n), smape: (100 * sm) / n };
}

/** Scores with skill = 1 − RMSE / RMSE of persistence (0 when persistence is perfect and so is the predictor). */
export function withSkill(f: { mae: number; rmse: number; smape: number }, persistenceRmse: number): ForecastScores {
  const skill = persistenceRmse > 0 ? 1 - f.rmse / persistenceRmse : f.rmse === 0 ? 0 : Number.NEGATIVE_INFINITY;
  return { ...f, skill };
}

/**
 * Evaluates one-step-ahead predictions at grid indices `idx` of the series `actual` (original
 * units): persistence predicts actual[i − 1], seasonal naive actual[i − season].
 */
export function evaluateForecast(actual: ArrayLike<number>, idx: ArrayLike<number>, predicted: ArrayLike<number>, season: number | null): ForecastEvaluation {
  const m = idx.length;
  const a = new Float64Array(m);
  const pers = new Float64Array(m);
  const seas = new Float64Array(m);
  let seasonOk = season !== null;
  for (let k = 0; k < m; k++) {
    const i = idx[k] ?? 0;
    a[k] = actual[i] ?? Number.NaN;
    pers[k] = actual[i - 1] ?? Number.NaN;
    if (season !== null) {
      if (i - season < 0) seasonOk = false;
      else seas[k] = actual[i - season] ?? Number.NaN;
    }
  }
  const persistence = errorFigures(a, pers);
  return {
    points: m,
    model: withSkill(errorFigures(a, predicted), persistence.rmse),
    persistence: withSkill(persistence, persistence.rmse),
    seasonalNaive: seasonOk ? withSkill(errorFigures(a, seas), persistence.rmse) : null,
    seasonWindows: seasonOk ? season : null,
  };
}

/** The band [q_low, q_high] of residuals (actual − predicted). */
export function residualBand(residuals: ArrayLike<number>, low = 0.01, high = 0.99): { low: number; high: number } {
  const xs = Array.from(residuals).filter(Number.isFinite).sort((x, y) => x - y);
  if (xs.length === 0) return { low: 0, high: 0 };
  return { low: quantileSorted(xs, low), high: quantileSorted(xs, high) };
}
