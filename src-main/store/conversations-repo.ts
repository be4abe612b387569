/**
 * The `conversations` table: Wireshark's Conversations window (`tshark -z conv,tcp|udp|ip|ipv6`),
 * one row per unordered address(/port) pair, written once at the end of an ingest.
 */
import type Database from 'better-sqlite3';

/** Which of Wireshark's conversation tables a row belongs to. */
export type ConversationProto = 'tcp' | 'udp' | 'ipv4' | 'ipv6';

/** One conversation as the ingest writes it; A is the side Wireshark lists first. */
export interface ConversationWrite {
  readonly proto: ConversationProto;
  readonly addr_a: string;
  /** null for ipv4/ipv6 conversations. */
  readonly port_a: number | null;
  readonly addr_b: string;
  readonly port_b: number | null;
  readonly packets_ab: number;
  readonly bytes_ab: number;
  readonly packets_ba: number;
  readonly bytes_ba: number;
  /** First packet, epoch seconds. */
  readonly start: number;
  /** Last packet − first packet, seconds. */
  readonly duration: number;
}

/** One row of the conversations view. */
export interface ConversationPageRow extends ConversationWrite {
  readonly id: number;
  readonly packets: number;
  readonly bytes: number;
  /** Seconds since the source's first packet (Wireshark's "Rel Start"). */
  readonly rel_start: number | null;
  /** bytes × 8 / duration per direction; null when the duration is 0 (Wireshark shows N/A). */
  readonly bps_ab: number | null;
  readonly bps_ba: number | null;
}

/** Reads and writes conversations. */
export class ConversationsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Writes a source's conversation table in one transaction (nested in the caller's, if any). */
  insertMany(sourceId: number, rows: readonly ConversationWrite[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO conversations (source_id, proto, addr_a, port_a, addr_b, port_b, packets_ab, bytes_ab,
         packets_ba, bytes_ba, start, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const c of rows) {
        stmt.run(
          sourceId,
          c.proto,
          c.addr_a,
          c.port_a,
          c.addr_b,
          c.port_b,
          c.packets_ab,
          c.bytes_ab,
          c.packets_ba,
          c.bytes_ba,
          c.start,
          c.duration,
        );
      }
    })();
  }

  /** A page of conversations, largest total bytes first (ties: more packets, then id). */
  page(sourceId: number, options: { proto?: ConversationProto; limit?: number; offset?: number } = {}): ConversationPageRow[] {
    const protoClause = options.proto === undefined ? '' : 'AND c.proto = ?';
    const args: unknown[] = [sourceId];
    if (options.proto !== undefined) args.push(options.proto);
    args.push(options.limit ?? 100, options.offset ?? 0);
    return this.db
      .prepare<unknown[], ConversationPageRow>(
        `SELECT c.id, c.proto, c.addr_a, c.port_a, c.addr_b, c.port_b, c.packets_ab, c.bytes_ab,
           c.packets_ba, c.bytes_ba, c.start, c.duration, c.packets, c.bytes,
           c.start - CAST(s.first_ts AS REAL) AS rel_start,
           CASE WHEN c.duration > 0 THEN c.bytes_ab * 8.0 / c.duration END AS bps_ab,
           CASE WHEN c.duration > 0 THEN c.bytes_ba * 8.0 / c.duration END AS bps_ba
         FROM conversations c JOIN sources s ON s.id = c.source_id
         WHERE c.source_id = ? ${protoClause}
         ORDER BY c.bytes DESC, c.packets DESC, c.id LIMIT ? OFFSET ?`,
      )
      .all(...args);
  }

  /** Number of conversations of a source, per table. */
  counts(sourceId: number): Record<ConversationProto, number> {
    const out: Record<ConversationProto, number> = { tcp: 0, udp: 0, ipv4: 0, ipv6: 0 };
    const rows = this.db
      .prepare<[number], { proto: ConversationProto; n: number }>(
        'SELECT proto, count(*) AS n FROM conversations WHERE source_id = ? GROUP BY proto',
      )
      .all(sourceId);
    for (const r of rows) out[r.proto] = r.n;
    return out;
  }
}
