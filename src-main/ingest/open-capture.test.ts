import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fsErrorCode, openCapture } from './open-capture.js';
import { createRawBatch } from './raw-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbench-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: readonly number[]): string {
  const path = join(dir, name);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

/** A little-endian µs pcap header (Ethernet) plus one 4-byte record. */
const PCAP_LE = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
  1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
/** A little-endian pcapng SHB (28 bytes) and an Ethernet IDB (20 bytes). */
const PCAPNG_LE = [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
  1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0];

function openError(path: string): { code: string; message: string } {
  const r = openCapture(path);
  assert.equal(r.ok, false, `${path} opened`);
  if (r.ok) throw new Error('unreachable');
  assert.doesNotMatch(r.error.message, /\n/); // one line
  assert.ok(r.error.message.startsWith(path), 'the message names the file');
  return r.error;
}

test('the format comes from the magic, not the extension', () => {
  const pcapAsNg = openCapture(file('really-pcap.pcapng', PCAP_LE));
  assert.ok(pcapAsNg.ok);
  assert.equal(pcapAsNg.value.format, 'pcap');
  const batch = createRawBatch(4);
  assert.equal(pcapAsNg.value.next(batch), 1);
  assert.equal(batch.data[batch.offset[0]!], 0xde);
  pcapAsNg.value.close();
  const ngAsCap = openCapture(file('really-pcapng.cap', PCAPNG_LE));
  assert.ok(ngAsCap.ok);
  assert.equal(ngAsCap.value.format, 'pcapng');
  assert.deepEqual(ngAsCap.value.linkTypes(), []); // interfaces are learnt while reading
  assert.equal(ngAsCap.value.next(batch), 0);
  assert.deepEqual(ngAsCap.value.linkTypes(), [1]);
  ngAsCap.value.close();
});

test('missing file, directory', () => {
  assert.equal(openError(join(dir, 'nope.pcap')).code, 'not_found');
  assert.match(openError(join(dir, 'nope.pcap')).message, /no such file/);
  assert.equal(openError(dir).code, 'not_a_capture');
});

test('an unreadable file is permission_denied', (t) => {
  const path = file('secret.pcap', PCAP_LE);
  chmodSync(dir, 0o755);
  chmodSync(path, 0o000);
  if (process.getuid?.() !== 0) {
    const e = openError(path);
    assert.equal(e.code, 'permission_denied');
    assert.match(e.message, /permission denied/);
    return;
  }
  // Root reads mode-000 files: ask an unprivileged user (nobody) in a child process instead.
  const moduleUrl = new URL('./open-capture.ts', import.meta.url).href;
  const script = `import { openCapture } from ${JSON.stringify(moduleUrl)};
    const r = openCapture(process.argv[1]); console.log(JSON.stringify(r.ok ? null : r.error));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], {
    uid: 65534, gid: 65534, cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8',
  });
  if (child.error !== undefined || child.status !== 0) {
    t.skip(`cannot run a child as user nobody here: ${child.error?.message ?? child.stderr.slice(0, 200)}`);
    return;
  }
  const e = JSON.parse(child.stdout) as { code: string; message: string };
  assert.equal(e.code, 'permission_denied');
  assert.equal(e.message, `${path}: permission denied (not readable by this user)`);
});

test('fs error codes map to our error codes', () => {
  assert.equal(fsErrorCode('ENOENT'), 'not_found');
  assert.equal(fsErrorCode('EACCES'), 'permission_denied');
  assert.equal(fsErrorCode('EPERM'), 'permission_denied');
  assert.equal(fsErrorCode('EISDIR'), 'not_a_capture');
  assert.equal(fsErrorCode('EIO'), 'io_error');
});

test('empty, tiny and unknown-magic files are not captures', () => {
  const empty = openError(file('empty.pcap', []));
  assert.equal(empty.code, 'not_a_capture');
  assert.match(empty.message, /empty file \(0 bytes\)/);
  assert.equal(openError(file('three.pcap', [0xd4, 0xc3, 0xb2])).code, 'not_a_capture');
  const junk = openError(file('junk.pcap', [0xef, 0xbe, 0xad, 0xde, ...new Array<number>(40).fill(0)]));
  assert.equal(junk.code, 'not_a_capture');
  assert.match(junk.message, /unknown magic 0xefbeadde at offset 0/);
});

test('a cut pcap file header is truncated, naming the offset', () => {
  const e = openError(file('cut.pcap', PCAP_LE.slice(0, 12)));
  assert.equal(e.code, 'truncated');
  assert.match(e.message, /file header cut short at offset 12 \(12 of 24 bytes\)/);
});

test('pcapng: broken byte-order magic, cut SHB, inconsistent SHB lengths', () => {
  const bom = PCAPNG_LE.slice();
  bom.splice(8, 4, 0x11, 0x22, 0x33, 0x44);
  const e1 = openError(file('bom.pcapng', bom));
  assert.equal(e1.code, 'not_a_capture');
  assert.match(e1.message, /byte-order magic at offset 8 is 0x11223344/);
  const e2 = openError(file('cut.pcapng', PCAPNG_LE.slice(0, 20)));
  assert.equal(e2.code, 'truncated');
  assert.match(e2.message, /section header block cut short at offset 20 \(20 of 28 bytes\)/);
  const e3 = openError(file('cut8.pcapng', PCAPNG_LE.slice(0, 8)));
  assert.equal(e3.code, 'truncated');
  const trailer = PCAPNG_LE.slice();
  trailer[24] = 32;
  assert.equal(openError(file('trailer.pcapng', trailer)).code, 'corrupt');
  const short = PCAPNG_LE.slice();
  short[4] = 12;
  assert.equal(openError(file('short.pcapng', short)).code, 'corrupt');
});

test('chunkSize option: even one byte per read works', () => {
  const r = openCapture(file('one.pcap', PCAP_LE), { chunkSize: 1 });
  assert.ok(r.ok);
  const batch = createRawBatch(4);
  assert.equal(r.value.next(batch), 1);
  assert.equal(batch.caplen[0], 4);
  assert.equal(r.value.bytesConsumed(), PCAP_LE.length);
});
