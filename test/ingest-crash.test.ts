import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openWorkspace } from '../src-main/store/workspace.js';
import { SourcesRepo } from '../src-main/store/sources-repo.js';
import { corpusDir, repoRoot } from './corpus-paths.js';

// Crash safety of `flowbench ingest`: SIGKILL the process mid-file, reopen the workspace (it
// opens; the source is partial), re-run the same command (it finishes the source under the
// same id) and check the totals equal what the capture holds.

/** Packets in the built capture: enough for the ingest to run a few seconds. */
const PACKETS = 4_000_000;
/** Bytes kept per record (Ethernet + IPv4 + TCP headers); the wire length stays the original. */
const SNAPLEN = 54;

const dir = mkdtempSync(join(tmpdir(), 'flowbench-ingest-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Built { path: string; packets: number; wireBytes: number; capturedBytes: number }

/**
 * Writes a little-endian µs pcap (pcap file format, draft-ietf-opsawg-pcap §4–5) replaying the
 * records of a corpus capture, truncated to SNAPLEN, with timestamps 250 µs apart.
 */
function buildCapture(path: string, packets: number): Built {
  const src = readFileSync(join(corpusDir, 'pcap', 'ndpi__443-firefox.pcap'));
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  assert.equal(view.getUint32(0, true), 0xa1b2c3d4, 'source is a little-endian µs pcap');
  const records: { data: Uint8Array; len: number }[] = [];
  for (let o = 24; o + 16 <= src.length;) {
    const incl = view.getUint32(o + 8, true);
    const orig = view.getUint32(o + 12, true);
    records.push({ data: src.subarray(o + 16, o + 16 + Math.min(incl, SNAPLEN)), len: orig });
    o += 16 + incl;
  }
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  writeSync(fd, header);
  const chunk = Buffer.alloc(1 << 22);
  let used = 0;
  let wireBytes = 0;
  let capturedBytes = 0;
  const t0 = 1_700_000_000;
  for (let i = 0; i < packets; i++) {
    const r = records[i % records.length]!;
    if (used + 16 + r.data.length > chunk.length) { writeSync(fd, chunk, 0, used); used = 0; }
    const us = i * 250;
    chunk.writeUInt32LE(t0 + Math.floor(us / 1e6), used);
    chunk.writeUInt32LE(us % 1e6, used + 4);
    chunk.writeUInt32LE(r.data.length, used + 8);
    chunk.writeUInt32LE(r.len, used + 12);
    chunk.set(r.data, used + 16);
    used += 16 + r.data.length;
    wireBytes += r.len;
    capturedBytes += r.data.length;
  }
  writeSync(fd, chunk, 0, used);
  closeSync(fd);
  return { path, packets, wireBytes, capturedBytes };
}

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
  const built = buildCapture(join(dir, 'big.pcap'), PACKETS);
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
