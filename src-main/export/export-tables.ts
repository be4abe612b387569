/**
 * What each exportable table is: its columns with one storage type each (the same snake_case
 * names as SQLite and `flowbench query`), the column its date partition comes from, and the
 * keyset it is read in. Predictions are the `predictions` table (migration 3); anomalies are
 * the `anomalies` table (migration 7): the flags of the latest detection per source and model.
 */
import { FLOW_COLUMNS } from '../store/flows-repo.js';
import { WINDOW_VALUE_COLUMNS } from '../store/window-columns.js';
import { FLIGHT_METRICS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';

/** Tables that export. */
export const EXPORT_TABLES = ['windows', 'flows', 'conversations', 'predictions', 'anomalies'] as const;
/** An exportable table. */
export type ExportTable = (typeof EXPORT_TABLES)[number];

/** Output formats. */
export const EXPORT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
/** An output format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * A column's type in every format: `int64` and `int32` are Parquet INT64/INT32 and JSON
 * numbers; `json` is JSON text in SQLite, CSV and Parquet (a UTF-8 string) and a nested value
 * in JSONL; `early` is the packed early-packet BLOB, exported as JSON `[[size, dir, iat], …]`.
 */
export type ColumnType = 'int32' | 'int64' | 'double' | 'string' | 'json' | 'early';

/** One exported column: `sql` is the select expression (the column itself by default). */
export interface ExportColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly sql?: string;
}

/** One table's export shape. */
export interface TableSpec {
  readonly table: ExportTable;
  /** Every column in output order; `source_id` is first. */
  readonly columns: readonly ExportColumn[];
  /** Column whose UTC date names the Parquet partition (epoch seconds). */
  readonly timeColumn: string;
  /** Keyset order: unique together within a source (and resolution), each in `columns`. */
  readonly keyset: readonly string[];
  /** True when rows come out in `timeColumn` order (a partition never reopens). */
  readonly timeOrdered: boolean;
}

const col = (name: string, type: ColumnType, sql?: string): ExportColumn => (sql === undefined ? { name, type } : { name, type, sql });

const DOUBLE_WINDOW_COLUMNS = new Set<string>([...WINDOW_METRICS, ...FLIGHT_METRICS, 'rtt_sum', 'latency_sum', 'bif_sum']);

const WINDOWS: TableSpec = {
  table: 'windows',
  columns: [
    col('source_id', 'int64'),
    col('resolution', 'int32'),
    col('t', 'int64'),
    ...WINDOW_VALUE_COLUMNS.map((c) => col(c, DOUBLE_WINDOW_COLUMNS.has(c) ? 'double' : 'int64')),
  ],
  timeColumn: 't',
  keyset: ['t'],
  timeOrdered: true,
};

const FLOW_TYPES: Readonly<Record<string, ColumnType>> = {
  proto: 'int32', ip_version: 'int32', client_addr: 'string', client_port: 'int32', server_addr: 'string', server_port: 'int32',
  first_ts: 'double', last_ts: 'double', duration: 'double', handshake_rtt: 'double', sni: 'string', dns_query: 'string',
  dns_answers: 'json', end_reason: 'string', segment: 'int32', early_packets: 'early',
};
const flowType = (c: string): ColumnType => FLOW_TYPES[c] ?? (/_(min|mean|max|std)$/.test(c) ? 'double' : 'int64');

const FLOWS: TableSpec = {
  table: 'flows',
  columns: [
    col('source_id', 'int64'),
    col('id', 'int64'),
    ...FLOW_COLUMNS.map((c) => col(c, flowType(c))),
    col('packets', 'int64', 'fwd_packets + bwd_packets'),
    col('bytes', 'int64', 'fwd_bytes + bwd_bytes'),
  ],
  timeColumn: 'first_ts',
  // flows_time (source_id, first_ts) carries the rowid, so this order reads the index.
  keyset: ['first_ts', 'id'],
  timeOrdered: true,
};

const CONVERSATIONS: TableSpec = {
  table: 'conversations',
  columns: [
    col('source_id', 'int64'),
    col('id', 'int64'),
    col('proto', 'string'),
    col('addr_a', 'string'),
    col('port_a', 'int32'),
    col('addr_b', 'string'),
    col('port_b', 'int32'),
    col('packets_ab', 'int64'),
    col('bytes_ab', 'int64'),
    col('packets_ba', 'int64'),
    col('bytes_ba', 'int64'),
    col('packets', 'int64'),
    col('bytes', 'int64'),
    col('start', 'double'),
    col('duration', 'double'),
  ],
  timeColumn: 'start',
  keyset: ['id'],
  timeOrdered: false,
};

const PREDICTIONS: TableSpec = {
  table: 'predictions',
  columns: [
    col('source_id', 'int64'),
    col('model_id', 'int64'),
    col('t', 'double'),
    col('actual', 'double'),
    col('predicted', 'double'),
  ],
  timeColumn: 't',
  // The primary key (model_id, source_id, t) with the source fixed: unique and index-ordered.
  keyset: ['model_id', 't'],
  // Each model's rows start again at its first t, so a date partition may reopen.
  timeOrdered: false,
};

const ANOMALIES: TableSpec = {
  table: 'anomalies',
  columns: [
    col('source_id', 'int64'),
    col('model_id', 'int64'),
    col('t', 'double'),
    col('resolution', 'double'),
    col('score', 'double'),
    col('probability', 'double'),
    col('severity', 'string'),
    col('message', 'string'),
    col('drivers', 'json'),
    col('detected_at', 'int64'),
  ],
  timeColumn: 't',
  // The primary key (source_id, model_id, t) with the source fixed: unique and index-ordered.
  keyset: ['model_id', 't'],
  // Each model's flags start again at its first t.
  timeOrdered: false,
};

/** The spec of a table. */
export function tableSpec(table: ExportTable): TableSpec {
  switch (table) {
    case 'windows': return WINDOWS;
    case 'flows': return FLOWS;
    case 'conversations': return CONVERSATIONS;
    case 'predictions': return PREDICTIONS;
    case 'anomalies': return ANOMALIES;
  }
}
