/**
 * Writes a flat Parquet file (every column OPTIONAL and primitive) from ColumnBatch row groups:
 * one PLAIN data page (v1) per column chunk, definition levels in the RLE/bit-packed hybrid,
 * min/max/null-count statistics, the footer in Thrift compact protocol. Values go from typed
 * arrays to one reused page buffer and to the file with synchronous writes, so a row group
 * costs no per-value allocation and memory is one row group plus one page.
 *
 * Why not hyparquet-writer (which this replaced): its encoder takes INT64 only as BigInt and
 * walks values through generic iterators several times; measured on 1 M flows it encoded at
 * ~70 k rows/s of CPU before compression. Layouts follow the Parquet format spec
 * (parquet.thrift, "Data Pages", "Run Length Encoding / Bit-Packing Hybrid").
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants as zc, gzipSync } from 'node:zlib';
import type { ColumnBatch, FlatColumn, PhysicalType } from './column-batch.js';
import { encodeStruct, i32, i64, str, struct, bin } from './thrift-compact.js';
import type { ThriftStruct } from './thrift-compact.js';

/** Page compression: none, or GZIP (zlib, level 1: fast, native, read by every engine). */
export type ParquetCodec = 'UNCOMPRESSED' | 'GZIP';

// parquet.thrift enums.
const TYPE_ID: Readonly<Record<PhysicalType, number>> = { INT32: 1, INT64: 2, DOUBLE: 5, STRING: 6 };
const CODEC_ID: Readonly<Record<ParquetCodec, number>> = { UNCOMPRESSED: 0, GZIP: 2 };
const OPTIONAL = 1;
const UTF8 = 0;
const PLAIN = 0;
const RLE = 3;
const DATA_PAGE = 0;
const TWO_32 = 2 ** 32;

interface ChunkMeta {
  readonly column: FlatColumn;
  readonly offset: number;
  readonly rows: number;
  readonly nulls: number;
  readonly uncompressed: number;
  readonly compressed: number;
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

interface RowGroupMeta {
  readonly rows: number;
  readonly chunks: readonly ChunkMeta[];
}

/** One Parquet file being written. */
export class ParquetFile {
  private readonly fd: number;
  private offset = 0;
  private page = Buffer.allocUnsafe(1 << 20);
  private readonly groups: RowGroupMeta[] = [];
  rows = 0;

  constructor(readonly path: string, private readonly columns: readonly FlatColumn[], private readonly codec: ParquetCodec = 'GZIP') {
    this.fd = openSync(path, 'w');
    this.write(Buffer.from('PAR1'));
  }

  /** Writes one row group from batches in column order (all with the same row count). */
  writeRowGroup(batches: readonly ColumnBatch[]): void {
    const rows = batches[0]?.rows ?? 0;
    if (rows === 0) return;
    const chunks: ChunkMeta[] = [];
    for (const b of batches) {
      if (b.rows !== rows) throw new Error(`column ${b.column.name} has ${b.rows} rows, expected ${rows}`);
      chunks.push(this.writeChunk(b));
    }
    this.groups.push({ rows, chunks });
    this.rows += rows;
  }

