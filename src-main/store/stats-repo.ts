/**
 * Whole-source figures: ack_rtt, handshake_rtt and DNS latency summaries, packet-length
 * buckets, and the distinct TLS SNI and DNS names seen (`flowbench query stats`).
 */
import type Database from 'better-sqlite3';
import { PACKET_LENGTH_BUCKETS } from '../../src-shared/window-metrics.js';
import { PLEN_COLUMNS } from './window-columns.js';

// Summary shapes are the API contract's (`stats.get` answers them as stored).
export type { SourceStats, StatSummary } from '../../src-shared/api.js';
import type { SourceStats, StatSummary } from '../../src-shared/api.js';

/** The three latency-like series summarised per source. */
export const STAT_NAMES = ['ack_rtt', 'handshake_rtt', 'dns_latency'] as const;

/** A summarised series name. */
export type StatName = (typeof STAT_NAMES)[number];

/** What the ingest writes at its end. */
export interface SourceStatsWrite {
  readonly ack_rtt: StatSummary;
  readonly handshake_rtt: StatSummary;
  readonly dns_latency: StatSummary;
  /** Counts per bucket, PACKET_LENGTH_BUCKETS order. */
  readonly packet_length_buckets: ArrayLike<number>;
  /** Distinct SNI values with how many times each was seen. */
  readonly sni: ReadonlyMap<string, number>;
  /** Distinct DNS query names with how many times each was seen. */
  readonly dns_names: ReadonlyMap<string, number>;
}

/** An empty summary (no samples). */
export const EMPTY_STAT: StatSummary = { count: 0, mean: null, p50: null, p99: null, max: null };

/** Reads and writes per-source stats. */
export class StatsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Replaces the source's stats and names, in one transaction (nested in the caller's, if any). */
  write(sourceId: number, s: SourceStatsWrite): void {
    const statCols = STAT_NAMES.flatMap((n) => ['count', 'mean', 'p50', 'p99', 'max'].map((k) => `${n}_${k}`));
    const cols = [...statCols, ...PLEN_COLUMNS];
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO source_stats (source_id, ${cols.join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})`,
    );
    const name = this.db.prepare('INSERT OR REPLACE INTO source_names (source_id, kind, name, count) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      const args: unknown[] = [sourceId];
      for (const n of STAT_NAMES) {
        const st = s[n];
        args.push(st.count, st.mean, st.p50, st.p99, st.max);
      }
      for (let i = 0; i < PLEN_COLUMNS.length; i++) args.push(s.packet_length_buckets[i] ?? 0);
      upsert.run(args);
      this.db.prepare('DELETE FROM source_names WHERE source_id = ?').run(sourceId);
      for (const [n, c] of s.sni) name.run(sourceId, 'sni', n, c);
      for (const [n, c] of s.dns_names) name.run(sourceId, 'dns', n, c);
    })();
  }

  /** The source's stats, or null when none were written (e.g. an interrupted ingest). */
  read(sourceId: number): SourceStats | null {
    const r = this.db
      .prepare<[number], Record<string, number | null>>('SELECT * FROM source_stats WHERE source_id = ?')
      .get(sourceId);
    if (r === undefined) return null;
    const stat = (n: StatName): StatSummary => ({
      count: r[`${n}_count`] ?? 0,
      mean: r[`${n}_mean`] ?? null,
      p50: r[`${n}_p50`] ?? null,
      p99: r[`${n}_p99`] ?? null,
      max: r[`${n}_max`] ?? null,
    });
    const names = (kind: 'sni' | 'dns'): string[] =>
      this.db
        .prepare<[number, string], { name: string }>(
          'SELECT name FROM source_names WHERE source_id = ? AND kind = ? ORDER BY name',
        )
        .all(sourceId, kind)
        .map((x) => x.name);
    return {
      ack_rtt: stat('ack_rtt'),
      handshake_rtt: stat('handshake_rtt'),
      dns_latency: stat('dns_latency'),
      packet_length_buckets: PACKET_LENGTH_BUCKETS.map((b) => ({ range: b.range, count: r[b.column] ?? 0 })),
      sni: names('sni'),
      dns_names: names('dns'),
    };
  }
}

/**
 * Summarises samples (seconds) into count / mean / p50 / p99 / max. p50 is the median (mean of
 * the two middle samples for an even count, as the truth's `median`); p99 is the nearest-rank
 * percentile. Sorts `samples` in place.
 */
export function summarizeSamples(samples: Float64Array | number[]): StatSummary {
  const n = samples.length;
  if (n === 0) return EMPTY_STAT;
  const sorted = samples instanceof Float64Array ? samples.sort() : samples.sort((a, b) => a - b);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] ?? 0;
  const at = (i: number): number => sorted[i] ?? 0;
  const p50 = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
  const p99 = at(Math.min(n - 1, Math.max(0, Math.ceil(0.99 * n) - 1)));
  return { count: n, mean: sum / n, p50, p99, max: at(n - 1) };
}
