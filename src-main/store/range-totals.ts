/**
 * Headline totals of a time range (`stats.totals`): packets, wire bytes, per-transport figures
 * and packet-length buckets summed from the finest stored windows in [from, to), and the
 * number of flows overlapping the range.
 */
import type Database from 'better-sqlite3';
import type { RangeTotals } from '../../src-shared/api.js';
import { PACKET_LENGTH_BUCKETS } from '../../src-shared/window-metrics.js';
import { PLEN_COLUMNS } from './window-columns.js';
import { WindowsRepo } from './windows-repo.js';

const PROTOS = ['tcp', 'udp', 'icmp', 'other'] as const;

/** Sums windows and counts flows of one source. */
export class RangeTotalsQuery {
  private readonly windows: WindowsRepo;

  constructor(private readonly db: Database.Database) {
    this.windows = new WindowsRepo(db);
  }

  /**
   * Totals of [from, to) (the whole source when both are omitted). Windows count by their
   * start, so a range cuts at the finest stored resolution (1 s for captures).
   */
  totals(sourceId: number, from?: number, to?: number): RangeTotals {
    const resolution = this.windows.resolutions(sourceId)[0];
    const ext = resolution === undefined ? null : this.windows.extent(sourceId, resolution);
    const lo = from ?? ext?.first ?? null;
    const hi = to ?? (ext === null || resolution === undefined ? null : ext.last + resolution);
    const sums = PROTOS.flatMap((p) => [`sum(${p}_packets) AS ${p}_packets`, `sum(${p}_bytes) AS ${p}_bytes`]);
    const row =
      resolution === undefined
        ? undefined
        : this.db
            .prepare<unknown[], Record<string, number | null>>(
              `SELECT sum(packets) AS packets, sum(bytes) AS bytes, ${sums.join(', ')},
                 ${PLEN_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
               FROM windows WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ?`,
            )
            .get(sourceId, resolution, from ?? -1e300, to ?? 1e300);
    const flows =
      this.db
        .prepare<unknown[], { n: number }>('SELECT count(*) AS n FROM flows WHERE source_id = ? AND last_ts >= ? AND first_ts < ?')
        .get(sourceId, from ?? -1e300, to ?? 1e300)?.n ?? 0;
    const v = (k: string): number => row?.[k] ?? 0;
    return {
      packets: v('packets'),
      bytes: v('bytes'),
      flows,
      from: lo,
      to: hi,
      protocols: PROTOS.map((name) => ({ name, packets: v(`${name}_packets`), bytes: v(`${name}_bytes`) })),
      packetLengths: PACKET_LENGTH_BUCKETS.map((b) => ({ range: b.range, count: v(b.column) })),
    };
  }
}
