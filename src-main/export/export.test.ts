import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { JobInfo } from '../../src-shared/api.js';
import { syntheticFlows } from '../../bench/synthetic-flows.js';
import { corpusDir, readTruth } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { FlowsRepo } from '../store/flows-repo.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { Workbench } from '../workbench/workbench.js';
import { exportTable } from './export-table.js';
import { tableSpec } from './export-tables.js';
import type { ExportTable } from './export-tables.js';
import { readChunks } from './row-reader.js';
import { csvField } from './text-writers.js';

const CAPTURE = 'ndpi__1kxun.pcap';

/** Ingests a corpus capture through the workbench into a temp workspace; returns its path. */
async function ingested(t: TestContext, name: string): Promise<{ dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'w.flowbench');
  const wb = Workbench.open({ workspacePath: path, host: 'server' });
  if (!wb.ok) throw new Error(wb.error.message);
  const done = new Promise<JobInfo>((resolve) => {
    wb.value.onEvent((event, p) => {
      const j = p as JobInfo;
      if (event === 'jobs.progress' && ['done', 'failed', 'cancelled'].includes(j.phase)) resolve(j);
    });
  });
  const r = await wb.value.call('sources.open', { path: join(corpusDir, 'pcap', name) });
  assert.ok(r.ok);
  assert.equal((await done).phase, 'done');
  await wb.value.close();
  return { dir, path };
}

async function duck(t: TestContext): Promise<DuckDBConnection> {
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  t.after(() => c.closeSync());
  return c;
}

/** RFC 4180 parser (quoted fields with "" escapes and embedded CR/LF; CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  assert.equal(field, '', 'text ends with CRLF');
  return rows;
}

/** Every row of a table as exported values (JSON columns as text), straight from SQLite. */
function sqliteRows(path: string, table: ExportTable, resolution = 1): unknown[][] {
  const ws = openWorkspace(path, { readonly: true });
  if (!ws.ok) throw new Error(ws.error.message);
  try {
    const out: unknown[][] = [];
    const sources = new SourcesRepo(ws.value.db).list().map((s) => s.id).sort((a, b) => a - b);
    for (const sourceId of sources) for (const chunk of readChunks(ws.value.db, tableSpec(table), { sourceId, resolution })) out.push(...chunk.map((r) => [...r]));
    return out;
  } finally {
    ws.value.close();
  }
}

function sqliteTotals(path: string, sql: string): { n: number; p: number; b: number } {
  const ws = openWorkspace(path, { readonly: true });
  if (!ws.ok) throw new Error(ws.error.message);
  try {
    return ws.value.db.prepare<[], { n: number; p: number; b: number }>(sql).get()!;
  } finally {
    ws.value.close();
  }
}

