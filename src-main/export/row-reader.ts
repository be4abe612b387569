/**
 * Reads one source's rows of a table in chunks: keyset-paged, each page streamed with
 * `.iterate()` in raw (array) mode, so memory holds at most one chunk whatever the table size.
 * Between chunks the caller may yield to the event loop (the server stays responsive).
 */
import type Database from 'better-sqlite3';
import { decodeEarlyPackets } from '../store/flows-repo.js';
import type { ExportColumn, TableSpec } from './export-tables.js';

/** A row as exported: values in `spec.columns` order (JSON columns still as text). */
export type ExportRow = unknown[];

/** Which rows: one source, and for windows one resolution. */
export interface RowScope {
  readonly sourceId: number;
  /** Windows only: the resolution in seconds (default 1). */
  readonly resolution?: number;
}

/** Rows per keyset page. */
export const CHUNK_ROWS = 8192;

function whereSql(spec: TableSpec): string {
  return spec.table === 'windows' ? 'source_id = ? AND resolution = ?' : 'source_id = ?';
}

function scopeArgs(spec: TableSpec, scope: RowScope): number[] {
  return spec.table === 'windows' ? [scope.sourceId, scope.resolution ?? 1] : [scope.sourceId];
}

/** Number of rows the scope holds (for progress). */
export function countRows(db: Database.Database, spec: TableSpec, scope: RowScope): number {
  const row = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${spec.table} WHERE ${whereSql(spec)}`).get(...scopeArgs(spec, scope));
  return row?.n ?? 0;
}

/** Source ids that have rows in the table, ascending. */
export function sourcesWithRows(db: Database.Database, spec: TableSpec, resolution: number): number[] {
  const sql = spec.table === 'windows'
    ? 'SELECT id FROM sources s WHERE EXISTS (SELECT 1 FROM windows w WHERE w.source_id = s.id AND w.resolution = ?) ORDER BY id'
    : `SELECT id FROM sources s WHERE EXISTS (SELECT 1 FROM ${spec.table} x WHERE x.source_id = s.id) ORDER BY id`;
  const stmt = db.prepare<unknown[], { id: number }>(sql);
  return (spec.table === 'windows' ? stmt.all(resolution) : stmt.all()).map((r) => r.id);
}

/**
 * Yields the scope's rows chunk by chunk, in keyset order. A chunk array is reused: consume
 * it before asking for the next.
 */
export function* readChunks(db: Database.Database, spec: TableSpec, scope: RowScope, chunkRows = CHUNK_ROWS): Generator<readonly ExportRow[]> {
  const select = spec.columns.map((c) => (c.sql === undefined ? c.name : `${c.sql} AS ${c.name}`)).join(', ');
  const keys = spec.keyset;
  const keyIndex = keys.map((k) => spec.columns.findIndex((c) => c.name === k));
  const keyTuple = keys.length === 1 ? keys[0] : `(${keys.join(', ')})`;
  const keyParams = keys.length === 1 ? '?' : `(${keys.map(() => '?').join(', ')})`;
  const stmt = db
    .prepare<unknown[], unknown[]>(
      `SELECT ${select} FROM ${spec.table} WHERE ${whereSql(spec)} AND ${keyTuple} > ${keyParams} ORDER BY ${keys.join(', ')} LIMIT ?`,
    )
    .raw(true);
  const convert = converters(spec.columns);
  const args = scopeArgs(spec, scope);
  let after: unknown[] = keys.map(() => -Number.MAX_VALUE);
  const chunk: ExportRow[] = [];
  for (;;) {
    chunk.length = 0;
    for (const row of stmt.iterate(...args, ...after, chunkRows)) {
      for (const [i, f] of convert) row[i] = f(row[i]);
      chunk.push(row);
    }
    if (chunk.length === 0) return;
    const last = chunk[chunk.length - 1]!;
    after = keyIndex.map((i) => last[i]);
    yield chunk;
    if (chunk.length < chunkRows) return;
  }
}

/** Per-column conversions from the SQLite value to the export value (text forms). */
function converters(columns: readonly ExportColumn[]): [number, (v: unknown) => unknown][] {
  const out: [number, (v: unknown) => unknown][] = [];
  columns.forEach((c, i) => {
    if (c.type === 'early') out.push([i, (v) => (v instanceof Uint8Array ? JSON.stringify(decodeEarlyPackets(v)) : null)]);
  });
  return out;
}
