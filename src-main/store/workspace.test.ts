import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { applyMigrations, SCHEMA_VERSION } from './migrations.js';
import type { Migration } from './migrations.js';
import { openWorkspace } from './workspace.js';
import type { Workspace } from './workspace.js';
import { readFileIdentity } from './file-identity.js';
import { startFileIngest } from './source-writer.js';
import { SourcesRepo } from './sources-repo.js';
import { WindowsRepo } from './windows-repo.js';
import { emptyWindowSums } from './window-columns.js';

/** A temporary folder removed when the test ends. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-ws-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(path: string): Workspace {
  const r = openWorkspace(path);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

test('a new workspace gets the whole schema, WAL, foreign keys; re-opening changes nothing', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'w.flowbench');
  const ws = open(file);
  assert.equal(ws.journalMode, 'wal');
  assert.equal(ws.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(ws.db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(ws.db.pragma('synchronous', { simple: true }), 1); // NORMAL
  const tables = ws.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
  for (const name of ['conversations', 'flows', 'source_names', 'source_stats', 'source_warnings', 'sources', 'window_values', 'windows']) {
    assert.ok(tables.includes(name), `table ${name}`);
  }
  const id = new SourcesRepo(ws.db).create({ kind: 'file', path: '/a.pcap', displayName: 'a.pcap' });
  new SourcesRepo(ws.db).complete(id, { packets: 3, bytes: 300, capturedBytes: 300, firstTimestamp: '1.000000000', lastTimestamp: '2.000000000' });
  const schemaBefore = ws.db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all();
  ws.close();

  const again = open(file);
  assert.equal(again.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(applyMigrations(again.db), { ok: true, value: { from: SCHEMA_VERSION, to: SCHEMA_VERSION } });
  assert.deepEqual(again.db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all(), schemaBefore);
  assert.equal(new SourcesRepo(again.db).get(id)?.packets, 3);
  assert.deepEqual(again.recovered, []);
  again.close();
});

test('a failing migration leaves the previous version and none of its changes', () => {
  const db = new Database(':memory:');
  const migrations: Migration[] = [
    { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x)') },
    {
      version: 2,
      name: 'two',
      up: (d) => {
        d.exec('CREATE TABLE b (x)');
        throw new Error('boom');
      },
    },
  ];
  const r = applyMigrations(db, migrations);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /migration 2 \(two\) failed: boom/);
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all(), [{ name: 'a' }]);
  db.close();
});

test('a workspace from a newer Flowbench, a non-database file and a missing folder are clear errors', (t) => {
  const dir = tempDir(t);
  const newer = join(dir, 'newer.db');
  const db = new Database(newer);
  db.pragma('user_version = 999');
  db.close();
  const r1 = openWorkspace(newer);
  assert.equal(r1.ok, false);
  assert.equal(r1.ok ? '' : r1.error.code, 'unsupported');
  assert.match(r1.ok ? '' : r1.error.message, /newer\.db: workspace schema version 999 is newer/);

  const junk = join(dir, 'junk.db');
  writeFileSync(junk, Buffer.alloc(4096, 0x41));
  const r2 = openWorkspace(junk);
  assert.equal(r2.ok ? '' : r2.error.code, 'corrupt');
  assert.match(r2.ok ? '' : r2.error.message, /junk\.db: .*not a Flowbench workspace/);

  const r3 = openWorkspace(join(dir, 'no', 'such', 'dir', 'w.db'));
  assert.equal(r3.ok ? '' : r3.error.code, 'not_found');

  // Read-only: never creates, never migrates.
  const r4 = openWorkspace(join(dir, 'absent.db'), { readonly: true });
  assert.equal(r4.ok ? '' : r4.error.code, 'not_found');
  const old = join(dir, 'old.db');
  new Database(old).close();
  const r5 = openWorkspace(old, { readonly: true });
  assert.match(r5.ok ? '' : r5.error.message, new RegExp(`schema version 0, this Flowbench reads ${SCHEMA_VERSION}; open it once read-write`));
});

test('a writer killed with SIGKILL mid-ingest leaves a workspace that opens, the source partial, and a re-run finishes it', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'w.flowbench');
  const capture = join(dir, 'fake.pcap');
  writeFileSync(capture, Buffer.alloc(3000, 7));
  open(file).close();

  // The child writes 1 s windows forever in batches of 500 rows and says so after each commit.
  const url = (f: string) => pathToFileURL(join(import.meta.dirname, f)).href;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
      const { openWorkspace } = await import(${JSON.stringify(url('workspace.ts'))});
      const { readFileIdentity } = await import(${JSON.stringify(url('file-identity.ts'))});
      const { startFileIngest } = await import(${JSON.stringify(url('source-writer.ts'))});
      const { emptyWindowSums } = await import(${JSON.stringify(url('window-columns.ts'))});
      const ws = openWorkspace(process.argv[1]);
      const id = readFileIdentity(process.argv[2]);
      const start = startFileIngest(ws.value.db, id.value, { kind: 'file', displayName: 'fake.pcap', analyzer: 'test/1' }, { batchRows: 500 });
      const w = start.writer;
      for (let t = 0; ; t++) {
        const s = emptyWindowSums(1000 + t);
        s.packets = 1; s.bytes = 100; s.captured_bytes = 100;
        w.window({ ...s, resolution: 1 });
        if ((t + 1) % 500 === 0) {
          w.progress({ packets: t + 1, bytes: 100 * (t + 1), capturedBytes: 100 * (t + 1), firstTimestamp: '1000.000000000', lastTimestamp: String(1000 + t) });
          w.commit();
          process.stdout.write('committed ' + (t + 1) + '\\n');
        }
      }
      `,
      file,
      capture,
    ],
    { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Kill after a few commits, while the next batch is half written.
      if ((out.match(/committed/g) ?? []).length >= 4) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  assert.ok((out.match(/committed/g) ?? []).length >= 4, `child output: ${out}`);

  const ws = open(file);
  assert.equal(ws.recovered.length, 1);
  const src = ws.recovered[0];
  assert.ok(src !== undefined);
  assert.equal(src.status, 'partial');
  assert.match(src.error ?? '', /interrupted.*re-run to finish it/);
  assert.equal(new SourcesRepo(ws.db).get(src.id)?.status, 'partial');
  // Every committed batch is there, and whole: rows are a multiple of the batch size.
  const rows = new WindowsRepo(ws.db).count(src.id, 1, -1e300, 1e300);
  assert.ok(rows >= 2000 && rows % 500 === 0, `rows ${rows}`);
  assert.equal(src.packets, rows);
  assert.equal(ws.db.pragma('integrity_check', { simple: true }), 'ok');

  // The re-run reuses the source id, starts from nothing and completes.
  const ident = readFileIdentity(capture);
  assert.ok(ident.ok);
  const again = startFileIngest(ws.db, ident.value, { kind: 'file', displayName: 'fake.pcap', analyzer: 'test/1' });
  assert.equal(again.kind, 'write');
  if (again.kind !== 'write') return;
  assert.equal(again.resumed?.id, src.id);
  assert.equal(again.writer.sourceId, src.id);
  assert.equal(new WindowsRepo(ws.db).count(src.id, 1, -1e300, 1e300), 0);
  for (let i = 0; i < 10; i++) {
    const s = emptyWindowSums(1000 + i);
    s.packets = 2;
    s.bytes = 200;
    again.writer.window({ ...s, resolution: 1 });
  }
  again.writer.finish({ totals: { packets: 20, bytes: 2000, capturedBytes: 2000, firstTimestamp: '1000.000000000', lastTimestamp: '1009.000000000' } });
  const done = new SourcesRepo(ws.db).get(src.id);
  assert.equal(done?.status, 'complete');
  assert.equal(done?.packets, 20);
  assert.equal(done?.error, null);
  assert.equal(new WindowsRepo(ws.db).count(src.id, 1, -1e300, 1e300), 10);
  // …and a third run reuses it without writing.
  const third = startFileIngest(ws.db, ident.value, { kind: 'file', displayName: 'fake.pcap', analyzer: 'test/1' });
  assert.equal(third.kind, 'reuse');
  ws.close();
});
