/**
 * One row group of one column, held in typed arrays and reused for every row group of a file:
 * definition flags (1 = value present), the present values packed densely (Int32Array for
 * INT32, Float64Array for INT64 and DOUBLE, strings in a plain array), and the null count.
 * Filling it allocates nothing per value, which is what keeps a million-row export out of the
 * garbage collector.
 *
 * INT64 values are JS numbers: SQLite returns every integer of the workspace as a number
 * (no `safeIntegers`), exact up to 2^53 — 9 PB of bytes or 285 million years of microseconds,
 * far beyond any count, byte total or time an export holds.
 */

/** Physical column types of the export's Parquet files. */
export type PhysicalType = 'INT32' | 'INT64' | 'DOUBLE' | 'STRING';

/** One column of a flat (non-nested) schema; every column is OPTIONAL. */
export interface FlatColumn {
  readonly name: string;
  readonly type: PhysicalType;
}

/** A reusable column buffer for up to `capacity` rows. */
export class ColumnBatch {
  readonly def: Uint8Array;
  readonly ints: Int32Array | null;
  readonly nums: Float64Array | null;
  readonly strs: string[] | null;
  /** Rows added (present or null). */
  rows = 0;
  /** Present values (the length of the packed values). */
  present = 0;

  constructor(readonly column: FlatColumn, readonly capacity: number) {
    this.def = new Uint8Array(capacity);
    this.ints = column.type === 'INT32' ? new Int32Array(capacity) : null;
    this.nums = column.type === 'INT64' || column.type === 'DOUBLE' ? new Float64Array(capacity) : null;
    this.strs = column.type === 'STRING' ? [] : null;
  }

  /** Nulls added. */
  get nulls(): number {
    return this.rows - this.present;
  }

  /** Adds one value; null and undefined are nulls, a non-string in a STRING column is its text. */
  push(v: unknown): void {
    if (v === null || v === undefined) {
      this.def[this.rows++] = 0;
      return;
    }
    this.def[this.rows++] = 1;
    if (this.nums !== null) this.nums[this.present++] = this.column.type === 'INT64' ? Math.trunc(v as number) : (v as number);
    else if (this.ints !== null) this.ints[this.present++] = v as number;
    else this.strs![this.present++] = typeof v === 'string' ? v : String(v);
  }

  /** Empties the batch for the next row group (buffers are kept). */
  reset(): void {
    this.rows = 0;
    this.present = 0;
    if (this.strs !== null) this.strs.length = 0;
  }
}
