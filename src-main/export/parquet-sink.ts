/**
 * Parquet output partitioned Hive-style by source and UTC date
 * (`table=flows/source_id=3/date=2024-01-31/part-0.parquet`), the layout Spark, Trino and
 * DuckDB (`hive_partitioning`) read as columns. Partition columns are in the path, not in the
 * files. Rows are copied into typed column buffers per open partition and written as one row
 * group every `rowGroupRows` rows (ParquetFile: PLAIN pages, GZIP level 1, statistics on), so
 * memory is bounded by open partitions × one row group, never by the table.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ColumnBatch } from './column-batch.js';
import type { FlatColumn, PhysicalType } from './column-batch.js';
import type { ColumnType, ExportColumn, TableSpec } from './export-tables.js';
import { ParquetFile } from './parquet-file.js';
import type { ParquetCodec } from './parquet-file.js';
import type { ExportRow } from './row-reader.js';

/** Rows per row group (and the most rows buffered per open partition). */
export const ROW_GROUP_ROWS = 32_768;

const PARQUET_TYPE: Readonly<Record<ColumnType, PhysicalType>> = {
  int32: 'INT32', int64: 'INT64', double: 'DOUBLE', string: 'STRING', json: 'STRING', early: 'STRING',
};

const DAY = 86_400;

/** `2024-01-31` for epoch seconds (UTC). */
export function utcDate(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 10);
}

/** One open partition file and its reused column buffers. */
class PartitionFile {
  private readonly file: ParquetFile;
  private readonly batches: ColumnBatch[];

  constructor(path: string, columns: readonly FlatColumn[], rowGroupRows: number, codec: ParquetCodec) {
    this.file = new ParquetFile(path, columns, codec);
    this.batches = columns.map((c) => new ColumnBatch(c, rowGroupRows));
  }

  get path(): string {
    return this.file.path;
  }

  get rows(): number {
    return this.file.rows + (this.batches[0]?.rows ?? 0);
  }

  /** Adds one row, given its values and the indexes of the columns kept. */
  add(row: ExportRow, keep: readonly number[]): void {
    const batches = this.batches;
    for (let k = 0; k < keep.length; k++) batches[k]!.push(row[keep[k]!]);
    if (batches[0]!.rows === batches[0]!.capacity) this.flush();
  }

  close(): void {
    this.flush();
    this.file.close();
  }

  abandon(): void {
    this.file.abandon();
  }

  private flush(): void {
    this.file.writeRowGroup(this.batches);
    for (const b of this.batches) b.reset();
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
  private readonly fileColumns: FlatColumn[];
  private readonly timeIndex: number;
  private readonly sourceIndex: number;
  /** The partition of the last row: consecutive rows of one source and day skip the lookup. */
  private last: { source: unknown; day: number; file: PartitionFile } | null = null;

  constructor(private readonly root: string, private readonly spec: TableSpec, private readonly rowGroupRows = ROW_GROUP_ROWS, private readonly codec: ParquetCodec = 'GZIP') {
    this.sourceIndex = spec.columns.findIndex((c) => c.name === 'source_id');
    this.timeIndex = spec.columns.findIndex((c) => c.name === spec.timeColumn);
    this.keep = spec.columns.map((_c, i) => i).filter((i) => i !== this.sourceIndex);
    this.fileColumns = this.keep.map((i) => flat(spec.columns[i]!));
  }

  /** Adds rows (of any sources); a time-ordered table closes a partition once it is passed. */
  write(rows: readonly ExportRow[]): void {
    for (const row of rows) this.fileFor(row).add(row, this.keep);
  }

  /** Closes every open file; returns every file written. */
  finish(): WrittenFile[] {
    this.closeAll();
    return [...this.done];
  }

  /** Closes open files without footers (after a failure). */
  abandon(): void {
    for (const f of this.open.values()) {
      try {
        f.abandon();
      } catch {
        // Already failing: the first error is the one reported.
      }
    }
    this.open.clear();
    this.last = null;
  }

  private fileFor(row: ExportRow): PartitionFile {
    const source = row[this.sourceIndex];
    const day = Math.floor((row[this.timeIndex] as number) / DAY);
    const last = this.last;
    if (last !== null && last.source === source && last.day === day) return last.file;
    const dir = join(this.root, `table=${this.spec.table}`, `source_id=${String(source)}`, `date=${utcDate(day * DAY)}`);
    let file = this.open.get(dir);
    if (file === undefined) {
      if (this.spec.timeOrdered) this.closeAll();
      mkdirSync(dir, { recursive: true });
      file = new PartitionFile(join(dir, 'part-0.parquet'), this.fileColumns, this.rowGroupRows, this.codec);
      this.open.set(dir, file);
    }
    this.last = { source, day, file };
    return file;
  }

  private closeAll(): void {
    for (const f of this.open.values()) {
      f.close();
      this.done.push({ path: f.path, rows: f.rows });
    }
    this.open.clear();
    this.last = null;
  }
}

function flat(c: ExportColumn): FlatColumn {
  return { name: c.name, type: PARQUET_TYPE[c.type] };
}
