/**
 * The flows view's query: filtered, sorted, offset-paged flow rows with the total that matches,
 * as `flows.page` answers it. Sorting by `packets` / `bytes` means both directions summed.
 */
import type Database from 'better-sqlite3';
import { isIP } from 'node:net';
import type { FlowFilter, FlowRow, FlowSortColumn, Page } from '../../src-shared/api.js';
import type { FlowEndReason } from '../../src-shared/flow-record.js';

/** SQL expression per sortable column (the indexes of migration 2 match these). */
const SORT_SQL: Record<FlowSortColumn, string> = {
  first_ts: 'first_ts',
  duration: 'duration',
  packets: '(fwd_packets + bwd_packets)',
  bytes: '(fwd_bytes + bwd_bytes)',
  client_addr: 'client_addr',
  server_addr: 'server_addr',
  server_port: 'server_port',
  proto: 'proto',
  handshake_rtt: 'handshake_rtt',
};

const ROW_COLUMNS = `id, proto, ip_version, client_addr, client_port, server_addr, server_port, first_ts, last_ts,
  duration, fwd_packets + bwd_packets AS packets, fwd_bytes + bwd_bytes AS bytes, fwd_packets, bwd_packets,
  fwd_bytes, bwd_bytes, handshake_rtt, sni, dns_query, end_reason`;

/** One page request of the flows view. */
export interface FlowPageQuery {
  readonly sourceId: number;
  readonly filter?: FlowFilter;
  readonly sort?: { readonly column: FlowSortColumn; readonly desc: boolean };
  readonly limit: number;
  readonly offset: number;
  /** Only these flow ids (the label filter, which SQL cannot evaluate, passes its matches here). */
  readonly ids?: readonly number[];
}

/** Escapes LIKE wildcards so a name filter matches its text literally (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Reads pages of the flows table. */
export class FlowQueries {
  constructor(private readonly db: Database.Database) {}

  /**
   * A page of flows and the number matching the filter. A full address filters exactly (using
   * the address indexes); a partial one matches as a substring. `name` matches SNI or DNS
   * query name as a case-insensitive substring (ASCII). Ties are broken by id.
   */
  page(q: FlowPageQuery): Page<FlowRow> {
    const f = q.filter ?? {};
    const { where: base, args } = whereClause(q.sourceId, f);
    const where = q.ids === undefined ? base : `${base} AND id IN (SELECT value FROM json_each(?))`;
    if (q.ids !== undefined) args.push(JSON.stringify(q.ids));
    const total = this.db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM flows WHERE ${where}`).get(...args)?.n ?? 0;
    // With a selective filter (exact address, port, name) the filter's indexes beat walking the
    // sort index over the whole source; a unary + keeps SQLite off the sort index.
    const selective = f.port !== undefined || (f.addr !== undefined && isIP(f.addr) !== 0) || (f.name !== undefined && f.name !== '');
    const column = `${selective ? '+' : ''}${SORT_SQL[q.sort?.column ?? 'first_ts']}`;
    const dir = q.sort?.desc === true ? 'DESC' : 'ASC';
    // NULL handshake RTTs (UDP, no handshake seen) sort last in either direction.
    const nulls = q.sort?.column === 'handshake_rtt' ? `${column} IS NULL, ` : '';
    const rows = this.db
      .prepare<unknown[], FlowRow & { end_reason: FlowEndReason }>(
        `SELECT ${ROW_COLUMNS} FROM flows WHERE ${where} ORDER BY ${nulls}${column} ${dir}, ${selective ? '+' : ''}id ${dir} LIMIT ? OFFSET ?`,
      )
      .all(...args, q.limit, q.offset);
    return { rows: rows.map((r) => ({ ...r, ip_version: r.ip_version === 6 ? 6 : 4 })), total };
  }
}

function eitherEnd(a: string, b: string): string {
  return `id IN (SELECT id FROM flows WHERE source_id = ? AND ${a} UNION SELECT id FROM flows WHERE source_id = ? AND ${b})`;
}

function whereClause(sourceId: number, f: FlowFilter): { where: string; args: unknown[] } {
  const where = ['source_id = ?'];
  const args: unknown[] = [sourceId];
  if (f.from !== undefined) {
    // Flows overlapping [from, to): they may start before `from`.
    where.push('last_ts >= ?');
    args.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('first_ts < ?');
    args.push(f.to);
  }
  if (f.addr !== undefined && f.addr !== '') {
    if (isIP(f.addr) !== 0) {
      // Either end, as a union of two index searches (SQLite will not split the OR by itself
      // beside source_id = ?).
      where.push(eitherEnd('client_addr = ?', 'server_addr = ?'));
      args.push(sourceId, f.addr, sourceId, f.addr);
    } else {
      where.push("(client_addr LIKE ? ESCAPE '\\' OR server_addr LIKE ? ESCAPE '\\')");
      args.push(likePattern(f.addr), likePattern(f.addr));
    }
  }
  if (f.port !== undefined) {
    where.push(eitherEnd('client_port = ?', 'server_port = ?'));
    args.push(sourceId, f.port, sourceId, f.port);
  }
  if (f.proto !== undefined) {
    where.push('proto = ?');
    args.push(f.proto);
  }
  if (f.name !== undefined && f.name !== '') {
    // The IS NOT NULL terms let SQLite read only the partial flows_sni / flows_dns indexes.
    where.push(eitherEnd("sni IS NOT NULL AND sni LIKE ? ESCAPE '\\'", "dns_query IS NOT NULL AND dns_query LIKE ? ESCAPE '\\'"));
    args.push(sourceId, likePattern(f.name), sourceId, likePattern(f.name));
  }
  return { where: where.join(' AND '), args };
}
