/** Turns a column-wise ChartResult into recharts rows, converting per-window sums to per-second rates. */
import type { ChartResult } from '../../../src-shared/api.js';

/** A chart row: bucket start plus one value per key. */
export type ChartRow = { t: number } & Record<string, number | null>;

/** How to read one series into a row key. */
export interface SeriesPick {
  readonly metric: string;
  readonly key: string;
  /** Which aggregate of the bucket to show. */
  readonly agg: 'avg' | 'max' | 'min';
  /** Multiplier applied after reading (e.g. 8 / resolution for bytes-per-window → bits/s). */
  readonly scale?: number;
}

/**
 * Rows in time order. A bucket's avg of a per-window sum (tcp_bytes…) is the mean per stored
 * window, so a rate is avg / resolution; buckets missing from the answer had no windows and
 * are filled with zeros when `zeroGaps` (traffic volume), left out otherwise (latency).
 */
export function toRows(result: ChartResult, picks: readonly SeriesPick[], zeroGaps: boolean): ChartRow[] {
  const byT = new Map<number, ChartRow>();
  for (const p of picks) {
    const s = result.series.find((x) => x.metric === p.metric);
    if (s === undefined) continue;
    const vals = s[p.agg];
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i] ?? 0;
      let row = byT.get(t);
      if (row === undefined) {
        row = { t } as ChartRow;
        byT.set(t, row);
      }
      const v = vals[i] ?? null;
      row[p.key] = v === null ? null : v * (p.scale ?? 1);
    }
  }
  const rows = [...byT.values()].sort((a, b) => a.t - b.t);
  if (!zeroGaps || result.bucketSeconds <= 0) return rows;
  const out: ChartRow[] = [];
  const zero = (t: number): ChartRow => {
    const r = { t } as ChartRow;
    for (const p of picks) r[p.key] = 0;
    return r;
  };
  const b = result.bucketSeconds;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === undefined) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && row.t - prev.t > b * 1.5) {
      out.push(zero(prev.t + b));
      if (row.t - b > prev.t + b) out.push(zero(row.t - b));
    }
    out.push(row);
  }
  return out;
}
