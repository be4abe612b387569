/**
 * Chart queries over windows with downsampling: at most N points per series, each point the
 * min / max / avg of a time bucket so peaks survive. The stored resolution is chosen per query
 * ('auto': the coarsest that still gives >= N points), so a 24 h view reads 1 440 one-minute rows
 * rather than 86 400 one-second rows.
 */
import type Database from 'better-sqlite3';
import { PACKET_LENGTH_BUCKETS } from '../../src-shared/window-metrics.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { CHARTABLE_COLUMNS, PLEN_COLUMNS } from './window-columns.js';
import { WindowsRepo } from './windows-repo.js';

/** A chart request; times are epoch seconds, `from` inclusive, `to` exclusive. */
export interface ChartRequest {
  readonly sourceId: number;
  /** Window columns (`bytes_per_second`, `plen_40_79`, …) or extra series names of an import. */
  readonly metrics: readonly string[];
  readonly from?: number;
  readonly to?: number;
  /** Upper bound on points per series (>= 1). */
  readonly maxPoints: number;
  /** A stored resolution in seconds, or 'auto' (default). */
  readonly resolution?: number | 'auto';
}

/** One series, column-wise: bucket starts and min / max / avg per bucket (null: no value). */
export interface ChartSeries {
  readonly metric: string;
  readonly t: number[];
  readonly min: (number | null)[];
  readonly max: (number | null)[];
  readonly avg: (number | null)[];
}

/** The answer: the resolution read, the bucket width, the range covered and the series. */
export interface ChartResult {
  readonly resolution: number;
  readonly bucketSeconds: number;
  readonly from: number;
  readonly to: number;
  readonly series: ChartSeries[];
}

/**
 * Metrics whose empty windows mean zero (nothing was sent). For capture sources a bucket's avg
 * divides by every window of the bucket inside the data's extent and its min is 0 when a
 * window is missing. Other metrics average the windows that have a value.
 */
const ZERO_WHEN_EMPTY = new Set<string>([
  'packets',
  'bytes',
  'captured_bytes',
  'bytes_per_second',
  'packets_per_second',
  'active_connections',
  'new_connections',
  ...PLEN_COLUMNS,
  'tcp_packets',
  'tcp_bytes',
  'udp_packets',
  'udp_bytes',
  'icmp_packets',
  'icmp_bytes',
  'other_packets',
  'other_bytes',
]);

/** Ratio metrics averaged from the bucket's sums (falling back to a plain avg for imports). */
const RATIO_AVG: Record<string, string> = {
  avg_packet_size: 'sum(bytes) * 1.0 / nullif(sum(packets), 0)',
  tcp_rtt_ms: 'sum(rtt_sum) * 1.0 / nullif(sum(rtt_count), 0)',
  avg_latency_ms: 'sum(latency_sum) * 1.0 / nullif(sum(latency_count), 0)',
  bif_mean: 'sum(bif_sum) * 1.0 / nullif(sum(bif_count), 0)',
  tcp_percent: 'sum(tcp_packets) * 100.0 / nullif(sum(packets), 0)',
  udp_percent: 'sum(udp_packets) * 100.0 / nullif(sum(packets), 0)',
  icmp_percent: 'sum(icmp_packets) * 100.0 / nullif(sum(packets), 0)',
};

/** Largest point count a chart may ask for per series. */
export const MAX_POINTS = 100_000;

