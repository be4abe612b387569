/**
 * Per-feature scaling, fitted on the training rows only: an optional log1p (byte-like and
 * count-like series, whose values span orders of magnitude) followed by robust scaling
 * (median, interquartile range; the standard deviation or 1 where the IQR is 0).
 */

/** A fitted scaler as preprocessing.json stores it. */
export interface Scaler {
  readonly log1p: boolean;
  readonly center: number;
  readonly scale: number;
}

/** Fits a scaler on values (NaN ignored); `log1p` applies before the statistics. */
export function fitScaler(values: ArrayLike<number>, log1p: boolean): Scaler {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) xs.push(log1p ? Math.log1p(Math.max(0, v)) : v);
  }
  if (xs.length === 0) return { log1p, center: 0, scale: 1 };
  xs.sort((a, b) => a - b);
  const center = quantileSorted(xs, 0.5);
  let scale = quantileSorted(xs, 0.75) - quantileSorted(xs, 0.25);
  if (!(scale > 1e-12)) {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    scale = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  }
  if (!(scale > 1e-12)) scale = 1;
  return { log1p, center, scale };
}

/** The value before scaling (after the optional log1p). */
export function transformRaw(s: Scaler, v: number): number {
  return s.log1p ? Math.log1p(Math.max(0, v)) : v;
}

/** Scales one value. */
export function scale(s: Scaler, v: number): number {
  return (transformRaw(s, v) - s.center) / s.scale;
}

/** Undoes `scale`: back to original units (log1p series never go below 0). */
export function unscale(s: Scaler, z: number): number {
  const u = z * s.scale + s.center;
  return s.log1p ? Math.max(0, Math.expm1(u)) : u;
}

/** Linear-interpolated quantile of sorted values (q in [0, 1]). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

/** True when `s` is a usable scaler read from a file. */
export function isScaler(s: unknown): s is Scaler {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return typeof o['log1p'] === 'boolean' && Number.isFinite(o['center']) && typeof o['scale'] === 'number' && o['scale'] > 0;
}
