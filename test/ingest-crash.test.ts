import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openWorkspace } from '../src-main/store/workspace.js';
import { SourcesRepo } from '../src-main/store/sources-repo.js';
import { repoRoot } from './corpus-paths.js';
import { buildReplayCapture } from './replay-capture.js';

// Crash safety of `flowbench ingest`: SIGKILL the process mid-file, reopen the workspace (it
// opens; the source is partial), re-run the same command (it finishes the source under the
// same id) and check the totals equal what the capture holds.

/** Packets in the built capture: enough for the ingest to run a few seconds. */
const PACKETS = 4_000_000;
/** Bytes kept per record (Ethernet + IPv4 + TCP headers); the wire length stays the original. */
const SNAPLEN = 54;

const dir = mkdtempSync(join(tmpdir(), 'flowbench-ingest-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `bin/flowbench` when dist/ has the ingest command (npm test builds it), else the sources through tsx. */
function flowbenchArgv(args: string[]): [string, string[]] {
  if (existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'ingest-command.js'))) {
    return [process.execPath, [join(repoRoot, 'bin', 'flowbench'), ...args]];
  }
  return [process.execPath, ['--import', 'tsx', join(repoRoot, 'src-main', 'cli', 'main.ts'), ...args]];
}

function committedPackets(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const r = db.prepare<[], { packets: number }>('SELECT packets FROM sources ORDER BY id LIMIT 1').get();
      return r?.packets ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created / migrated yet
  }
}

test('kill -9 mid-ingest leaves a workspace that opens; a re-run finishes the source', { timeout: 180_000 }, async () => {
  const built = buildReplayCapture(join(dir, 'big.pcap'), PACKETS, SNAPLEN);
  const dbPath = join(dir, 'ws.db');
  const [cmd, argv] = flowbenchArgv(['ingest', built.path, '--db', dbPath, '--json']);

  const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  // Wait for a committed batch (the heartbeat carries the running packet count), then kill.
  let seen = 0;
  const deadline = Date.now() + 60_000;
  while (!exited && Date.now() < deadline) {
    seen = committedPackets(dbPath);
    if (seen > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(exited, false, 'the ingest finished before it could be killed: make the capture bigger');
  assert.ok(seen > 0 && seen < built.packets, `killed mid-file (committed ${seen} of ${built.packets})`);
  child.kill('SIGKILL');
  await exitPromise;

  const ws = openWorkspace(dbPath);
  assert.ok(ws.ok, ws.ok ? '' : ws.error.message);
  let sourceId: number;
  try {
    assert.equal(ws.value.recovered.length, 1, 'the interrupted source is recovered');
    const s = new SourcesRepo(ws.value.db).list()[0]!;
    assert.equal(s.status, 'partial');
    assert.ok(s.packets < built.packets);
    sourceId = s.id;
  } finally {
    ws.value.close();
  }

  const rerun = spawnSync(cmd, argv, { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(rerun.status, 0, rerun.stderr);
  const out = JSON.parse(rerun.stdout.trim()) as { sourceId: number; packets: number; complete: boolean };
  assert.deepEqual(out, { sourceId, file: built.path, packets: built.packets, complete: true });

  const db = new Database(dbPath, { readonly: true });
  try {
    const s = db.prepare<[], { status: string; packets: number; bytes: number; captured_bytes: number }>(
      'SELECT status, packets, bytes, captured_bytes FROM sources',
    ).all();
    assert.deepEqual(s, [{ status: 'complete', packets: built.packets, bytes: built.wireBytes, captured_bytes: built.capturedBytes }]);
    for (const res of [1, 10, 60]) {
      const w = db.prepare<[number], { p: number; b: number }>('SELECT sum(packets) AS p, sum(bytes) AS b FROM windows WHERE resolution = ?').get(res);
      assert.deepEqual(w, { p: built.packets, b: built.wireBytes }, `windows at ${res} s`);
    }
    const stats = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM source_stats').get();
    assert.equal(stats?.n, 1);
  } finally {
    db.close();
  }
});
