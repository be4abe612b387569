import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ColumnBatch } from './column-batch.js';
import type { FlatColumn } from './column-batch.js';
import { ParquetFile } from './parquet-file.js';
import type { ParquetCodec } from './parquet-file.js';
import { earlyHexToJson } from './row-reader.js';
import { decodeEarlyPackets, encodeEarlyPackets } from '../store/flows-repo.js';

const COLUMNS: FlatColumn[] = [
  { name: 'a', type: 'INT32' },
  { name: 'b', type: 'INT64' },
  { name: 'c', type: 'DOUBLE' },
  { name: 's', type: 'STRING' },
];

/** Row i: every kind of value the writer must keep exactly (nulls, negatives, > 2^32, UTF-8). */
function row(i: number): unknown[] {
  return [
    i % 7 === 3 ? null : i - 50,
    i % 5 === 1 ? null : (i - 20) * 2 ** 33 + i,
    i % 11 === 0 ? null : i === 4 ? -0.5 : i / 3,
    i % 4 === 2 ? null : i % 9 === 0 ? `ünï "${i}",\n✓` : `s${i}`,
  ];
}

for (const codec of ['GZIP', 'UNCOMPRESSED'] as const satisfies readonly ParquetCodec[]) {
  test(`ParquetFile (${codec}): DuckDB reads back every value, null and row group; statistics bound the values`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbench-pq-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'x.parquet');
    const f = new ParquetFile(path, COLUMNS, codec);
    const batches = COLUMNS.map((c) => new ColumnBatch(c, 40));
    const rows = Array.from({ length: 100 }, (_, i) => row(i));
    for (let start = 0; start < rows.length; start += 40) {
      for (const r of rows.slice(start, start + 40)) r.forEach((v, k) => batches[k]!.push(v));
      f.writeRowGroup(batches);
      for (const b of batches) b.reset();
    }
    f.close();
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    t.after(() => c.closeSync());
    const got = (await c.runAndReadAll(`SELECT a, b, c, s FROM read_parquet('${path}')`)).getRows();
    assert.deepEqual(got.map((r) => [r[0], r[1] === null ? null : Number(r[1]), r[2], r[3]]), rows);
    const meta = (await c.runAndReadAll(
      `SELECT row_group_id::INTEGER g, row_group_num_rows::INTEGER n, path_in_schema p, stats_min_value mn, stats_max_value mx, stats_null_count::INTEGER nn
       FROM parquet_metadata('${path}') WHERE path_in_schema IN ('b', 'c') ORDER BY g, p`,
    )).getRowObjects();
    assert.deepEqual(meta.map((m) => m['n']), [40, 40, 40, 40, 20, 20]);
    const first = rows.slice(0, 40);
    const bs = first.map((r) => r[1]).filter((v): v is number => v !== null);
    assert.deepEqual([meta[0]!['mn'], meta[0]!['mx'], meta[0]!['nn']], [String(Math.min(...bs)), String(Math.max(...bs)), 40 - bs.length]);
    const cs = first.map((r) => r[2]).filter((v): v is number => v !== null);
    assert.deepEqual([Number(meta[1]!['mn']), Number(meta[1]!['mx'])], [Math.min(...cs), Math.max(...cs)]);
  });
}

test('early packets from hex equal JSON of the decoded BLOB (size, direction, float32 iat)', () => {
  const packets: [number, 1 | -1, number][] = [[74, 1, 0], [1514, -1, 0.012], [0x7fffffff, -1, 123.456], [66, 1, 1e-7]];
  const blob = encodeEarlyPackets(packets);
  assert.equal(earlyHexToJson(blob.toString('hex').toUpperCase()), JSON.stringify(decodeEarlyPackets(blob)));
  assert.equal(earlyHexToJson(''), '[]');
});