/** Runs chart queries against one workspace. */
export class ChartQueries {
  private readonly windows: WindowsRepo;
  private readonly cache = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Database.Database) {
    this.windows = new WindowsRepo(db);
  }

  /** Downsampled series for a source and range. */
  series(req: ChartRequest): Result<ChartResult> {
    if (!(req.maxPoints >= 1 && req.maxPoints <= MAX_POINTS)) {
      return err({ code: 'invalid_argument', message: `maxPoints must be between 1 and ${MAX_POINTS} (got ${req.maxPoints})` });
    }
    const source = this.prepared('SELECT kind FROM sources WHERE id = ?').raw(false).get(req.sourceId) as { kind: string } | undefined;
    if (source === undefined) return err({ code: 'not_found', message: `no source ${req.sourceId}` });
    const extras = new Set(this.windows.valueNames(req.sourceId));
    for (const m of req.metrics) {
      if (!CHARTABLE_COLUMNS.has(m) && !extras.has(m)) {
        return err({ code: 'invalid_argument', message: `unknown metric "${m}" for source ${req.sourceId}` });
      }
    }
    const stored = this.windows.resolutions(req.sourceId);
    const finest = stored[0];
    if (finest === undefined) {
      return ok({ resolution: 0, bucketSeconds: 0, from: req.from ?? 0, to: req.to ?? 0, series: req.metrics.map(emptySeries) });
    }
    const ext = this.windows.extent(req.sourceId, finest);
    const from = req.from ?? ext?.first ?? 0;
    const to = req.to ?? (ext === null ? 0 : ext.last + finest);
    if (!(from < to)) return err({ code: 'invalid_argument', message: `empty time range: from ${from} is not before to ${to}` });
    const picked = this.pickResolution(req, stored, from, to);
    if (!picked.ok) return picked;
    const resolution = picked.value;
    // Capture windows start on multiples of the resolution; a series keeps its own phase
    // (NAB samples at :04, :09, …), so its buckets start at `from`.
    const origin = source.kind === 'series' ? from : Math.floor(from / resolution) * resolution;
    const span = Math.max(to - origin, resolution);
    const bucket = resolution * Math.ceil(span / (req.maxPoints * resolution));
    const rExt = this.windows.extent(req.sourceId, resolution);
    const zeroFill = source.kind !== 'series';
    const series: ChartSeries[] = [];
    const columns = req.metrics.filter((m) => !extras.has(m) || CHARTABLE_COLUMNS.has(m));
    if (columns.length > 0) {
      const expected = (start: number): number =>
        rExt === null ? 1 : windowsIn(Math.max(start, from, rExt.first), Math.min(start + bucket, to, rExt.last + resolution), resolution);
      series.push(...this.columnSeries(req.sourceId, resolution, from, to, origin, bucket, columns, zeroFill, expected));
    }
    for (const m of req.metrics) {
      if (extras.has(m) && !CHARTABLE_COLUMNS.has(m)) series.push(this.valueSeries(req.sourceId, m, resolution, from, to, origin, bucket));
    }
    const order = new Map(req.metrics.map((m, i) => [m, i]));
    series.sort((a, b) => (order.get(a.metric) ?? 0) - (order.get(b.metric) ?? 0));
    return ok({ resolution, bucketSeconds: bucket, from, to, series });
  }

  /** The requested resolution, or for 'auto' the coarsest stored one with >= maxPoints rows in range. */
  private pickResolution(req: ChartRequest, stored: readonly number[], from: number, to: number): Result<number> {
    if (req.resolution !== undefined && req.resolution !== 'auto') {
      if (stored.includes(req.resolution)) return ok(req.resolution);
      return err({
        code: 'invalid_argument',
        message: `source ${req.sourceId} has no ${req.resolution} s windows (stored: ${stored.map((r) => `${r} s`).join(', ')})`,
      });
    }
    // Coarsest first; the finest needs no count (it is the answer when the others fall short).
    for (let i = stored.length - 1; i > 0; i--) {
      const r = stored[i] ?? 1;
      if (this.windows.count(req.sourceId, r, from, to) >= req.maxPoints) return ok(r);
    }
    return ok(stored[0] ?? 1);
  }

  private columnSeries(
    sourceId: number,
    resolution: number,
    from: number,
    to: number,
    origin: number,
    bucket: number,
    columns: readonly string[],
    zeroFill: boolean,
    expected: (start: number) => number,
  ): ChartSeries[] {
    const out = columns.map(emptySeries);
    if (bucket === resolution) {
      // One window per bucket: min = max = avg = the stored value, no grouping needed.
      const rows = this.prepared(
        `SELECT t, ${columns.join(', ')} FROM windows
         WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ? ORDER BY t`,
      )
        .raw(true)
        .all(sourceId, resolution, from, to) as (number | null)[][];
      for (const row of rows) {
        const t = row[0] ?? 0;
        for (let i = 0; i < out.length; i++) {
          const s = out[i];
          const v = row[i + 1] ?? null;
          if (s === undefined) continue;
          s.t.push(t);
          s.min.push(v);
          s.max.push(v);
          s.avg.push(v);
        }
      }
      return out;
    }
    const zero = (c: string) => zeroFill && ZERO_WHEN_EMPTY.has(c);
    // Per column: min, max, then the sum (zero-filled columns: avg = sum / windows in bucket)
    // or the avg (ratio from the bucket's sums, else a plain mean of the present values).
    const select = columns
      .map((c) => {
        const third = zero(c) ? `sum(${c})` : RATIO_AVG[c] === undefined ? `avg(${c})` : `coalesce(${RATIO_AVG[c]}, avg(${c}))`;
        return `min(${c}), max(${c}), ${third}`;
      })
      .join(', ');
    const rows = this.groupedRows(select, sourceId, resolution, from, to, origin, bucket);
    for (const row of rows) {
      const start = row[0] ?? 0;
      const present = row[1] ?? 0;
      const want = zeroFill ? expected(start) : 0;
      for (let i = 0; i < columns.length; i++) {
        const s = out[i];
        const c = columns[i] ?? '';
        if (s === undefined) continue;
        let min = row[2 + 3 * i] ?? null;
        let avg = row[4 + 3 * i] ?? null;
        if (zero(c) && want > 0) {
          if (present < want) min = min === null ? 0 : Math.min(min, 0);
          avg = (avg ?? 0) / want;
        }
        s.t.push(start);
        s.min.push(min);
        s.max.push(row[3 + 3 * i] ?? null);
        s.avg.push(avg);
      }
    }
    return out;
  }

  /**
   * Rows of `[bucket start, count, …select]`, one per bucket holding windows. With integral
   * bucket starts (captures) the buckets go into a temporary INTEGER PRIMARY KEY table joined
   * to the windows' primary key: SQLite then aggregates bucket by bucket as it walks the
   * table, where `GROUP BY (t - origin) / width` would first sort every row in a temporary
   * B-tree (2–3× slower over 86 400 rows).
   */
  private groupedRows(
    select: string,
    sourceId: number,
    resolution: number,
    from: number,
    to: number,
    origin: number,
    bucket: number,
  ): (number | null)[][] {
    if (!Number.isInteger(origin) || !Number.isInteger(bucket)) {
      return this.prepared(
        `SELECT ? + CAST((t - ?) / ? AS INTEGER) * ?, count(*), ${select} FROM windows
         WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ? GROUP BY 1 ORDER BY 1`,
      )
        .raw(true)
        .all(origin, origin, bucket, bucket, sourceId, resolution, from, to) as (number | null)[][];
    }
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS flowbench_chart_buckets (s INTEGER PRIMARY KEY)');
    const fill = this.prepared('INSERT INTO temp.flowbench_chart_buckets (s) VALUES (?)');
    this.db.transaction(() => {
      this.prepared('DELETE FROM temp.flowbench_chart_buckets').run();
      for (let s = origin; s < to; s += bucket) fill.run(s);
    })();
    return this.prepared(
      `SELECT b.s, count(*), ${select} FROM temp.flowbench_chart_buckets b
       JOIN windows ON windows.source_id = ? AND windows.resolution = ? AND windows.t >= max(b.s, ?)
         AND windows.t < min(b.s + ?, ?)
       GROUP BY b.s ORDER BY b.s`,
    )
      .raw(true)
      .all(sourceId, resolution, from, bucket, to) as (number | null)[][];
  }

  /** A cached prepared statement (chart SQL repeats as users pan and zoom). */
  private prepared(sql: string): Database.Statement<unknown[]> {
    let st = this.cache.get(sql);
    if (st === undefined) {
      if (this.cache.size >= 64) this.cache.clear();
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  private valueSeries(
    sourceId: number,
    name: string,
    resolution: number,
    from: number,
    to: number,
    origin: number,
    bucket: number,
  ): ChartSeries {
    const rows = this.db
      .prepare<unknown[], { b: number; n: number | null; x: number | null; a: number | null }>(
        `SELECT CAST((t - ?) / ? AS INTEGER) AS b, min(value) AS n, max(value) AS x, avg(value) AS a
         FROM window_values WHERE source_id = ? AND name = ? AND resolution = ? AND t >= ? AND t < ?
         GROUP BY b ORDER BY b`,
      )
      .all(origin, bucket, sourceId, name, resolution, from, to);
    const s = emptySeries(name);
    for (const r of rows) {
      s.t.push(origin + r.b * bucket);
      s.min.push(r.n);
      s.max.push(r.x);
      s.avg.push(r.a);
    }
    return s;
  }

  /**
   * Packets and bytes per transport over a range (the protocol mix), read at the coarsest
   * resolution whose windows tile the range exactly.
   */
  protocolMix(sourceId: number, from?: number, to?: number): Record<'tcp' | 'udp' | 'icmp' | 'other', { packets: number; bytes: number }> {
    const r = this.tilingResolution(sourceId, from, to);
    const row =
      this.db
        .prepare<unknown[], Record<string, number | null>>(
          `SELECT sum(tcp_packets) AS tp, sum(tcp_bytes) AS tb, sum(udp_packets) AS up, sum(udp_bytes) AS ub,
             sum(icmp_packets) AS ip, sum(icmp_bytes) AS ib, sum(other_packets) AS op, sum(other_bytes) AS ob
           FROM windows WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ?`,
        )
        .get(sourceId, r, from ?? -1e300, to ?? 1e300) ?? {};
    const v = (k: string): number => row[k] ?? 0;
    return {
      tcp: { packets: v('tp'), bytes: v('tb') },
      udp: { packets: v('up'), bytes: v('ub') },
      icmp: { packets: v('ip'), bytes: v('ib') },
      other: { packets: v('op'), bytes: v('ob') },
    };
  }

  /** Packet-length bucket counts over a range (Wireshark's Packet Lengths). */
  packetSizes(sourceId: number, from?: number, to?: number): { range: string; count: number }[] {
    const r = this.tilingResolution(sourceId, from, to);
    const row =
      this.db
        .prepare<unknown[], Record<string, number | null>>(
          `SELECT ${PLEN_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM windows
           WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ?`,
        )
        .get(sourceId, r, from ?? -1e300, to ?? 1e300) ?? {};
    return PACKET_LENGTH_BUCKETS.map((b) => ({ range: b.range, count: row[b.column] ?? 0 }));
  }

  private tilingResolution(sourceId: number, from?: number, to?: number): number {
    const stored = this.windows.resolutions(sourceId);
    for (let i = stored.length - 1; i > 0; i--) {
      const r = stored[i] ?? 1;
      if ((from === undefined || from % r === 0) && (to === undefined || to % r === 0)) return r;
    }
    return stored[0] ?? 1;
  }
}

/** Number of window starts k·r in [lo, hi). */
function windowsIn(lo: number, hi: number, r: number): number {
  return hi <= lo ? 0 : Math.max(0, Math.ceil(hi / r) - Math.ceil(lo / r));
}

function emptySeries(metric: string): ChartSeries {
  return { metric, t: [], min: [], max: [], avg: [] };
}
