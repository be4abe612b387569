/**
 * Parquet output partitioned Hive-style by source and UTC date
 * (`table=flows/source_id=3/date=2024-01-31/part-0.parquet`), the layout Spark, Trino and
 * DuckDB (`hive_partitioning`) read as columns. Partition columns are in the path, not in the
 * files. Rows are buffered column-wise per open partition and written as one row group every
 * `rowGroupRows` rows (hyparquet-writer's incremental ParquetWriter, snappy, statistics on),
 * so memory is bounded by open partitions × one row group, never by the table.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { BasicType, ColumnSource } from 'hyparquet-writer';
import type { ColumnType, ExportColumn, TableSpec } from './export-tables.js';
import type { ExportRow } from './row-reader.js';

/** Rows per row group (and the most rows buffered per open partition). */
export const ROW_GROUP_ROWS = 32_768;

const PARQUET_TYPE: Readonly<Record<ColumnType, BasicType>> = {
  int32: 'INT32', int64: 'INT64', double: 'DOUBLE', string: 'STRING', json: 'STRING', early: 'STRING',
};

/** `2024-01-31` for epoch seconds (UTC). */
export function utcDate(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 10);
}

/** One open partition file. */
class PartitionFile {
  private readonly writer: ParquetWriter;
  private readonly buffers: unknown[][];
  private buffered = 0;
  rows = 0;

  constructor(readonly path: string, private readonly columns: readonly ExportColumn[], private readonly kinds: readonly ColumnType[], private readonly rowGroupRows: number) {
    const empty = columns.map((c): ColumnSource => ({ name: c.name, data: [], type: PARQUET_TYPE[c.type] }));
    this.writer = new ParquetWriter({ writer: fileWriter(path), schema: schemaFromColumnData({ columnData: empty }), createdBy: 'flowbench' });
    this.buffers = columns.map(() => []);
  }

  /** Adds one row, given its values and the indexes of the columns kept. */
  add(row: ExportRow, keep: readonly number[]): void {
    for (let k = 0; k < keep.length; k++) {
      const v = row[keep[k]!];
      this.buffers[k]!.push(this.kinds[k] === 'int64' && v !== null && v !== undefined ? BigInt(v as number) : v ?? null);
    }
    if (++this.buffered >= this.rowGroupRows) this.flush();
  }

  close(): void {
    this.flush();
    void this.writer.finish();
  }

  private flush(): void {
    if (this.buffered === 0) return;
    const columnData = this.columns.map((c, i): ColumnSource => ({ name: c.name, data: this.buffers[i]!, type: PARQUET_TYPE[c.type] }));
    void this.writer.write({ columnData, rowGroupSize: this.buffered });
    this.rows += this.buffered;
    this.buffered = 0;
    for (const b of this.buffers) b.length = 0;
  }
}

/** A written file and its row count. */
export interface WrittenFile {
  readonly path: string;
  readonly rows: number;
}

/** Writes one table's rows of any number of sources into the partitioned layout under `root`. */
export class ParquetSink {
  private readonly open = new Map<string, PartitionFile>();
  private readonly done: WrittenFile[] = [];
  private readonly keep: number[];
  private readonly fileColumns: ExportColumn[];
  private readonly timeIndex: number;
  private readonly sourceIndex: number;

  constructor(private readonly root: string, private readonly spec: TableSpec, private readonly rowGroupRows = ROW_GROUP_ROWS) {
    this.sourceIndex = spec.columns.findIndex((c) => c.name === 'source_id');
    this.timeIndex = spec.columns.findIndex((c) => c.name === spec.timeColumn);
    this.keep = spec.columns.map((_c, i) => i).filter((i) => i !== this.sourceIndex);
    this.fileColumns = this.keep.map((i) => spec.columns[i]!);
  }

  /** Adds rows (of any sources); a time-ordered table closes a partition once it is passed. */
  write(rows: readonly ExportRow[]): void {
    const kinds = this.fileColumns.map((c) => c.type);
    for (const row of rows) {
      const dir = join(this.root, `table=${this.spec.table}`, `source_id=${String(row[this.sourceIndex])}`, `date=${utcDate(row[this.timeIndex] as number)}`);
      let file = this.open.get(dir);
      if (file === undefined) {
        if (this.spec.timeOrdered) this.closeAll();
        mkdirSync(dir, { recursive: true });
        file = new PartitionFile(join(dir, 'part-0.parquet'), this.fileColumns, kinds, this.rowGroupRows);
        this.open.set(dir, file);
      }
      file.add(row, this.keep);
    }
  }

  /** Closes every open file; returns every file written. */
  finish(): WrittenFile[] {
    this.closeAll();
    return [...this.done];
  }

  private closeAll(): void {
    for (const f of this.open.values()) {
      f.close();
      this.done.push({ path: f.path, rows: f.rows });
    }
    this.open.clear();
  }
}
