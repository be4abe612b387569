import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { recordingIo } from './test-io.js';
import { describeIngest } from './ingest-command.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('ingest: usage errors are one line and exit 1', async () => {
  const noDb = await run(['ingest', 'x.pcap']);
  assert.equal(noDb.code, 1);
  assert.match(noDb.err, /^flowbench ingest: missing --db PATH/);
  const noFile = await run(['ingest', '--db', 'x.db']);
  assert.equal(noFile.code, 1);
  assert.match(noFile.err, /missing FILE/);
  const unknown = await run(['ingest', '--bogus']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /bogus/);
  assert.equal((await run(['ingest', '--help'])).code, 0);
});

test('ingest: a missing or non-capture file fails without creating a source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-ingest-cli-'));
  try {
    const db = join(dir, 'w.db');
    const missing = await run(['ingest', join(dir, 'nope.pcap'), '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.pcap/);
    writeFileSync(join(dir, 'text.pcap'), 'not a capture at all, just text\n');
    const bad = await run(['ingest', join(dir, 'text.pcap'), '--db', db, '--json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, '');
    const list = await run(['query', 'sources', '--db', db, '--json']);
    assert.equal(list.code, 0, list.err);
    assert.deepEqual(JSON.parse(list.out), []);
    const noDir = await run(['ingest', join(dir, 'text.pcap'), '--db', join(dir, 'missing-dir', 'w.db')]);
    assert.equal(noDir.code, 1);
    assert.match(noDir.err, /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ingest: progress line names packets, packets/s and ETA', () => {
  const line = describeIngest('a.pcap', { bytesDone: 50, bytesTotal: 100, packets: 1234567, packetsPerSecond: 2500000, etaSeconds: 2.2 });
  assert.equal(line, 'ingest a.pcap: 1,234,567 packets  2,500,000 pkt/s  50.0 %  ETA 3 s');
});