test('Parquet export of a corpus capture: DuckDB reads row counts and packet/byte sums equal to SQLite', async (t) => {
  const { dir, path } = await ingested(t, CAPTURE);
  const truth = readTruth(CAPTURE) as { packets: number; wire_bytes: number };
  const ws = openWorkspace(path, { readonly: true });
  if (!ws.ok) throw new Error(ws.error.message);
  t.after(() => ws.value.close());
  const out = join(dir, 'out');
  const c = await duck(t);
  const expected: Record<string, string> = {
    windows: 'SELECT count(*) n, sum(packets) p, sum(bytes) b FROM windows WHERE resolution = 1',
    flows: 'SELECT count(*) n, sum(fwd_packets + bwd_packets) p, sum(fwd_bytes + bwd_bytes) b FROM flows',
    conversations: 'SELECT count(*) n, sum(packets) p, sum(bytes) b FROM conversations',
  };
  for (const table of ['windows', 'flows', 'conversations'] as const) {
    const r = await exportTable(ws.value.db, { table, format: 'parquet', outDir: out, rowGroupRows: 50 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const want = sqliteTotals(path, expected[table]!);
    assert.equal(r.value.rows, want.n);
    const read = await c.runAndReadAll(
      `SELECT count(*)::BIGINT n, sum(packets)::BIGINT p, sum(bytes)::BIGINT b, count(DISTINCT source_id)::INTEGER s
       FROM read_parquet('${join(out, `table=${table}`, '**', '*.parquet')}', hive_partitioning = true)`,
    );
    const got = read.getRowObjects()[0]!;
    assert.deepEqual([Number(got['n']), Number(got['p']), Number(got['b']), got['s']], [want.n, want.p, want.b, 1], table);
    // Every stored table covers every packet of the capture exactly once.
    assert.deepEqual([want.p, want.b], [truth.packets, truth.wire_bytes], table);
  }
  // Partitions carry the UTC date of each row's time; small row groups give many groups.
  const dates = await c.runAndReadAll(
    `SELECT count(*)::INTEGER bad FROM read_parquet('${join(out, 'table=flows', '**', '*.parquet')}', hive_partitioning = true)
     WHERE CAST(to_timestamp(floor(first_ts)) AT TIME ZONE 'UTC' AS DATE) <> date`,
  );
  assert.equal(dates.getRowObjects()[0]!['bad'], 0);
  const groups = await c.runAndReadAll(`SELECT count(DISTINCT (file_name, row_group_id))::INTEGER g FROM parquet_metadata('${join(out, 'table=flows', '**', '*.parquet')}')`);
  assert.ok((groups.getRowObjects()[0]!['g'] as number) > 2);
});

test('CSV and JSONL round trip: every value of every row as SQLite holds it', async (t) => {
  const { dir, path } = await ingested(t, CAPTURE);
  const ws = openWorkspace(path, { readonly: true });
  if (!ws.ok) throw new Error(ws.error.message);
  t.after(() => ws.value.close());
  for (const table of ['windows', 'flows', 'conversations'] as const) {
    const spec = tableSpec(table);
    const want = sqliteRows(path, table);
    assert.ok(want.length > 0, table);
    const csv = await exportTable(ws.value.db, { table, format: 'csv', outDir: join(dir, 'csv') });
    assert.ok(csv.ok);
    const rows = parseCsv(readFileSync(join(dir, 'csv', `${table}.csv`), 'utf8'));
    assert.deepEqual(rows[0], spec.columns.map((c) => c.name));
    assert.equal(rows.length - 1, want.length);
    rows.slice(1).forEach((r, i) => {
      assert.deepEqual(r, want[i]!.map((v) => (v === null ? '' : String(v))), `${table} csv row ${i}`);
    });
    const jsonl = await exportTable(ws.value.db, { table, format: 'jsonl', outDir: join(dir, 'jsonl') });
    assert.ok(jsonl.ok);
    const lines = readFileSync(join(dir, 'jsonl', `${table}.jsonl`), 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, want.length);
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      const expected = Object.fromEntries(spec.columns.map((c, k) => {
        const v = want[i]![k];
        return [c.name, (c.type === 'json' || c.type === 'early') && typeof v === 'string' ? JSON.parse(v) as unknown : v];
      }));
      assert.deepEqual(o, expected, `${table} jsonl row ${i}`);
    });
  }
});

test('text that needs quoting survives CSV, JSONL and Parquet; row groups split a big source', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'export-quote');
  const sourceId = new SourcesRepo(ws.db).create({ kind: 'file', path: null, displayName: 'synthetic' });
  const flows = [...syntheticFlows(5000)];
  const tricky = ['a,b', 'say "hi"', 'line\nbreak', 'crlf\r\nend', 'ünïcødé ✓', ''];
  flows.forEach((f, i) => {
    if (i < tricky.length) flows[i] = { ...f, sni: tricky[i]! };
  });
  new FlowsRepo(ws.db).insertMany(sourceId, flows);
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField(null), '');

  const csv = await exportTable(ws.db, { table: 'flows', format: 'csv', outDir: join(dir, 'o') });
  assert.ok(csv.ok);
  const rows = parseCsv(readFileSync(join(dir, 'o', 'flows.csv'), 'utf8'));
  const sniCol = rows[0]!.indexOf('sni');
  assert.deepEqual(rows.slice(1, 1 + tricky.length).map((r) => r[sniCol]), tricky);

  const jsonl = await exportTable(ws.db, { table: 'flows', format: 'jsonl', outDir: join(dir, 'o') });
  assert.ok(jsonl.ok);
  const objs = readFileSync(join(dir, 'o', 'flows.jsonl'), 'utf8').trim().split('\n').slice(0, tricky.length).map((l) => JSON.parse(l) as { sni: string; early_packets: unknown });
  assert.deepEqual(objs.map((o) => o.sni), tricky);
  assert.deepEqual(objs[0]!.early_packets, [[74, 1, 0], [74, -1, Math.fround(0.012)], [66, 1, Math.fround(0.0004)]]);

  const pq = await exportTable(ws.db, { table: 'flows', format: 'parquet', outDir: join(dir, 'o'), rowGroupRows: 1000 });
  assert.ok(pq.ok);
  assert.equal(pq.value.rows, 5000);
  assert.deepEqual(pq.value.files.map((f) => f.path.split('/').slice(-2, -1)[0]), ['date=2024-01-31', 'date=2024-02-01']);
  const c = await duck(t);
  const glob = join(dir, 'o', 'table=flows', '**', '*.parquet');
  const got = await c.runAndReadAll(`SELECT sni FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY id LIMIT ${tricky.length}`);
  assert.deepEqual(got.getRowObjects().map((r) => r['sni']), tricky);
  const sums = await c.runAndReadAll(`SELECT sum(packets)::BIGINT p, sum(bytes)::BIGINT b FROM read_parquet('${glob}')`);
  const want = flows.reduce((a, f) => [a[0]! + f.fwd_packets + f.bwd_packets, a[1]! + f.fwd_bytes + f.bwd_bytes], [0, 0]);
  const s = sums.getRowObjects()[0]!;
  assert.deepEqual([Number(s['p']), Number(s['b'])], want);
  const groups = await c.runAndReadAll(`SELECT count(*)::INTEGER g, max(row_group_num_rows)::INTEGER m FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata('${glob}'))`);
  const g = groups.getRowObjects()[0]!;
  assert.ok((g['g'] as number) >= 5);
  assert.equal(g['m'], 1000);
});

