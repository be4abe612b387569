/**
 * Top talkers from the flows table: per IP address and per (transport, port), packets and bytes
 * in both directions. Each flow counts once for each of its two endpoints.
 */
import type Database from 'better-sqlite3';

/** How talkers are ranked. */
export type TalkerOrder = 'bytes' | 'packets';

// Row shapes are the API contract's: the store produces exactly what the workbench answers.
export type { IpTalker, PortTalker } from '../../src-shared/api.js';
import type { IpTalker, PortTalker } from '../../src-shared/api.js';

/** Range and size of a talkers query; flows overlapping [from, to) count whole. */
export interface TalkerQuery {
  readonly sourceId: number;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly orderBy?: TalkerOrder;
}

const rangeClause = 'source_id = ? AND last_ts >= ? AND first_ts < ?';

/** Top-N talkers by address and by port. */
export class TalkerQueries {
  constructor(private readonly db: Database.Database) {}

  /** Addresses ranked by bytes (or packets) sent plus received; ties broken by address. */
  byIp(q: TalkerQuery): IpTalker[] {
    const order = q.orderBy === 'packets' ? 'packets DESC, bytes DESC' : 'bytes DESC, packets DESC';
    return this.db
      .prepare<unknown[], IpTalker>(
        `WITH ends AS (
           SELECT client_addr AS addr, fwd_packets AS txp, fwd_bytes AS txb, bwd_packets AS rxp, bwd_bytes AS rxb
             FROM flows WHERE ${rangeClause}
           UNION ALL
           SELECT server_addr, bwd_packets, bwd_bytes, fwd_packets, fwd_bytes
             FROM flows WHERE ${rangeClause})
         SELECT addr, sum(txp + rxp) AS packets, sum(txb + rxb) AS bytes, sum(txp) AS tx_packets,
           sum(txb) AS tx_bytes, sum(rxp) AS rx_packets, sum(rxb) AS rx_bytes, count(*) AS flows
         FROM ends GROUP BY addr ORDER BY ${order}, addr LIMIT ?`,
      )
      .all(...this.rangeArgs(q), ...this.rangeArgs(q), q.limit ?? 10);
  }

  /** (transport, port) pairs ranked by bytes (or packets) of the flows using them. */
  byPort(q: TalkerQuery): PortTalker[] {
    const order = q.orderBy === 'packets' ? 'packets DESC, bytes DESC' : 'bytes DESC, packets DESC';
    // Port-less transports (ICMP, …) carry port 0 in both ends and are left out.
    return this.db
      .prepare<unknown[], PortTalker>(
        `WITH ends AS (
           SELECT proto, client_port AS port, fwd_packets + bwd_packets AS p, fwd_bytes + bwd_bytes AS b
             FROM flows WHERE ${rangeClause} AND proto IN (6, 17, 132)
           UNION ALL
           SELECT proto, server_port, fwd_packets + bwd_packets, fwd_bytes + bwd_bytes
             FROM flows WHERE ${rangeClause} AND proto IN (6, 17, 132) AND server_port <> client_port)
         SELECT proto, port, sum(p) AS packets, sum(b) AS bytes, count(*) AS flows
         FROM ends GROUP BY proto, port ORDER BY ${order}, proto, port LIMIT ?`,
      )
      .all(...this.rangeArgs(q), ...this.rangeArgs(q), q.limit ?? 10);
  }

  private rangeArgs(q: TalkerQuery): unknown[] {
    return [q.sourceId, q.from ?? -1e300, q.to ?? 1e300];
  }
}
