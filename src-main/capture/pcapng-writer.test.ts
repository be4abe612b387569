import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { corpusDir } from '../../test/corpus-paths.js';
import { openCapture } from '../ingest/open-capture.js';
import { createRawBatch, type RawBatch } from '../ingest/raw-batch.js';
import { PcapngWriter, ringPath, type TimestampResolution } from './pcapng-writer.js';

interface Digest {
  packets: number;
  caplen: number;
  wirelen: number;
  firstTs: string;
  lastTs: string;
  dataSha: string;
  linkTypes: readonly number[];
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-pcapng-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Reads files in order and digests every record (with an optional per-batch callback). */
function digest(paths: readonly string[], each?: (b: RawBatch) => void): Digest {
  const raw = createRawBatch(1000);
  const h = createHash('sha256');
  const d: Digest = { packets: 0, caplen: 0, wirelen: 0, firstTs: '', lastTs: '', dataSha: '', linkTypes: [] };
  for (const p of paths) {
    const r = openCapture(p);
    if (!r.ok) throw new Error(r.error.message);
    for (let n = r.value.next(raw); n > 0; n = r.value.next(raw)) {
      each?.(raw);
      for (let i = 0; i < n; i++) {
        const ts = `${raw.tsSec[i]}.${String(raw.tsNsec[i]).padStart(9, '0')}`;
        if (d.packets === 0) d.firstTs = ts;
        d.lastTs = ts;
        d.packets++;
        d.caplen += raw.caplen[i]!;
        d.wirelen += raw.wirelen[i]!;
        h.update(raw.data.subarray(raw.offset[i], raw.offset[i]! + raw.caplen[i]!));
      }
    }
    assert.deepEqual(r.value.warnings, [], `${p} reads without warnings`);
    d.linkTypes = r.value.linkTypes();
    r.value.close();
  }
  d.dataSha = h.digest('hex');
  return d;
}

function rewrite(source: string, out: string, tsResolution: TimestampResolution, ringBytes: number | null = null): readonly string[] {
  let writer: PcapngWriter | undefined;
  digest([source], (b) => {
    if (writer === undefined) {
      const w = PcapngWriter.open({ path: out, linkType: b.linkType[0]!, snaplen: 65535, tsResolution, interfaceName: 'lo', filter: 'udp port 9', ringBytes });
      if (!w.ok) throw new Error(w.error.message);
      writer = w.value;
    }
    assert.equal(writer.writeBatch(b), true);
  });
  const done = writer!.close();
  if (!done.ok) throw new Error(done.error.message);
  return done.value.files;
}

const SOURCE = join(corpusDir, 'pcap', 'ndpi__netflix.pcap');

for (const res of ['us', 'ns'] as const) {
  test(`a ${res} recording reads back with our reader: same records, lengths, timestamps, bytes`, (t) => {
    const out = join(tempDir(t), 'out.pcapng');
    const files = rewrite(SOURCE, out, res);
    assert.deepEqual(files, [out]);
    const want = digest([SOURCE]);
    const got = digest(files);
    assert.ok(want.packets > 1000);
    assert.deepEqual(got, want);
  });
}

test('a size ring splits the recording into complete files that together hold every record', (t) => {
  const out = join(tempDir(t), 'ring.pcapng');
  const files = rewrite(SOURCE, out, 'us', 128 * 1024);
  assert.ok(files.length >= 5, `${files.length} files`);
  assert.equal(files[0], ringPath(out, 1));
  for (const f of files) assert.ok(statSync(f).size <= 128 * 1024, `${f} stays within the ring size`);
  assert.deepEqual(digest(files), digest([SOURCE]));
});

test('a ring keeps only the newest files when ringFiles is set', (t) => {
  const out = join(tempDir(t), 'ring.pcapng');
  const raw = createRawBatch(1);
  raw.count = 1;
  raw.data = new Uint8Array(1000);
  raw.caplen[0] = 1000;
  raw.wirelen[0] = 1000;
  const w = PcapngWriter.open({ path: out, linkType: 1, snaplen: 65535, tsResolution: 'us', ringBytes: 8192, ringFiles: 3 });
  assert.ok(w.ok);
  for (let i = 0; i < 50; i++) {
    raw.tsSec[0] = 1_700_000_000 + i;
    assert.equal(w.value.writeBatch(raw), true);
  }
  const r = w.value.close();
  assert.ok(r.ok);
  assert.equal(r.value.files.length, 3);
  assert.equal(r.value.packets, 50);
  const d = digest(r.value.files);
  assert.equal(d.lastTs, `${1_700_000_049}.000000000`);
  assert.ok(d.packets < 50 && d.packets > 0);
});

test('nanosecond timestamps past 2^53 ns (year 2096) keep every digit', (t) => {
  const out = join(tempDir(t), 'ns.pcapng');
  const raw = createRawBatch(3);
  raw.count = 3;
  raw.data = new Uint8Array(60);
  const secs = [0, 1_700_000_000, 4_000_000_000];
  const nsecs = [1, 123_456_789, 999_999_999];
  for (let i = 0; i < 3; i++) {
    raw.offset[i] = i * 20;
    raw.caplen[i] = 20;
    raw.wirelen[i] = 1500;
    raw.tsSec[i] = secs[i]!;
    raw.tsNsec[i] = nsecs[i]!;
  }
  const w = PcapngWriter.open({ path: out, linkType: 101, snaplen: 1500, tsResolution: 'ns' });
  assert.ok(w.ok);
  w.value.writeBatch(raw);
  assert.ok(w.value.close().ok);
  const r = openCapture(out);
  assert.ok(r.ok);
  const back = createRawBatch(10);
  assert.equal(r.value.next(back), 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(back.tsSec[i], secs[i]);
    assert.equal(back.tsNsec[i], nsecs[i]);
    assert.equal(back.wirelen[i], 1500);
  }
  assert.deepEqual(r.value.linkTypes(), [101]);
  r.value.close();
});

test('an unwritable path is an io_error naming the path', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'missing-dir', 'x.pcapng');
  const w = PcapngWriter.open({ path, linkType: 1, snaplen: 65535, tsResolution: 'us' });
  assert.equal(w.ok, false);
  if (!w.ok) {
    assert.equal(w.error.code, 'io_error');
    assert.match(w.error.message, /missing-dir\/x\.pcapng: cannot create the recording/);
  }
});