  /** Writes the footer and closes the file. */
  close(): void {
    try {
      const footer = encodeStruct(this.fileMetaData());
      this.write(footer);
      const tail = Buffer.alloc(8);
      tail.writeUInt32LE(footer.length, 0);
      tail.write('PAR1', 4, 'latin1');
      this.write(tail);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes the descriptor without a footer (after a failure; the file is incomplete). */
  abandon(): void {
    closeSync(this.fd);
  }

  private write(b: Uint8Array): void {
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done);
    this.offset += b.length;
  }

  private ensure(bytes: number): void {
    if (this.page.length < bytes) this.page = Buffer.allocUnsafe(Math.max(bytes, this.page.length * 2));
  }

  private writeChunk(b: ColumnBatch): ChunkMeta {
    const start = this.offset;
    const n = b.present;
    const levelBytes = b.nulls === 0 ? 6 + 4 : 4 + 5 + Math.ceil(b.rows / 8);
    const valueBytes = b.strs !== null ? stringBytesBound(b.strs, n) : n * (b.ints !== null ? 4 : 8);
    this.ensure(levelBytes + valueBytes);
    const page = this.page;
    let o = writeLevels(page, b);
    let min: Uint8Array | undefined;
    let max: Uint8Array | undefined;
    if (b.ints !== null) {
      const v = b.ints;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++, o += 4) {
        const x = v[i]!;
        page.writeInt32LE(x, o);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (n > 0) [min, max] = [int32Bytes(lo), int32Bytes(hi)];
    } else if (b.nums !== null && b.column.type === 'INT64') {
      const v = b.nums;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++, o += 8) {
        const x = v[i]!;
        // Two's complement from a safe integer without BigInt: high word by floor division.
        const high = Math.floor(x / TWO_32);
        page.writeUInt32LE(x - high * TWO_32, o);
        page.writeInt32LE(high, o + 4);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (n > 0) [min, max] = [int64Bytes(lo), int64Bytes(hi)];
    } else if (b.nums !== null) {
      const v = b.nums;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++, o += 8) {
        const x = v[i]!;
        page.writeDoubleLE(x, o);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      // NaN never compares, so it stays out of min/max (spec: NaN is not a bound).
      if (lo <= hi) [min, max] = [doubleBytes(lo === 0 ? -0 : lo), doubleBytes(hi === 0 ? 0 : hi)];
    } else {
      const v = b.strs!;
      for (let i = 0; i < n; i++) {
        const len = page.write(v[i]!, o + 4, 'utf8');
        page.writeUInt32LE(len, o);
        o += 4 + len;
      }
    }
    const body = page.subarray(0, o);
    const data = this.codec === 'GZIP' ? gzipSync(body, { level: 1, strategy: zc.Z_DEFAULT_STRATEGY }) : body;
    const header = encodeStruct([
      [1, i32(DATA_PAGE)],
      [2, i32(body.length)],
      [3, i32(data.length)],
      [5, struct([[1, i32(b.rows)], [2, i32(PLAIN)], [3, i32(RLE)], [4, i32(RLE)]])],
    ]);
    this.write(header);
    this.write(data);
    return {
      column: b.column, offset: start, rows: b.rows, nulls: b.nulls,
      uncompressed: header.length + body.length, compressed: this.offset - start,
      ...(min !== undefined && max !== undefined ? { min, max } : {}),
    };
  }

  private fileMetaData(): ThriftStruct {
    const schema: ThriftStruct[] = [
      [[4, str('schema')], [5, i32(this.columns.length)]],
      ...this.columns.map((c): ThriftStruct => [
        [1, i32(TYPE_ID[c.type])],
        [3, i32(OPTIONAL)],
        [4, str(c.name)],
        ...(c.type === 'STRING' ? ([[6, i32(UTF8)], [10, struct([[1, struct([])]])]] as const) : []),
      ]),
    ];
    const rowGroups = this.groups.map((g): ThriftStruct => {
      const columns = g.chunks.map((c): ThriftStruct => {
        const stats: ThriftStruct = [
          [3, i64(c.nulls)],
          ...(c.max !== undefined && c.min !== undefined ? ([[5, bin(c.max)], [6, bin(c.min)]] as const) : []),
        ];
        return [
          [2, i64(c.offset)],
          [3, struct([
            [1, i32(TYPE_ID[c.column.type])],
            [2, { t: 'list', elem: 'i32', v: [PLAIN, RLE] }],
            [3, { t: 'list', elem: 'string', v: [c.column.name] }],
            [4, i32(CODEC_ID[this.codec])],
            [5, i64(c.rows)],
            [6, i64(c.uncompressed)],
            [7, i64(c.compressed)],
            [9, i64(c.offset)],
            [12, struct(stats)],
          ])],
        ];
      });
      const first = g.chunks[0]!;
      return [
        [1, { t: 'list', elem: 'struct', v: columns }],
        [2, i64(g.chunks.reduce((s, c) => s + c.uncompressed, 0))],
        [3, i64(g.rows)],
        [5, i64(first.offset)],
        [6, i64(g.chunks.reduce((s, c) => s + c.compressed, 0))],
      ];
    });
    return [
      [1, i32(1)],
      [2, { t: 'list', elem: 'struct', v: schema }],
      [3, i64(this.rows)],
      [4, { t: 'list', elem: 'struct', v: rowGroups }],
      [6, str('flowbench')],
    ];
  }
}

/** Most bytes `n` strings take as PLAIN BYTE_ARRAY (UTF-8 is at most 3 bytes per UTF-16 unit). */
function stringBytesBound(strs: readonly string[], n: number): number {
  let total = 4 * n;
  for (let i = 0; i < n; i++) total += 3 * strs[i]!.length;
  return total;
}

/**
 * Writes the page's definition levels (bit width 1) with their 4-byte length prefix: one RLE
 * run when nothing is null, else one bit-packed run of every flag, LSB first.
 */
function writeLevels(page: Buffer, b: ColumnBatch): number {
  let o = 4;
  if (b.nulls === 0) {
    o = varint(page, o, b.rows * 2);
    page[o++] = 1;
  } else {
    const groups = Math.ceil(b.rows / 8);
    o = varint(page, o, groups * 2 + 1);
    const def = b.def;
    for (let g = 0; g < groups; g++) {
      let byte = 0;
      const base = g * 8;
      for (let k = 0; k < 8 && base + k < b.rows; k++) byte |= def[base + k]! << k;
      page[o++] = byte;
    }
  }
  page.writeUInt32LE(o - 4, 0);
  return o;
}

function varint(page: Buffer, o: number, v: number): number {
  while (v >= 0x80) {
    page[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  page[o++] = v;
  return o;
}

function int32Bytes(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  return b;
}

function int64Bytes(v: number): Uint8Array {
  const b = Buffer.alloc(8);
  const high = Math.floor(v / TWO_32);
  b.writeUInt32LE(v - high * TWO_32, 0);
  b.writeInt32LE(high, 4);
  return b;
}

function doubleBytes(v: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v, 0);
  return b;
}
