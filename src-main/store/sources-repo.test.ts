import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Workspace } from './workspace.js';
import { readFileIdentity, HEAD_HASH_BYTES } from './file-identity.js';
import { SourcesRepo } from './sources-repo.js';
import { startFileIngest } from './source-writer.js';
import { WindowsRepo } from './windows-repo.js';
import { emptyWindowSums } from './window-columns.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): { ws: Workspace; dir: string } {
  return openTempWorkspace(t, 'src');
}

const totals = { packets: 5, bytes: 500, capturedBytes: 400, firstTimestamp: '10.000000001', lastTimestamp: '12.500000000' };

test('file identity hashes exactly the first MiB and follows size and mtime', (t) => {
  const { dir } = workspace(t);
  const f = join(dir, 'big.bin');
  const data = Buffer.alloc(HEAD_HASH_BYTES + 5000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  writeFileSync(f, data);
  const id = readFileIdentity(f);
  assert.ok(id.ok);
  assert.equal(id.value.size, data.length);
  assert.equal(id.value.headSha256, createHash('sha256').update(data.subarray(0, HEAD_HASH_BYTES)).digest('hex'));
  const missing = readFileIdentity(join(dir, 'nope.pcap'));
  assert.equal(missing.ok ? '' : missing.error.code, 'not_found');
});

test('findReusable returns only a complete source with the same path, size, mtime, head hash (and analyzer)', (t) => {
  const { ws, dir } = workspace(t);
  const repo = new SourcesRepo(ws.db);
  const f = join(dir, 'a.pcap');
  writeFileSync(f, Buffer.alloc(2048, 1));
  const idr = readFileIdentity(f);
  assert.ok(idr.ok);
  const id = idr.value;

  const sid = repo.create({ kind: 'file', path: id.path, displayName: 'a.pcap', size: id.size, mtimeMs: id.mtimeMs, headSha256: id.headSha256, analyzer: 'v1', format: 'pcap', linkTypes: [1] });
  assert.equal(repo.findReusable(id.path, id.size, id.mtimeMs, id.headSha256), undefined, 'still ingesting');
  repo.complete(sid, { ...totals, linkTypes: [1, 113] });

  const hit = repo.findReusable(id.path, id.size, id.mtimeMs, id.headSha256);
  assert.equal(hit?.id, sid);
  assert.equal(hit?.status, 'complete');
  assert.deepEqual(hit?.linkTypes, [1, 113]);
  assert.equal(hit?.firstTimestamp, '10.000000001');
  assert.equal(hit?.capturedBytes, 400);
  assert.equal(repo.findReusable(id.path, id.size, id.mtimeMs, id.headSha256, 'v1')?.id, sid);
  assert.equal(repo.findReusable(id.path, id.size, id.mtimeMs, id.headSha256, 'v2'), undefined, 'other analyzer');
  assert.equal(repo.findReusable(id.path, id.size + 1, id.mtimeMs, id.headSha256), undefined, 'size');
  assert.equal(repo.findReusable(id.path, id.size, id.mtimeMs + 1, id.headSha256), undefined, 'mtime');
  assert.equal(repo.findReusable(id.path, id.size, id.mtimeMs, '0'.repeat(64)), undefined, 'hash');
  assert.equal(repo.findReusable(`${id.path}x`, id.size, id.mtimeMs, id.headSha256), undefined, 'path');

  // Touching the file changes its identity: the next ingest writes a new source.
  utimesSync(f, new Date(), new Date(Date.now() + 5000));
  const touched = readFileIdentity(f);
  assert.ok(touched.ok);
  const start = startFileIngest(ws.db, touched.value, { kind: 'file', displayName: 'a.pcap', analyzer: 'v1' });
  assert.equal(start.kind, 'write');
  assert.notEqual(start.kind === 'write' ? start.writer.sourceId : sid, sid);
});

test('an ingest stopped early keeps its rows as partial, and restart clears them under the same id', (t) => {
  const { ws, dir } = workspace(t);
  const f = join(dir, 'b.pcap');
  writeFileSync(f, Buffer.alloc(100, 2));
  const id = readFileIdentity(f);
  assert.ok(id.ok);
  const start = startFileIngest(ws.db, id.value, { kind: 'file', displayName: 'b.pcap' });
  assert.ok(start.kind === 'write' && start.resumed === null);
  const w = start.writer;
  const s = emptyWindowSums(50);
  s.packets = 3;
  w.window({ ...s, resolution: 1 });
  w.progress(totals);
  w.stop('partial', 'cancelled by the user', { warnings: [{ offset: 24, record: 1, message: 'truncated record' }] });

  const repo = new SourcesRepo(ws.db);
  const row = repo.get(w.sourceId);
  assert.equal(row?.status, 'partial');
  assert.equal(row?.error, 'cancelled by the user');
  assert.equal(row?.packets, 5);
  assert.deepEqual(repo.warnings(w.sourceId), [{ offset: 24, record: 1, message: 'truncated record' }]);
  assert.equal(new WindowsRepo(ws.db).count(w.sourceId, 1, 0, 100), 1);
  assert.equal(repo.findResumable(id.value.path, id.value.size, id.value.mtimeMs, id.value.headSha256)?.id, w.sourceId);

  repo.restart(w.sourceId);
  const again = repo.get(w.sourceId);
  assert.equal(again?.status, 'ingesting');
  assert.equal(again?.packets, 0);
  assert.equal(again?.error, null);
  assert.equal(new WindowsRepo(ws.db).count(w.sourceId, 1, 0, 100), 0);
  assert.deepEqual(repo.warnings(w.sourceId), []);

  // An ingesting source owned by this (live) process is not taken for interrupted…
  assert.deepEqual(repo.recoverInterrupted(60_000), []);
  // …unless its writer has been silent for longer than the stale limit.
  ws.db.prepare('UPDATE sources SET updated_at = ? WHERE id = ?').run(Date.now() - 120_000, w.sourceId);
  assert.deepEqual(repo.recoverInterrupted(60_000).map((r) => r.id), [w.sourceId]);

  // Deleting a source removes its rows through ON DELETE CASCADE.
  new WindowsRepo(ws.db).upsert(w.sourceId, 1, s);
  repo.delete(w.sourceId);
  assert.equal(repo.get(w.sourceId), undefined);
  assert.deepEqual(ws.db.prepare('SELECT count(*) AS n FROM windows').get(), { n: 0 });
});
