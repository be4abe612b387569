import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkSource, MAX_RECORD_SPAN, readU16, readU32 } from './chunk-source.js';

/** Writes bytes 0, 1, 2, … (mod 251, so no period aligns with chunk sizes) to a temp file. */
function withFile(size: number, body: (fd: number) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-chunk-'));
  const path = join(dir, 'data.bin');
  writeFileSync(path, Uint8Array.from({ length: size }, (_, i) => i % 251));
  const fd = openSync(path, 'r');
  try {
    body(fd);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('require() carries the unconsumed tail over to the next chunk', () => {
  withFile(100, (fd) => {
    const src = new ChunkSource(fd, 16);
    assert.equal(src.require(10), 16);
    src.pos += 13; // consume 13: 3 bytes left in the window
    assert.equal(src.require(8), 16);
    assert.equal(src.offset(), 13);
    assert.equal(src.buf[src.pos], 13);
    assert.equal(src.buf[src.pos + 7], 20);
  });
});

test('require() grows the buffer for one large record, never past MAX_RECORD_SPAN', () => {
  withFile(5000, (fd) => {
    const src = new ChunkSource(fd, 16);
    src.require(4);
    src.pos = 3;
    assert.equal(src.require(1000), 1000);
    assert.equal(src.buf[src.pos], 3);
    assert.equal(src.buf[src.pos + 999], (3 + 999) % 251);
    assert.equal(src.buf.length, 1000);
    src.pos = 0;
    assert.equal(src.require(MAX_RECORD_SPAN + 1), 4997); // capped (and the file ends first)
    assert.ok(src.buf.length <= MAX_RECORD_SPAN);
  });
});

test('require() reports fewer bytes at end of file', () => {
  withFile(30, (fd) => {
    const src = new ChunkSource(fd, 64);
    src.require(1);
    src.pos = 25;
    assert.equal(src.require(16), 5);
    assert.equal(src.eof, true);
  });
});

test('refill() tops the window up only when less than half is left', () => {
  withFile(1000, (fd) => {
    const src = new ChunkSource(fd, 100);
    src.refill();
    assert.equal(src.available(), 100);
    src.pos = 40; // 60 left: more than half, no copy
    src.refill();
    assert.equal(src.pos, 40);
    src.pos = 70; // 30 left: compact and read
    src.refill();
    assert.equal(src.pos, 0);
    assert.equal(src.available(), 100);
    assert.equal(src.offset(), 70);
    assert.equal(src.buf[0], 70);
  });
});

test('skip() moves past the window by seeking, without reading the skipped bytes', () => {
  withFile(10000, (fd) => {
    const src = new ChunkSource(fd, 32);
    src.require(8);
    src.skip(5000);
    assert.equal(src.offset(), 5000);
    assert.equal(src.require(4), 32);
    assert.equal(src.buf[src.pos], 5000 % 251);
    const four = new Uint8Array(4);
    assert.equal(src.readAt(9998, four), 2);
    assert.deepEqual([...four.subarray(0, 2)], [9998 % 251, 9999 % 251]);
  });
});

test('a transferred (detached) buffer is replaced and its unconsumed tail read again', () => {
  withFile(200, (fd) => {
    const src = new ChunkSource(fd, 64);
    src.require(64);
    src.pos = 10;
    structuredClone(src.buf.buffer, { transfer: [src.buf.buffer as ArrayBuffer] }); // what a worker transfer does
    assert.equal(src.buf.byteLength, 0);
    src.refill();
    assert.equal(src.offset(), 10);
    assert.equal(src.buf[src.pos], 10);
    assert.equal(src.view.getUint8(src.pos), 10);
  });
});

test('readU32 / readU16 read both byte orders', () => {
  const b = Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4);
  assert.equal(readU32(b, 0, false), 0xa1b2c3d4);
  assert.equal(readU32(b, 0, true), 0xd4c3b2a1);
  assert.equal(readU16(b, 2, false), 0xc3d4);
  assert.equal(readU16(b, 2, true), 0xd4c3);
});