test('an export into a folder that cannot be written fails with the path named', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'export-fail');
  const sourceId = new SourcesRepo(ws.db).create({ kind: 'file', path: null, displayName: 'synthetic' });
  new FlowsRepo(ws.db).insertMany(sourceId, [...syntheticFlows(10)]);
  // A file where the folder should be: root may write anywhere, but not inside a file.
  const blocked = join(dir, 'w.flowbench', 'out');
  for (const format of ['csv', 'parquet'] as const) {
    const r = await exportTable(ws.db, { table: 'flows', format, outDir: blocked });
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error.code, 'io_error');
    assert.ok((r.ok ? '' : r.error.message).includes(blocked));
  }
});

test('predictions export: Parquet by source and date read back by DuckDB (count and sums equal SQLite), CSV rows in keyset order', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'export-predictions');
  const sources = new SourcesRepo(ws.db);
  const a = sources.create({ kind: 'file', path: null, displayName: 'a' });
  const b = sources.create({ kind: 'file', path: null, displayName: 'b' });
  const model = (name: string, sourceId: number): number => Number(ws.db.prepare(
    "INSERT INTO models (name, task, status, source_id, created_at) VALUES (?, 'forecast', 'ready', ?, 0)",
  ).run(name, sourceId).lastInsertRowid);
  const m1 = model('m1', a);
  const m2 = model('m2', a);
  const insert = ws.db.prepare('INSERT INTO predictions (model_id, source_id, t, actual, predicted) VALUES (?, ?, ?, ?, ?)');
  // Two models on source a across a UTC midnight, one on source b; some actuals missing.
  const day = 1_706_745_600; // 2024-02-01T00:00:00Z
  ws.db.transaction(() => {
    for (let i = -30; i < 30; i++) {
      insert.run(m1, a, day + i * 60, i % 7 === 0 ? null : 100 + i, 99.5 + i);
      insert.run(m2, a, day + i * 60, 100 + i, 101 + i * 0.5);
    }
    for (let i = 0; i < 10; i++) insert.run(m2, b, day + 3600 + i * 10, 5 + i, 4.75 + i);
  })();
  const r = await exportTable(ws.db, { table: 'predictions', format: 'parquet', outDir: join(dir, 'pq'), rowGroupRows: 16 });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.equal(r.value.rows, 130);
  assert.deepEqual(r.value.files.map((f) => f.path.split('/').slice(-3, -1).join('/')).sort(), ['source_id=1/date=2024-01-31', 'source_id=1/date=2024-02-01', 'source_id=2/date=2024-02-01']);
  const want = ws.db.prepare<[], { n: number; a: number; p: number; na: number }>(
    'SELECT count(*) n, sum(actual) a, sum(predicted) p, count(*) - count(actual) na FROM predictions',
  ).get()!;
  const c = await duck(t);
  const got = (await c.runAndReadAll(
    `SELECT count(*)::INTEGER n, sum(actual) a, sum(predicted) p, (count(*) - count(actual))::INTEGER na, count(DISTINCT (source_id, model_id))::INTEGER pairs
     FROM read_parquet('${join(dir, 'pq', 'table=predictions', '**', '*.parquet')}', hive_partitioning = true)`,
  )).getRowObjects()[0]!;
  assert.deepEqual([got['n'], got['a'], got['p'], got['na'], got['pairs']], [want.n, want.a, want.p, want.na, 3]);

  const csv = await exportTable(ws.db, { table: 'predictions', format: 'csv', outDir: join(dir, 'csv') });
  assert.ok(csv.ok);
  const rows = parseCsv(readFileSync(join(dir, 'csv', 'predictions.csv'), 'utf8'));
  assert.deepEqual(rows[0], ['source_id', 'model_id', 't', 'actual', 'predicted']);
  assert.equal(rows.length, 131);
  assert.deepEqual(rows[1], [String(a), String(m1), String(day - 1800), '70', String(99.5 - 30)]);
  assert.deepEqual(rows[3], [String(a), String(m1), String(day - 1680), '', String(99.5 - 28)], 'a missing actual is an empty field');
  assert.deepEqual(rows[61], [String(a), String(m2), String(day - 1800), '70', '86']);
});
