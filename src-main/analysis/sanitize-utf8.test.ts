import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeUtf8 } from './sanitize-utf8.js';

const s = (bytes: number[]) => sanitizeUtf8(Uint8Array.from(bytes), 0, bytes.length);

test('ASCII and valid UTF-8 pass unchanged', () => {
  assert.equal(s([0x61, 0x2e, 0x62]), 'a.b');
  assert.equal(s([0xc7, 0xbf, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]), 'ǿ€😀');
});

// Byte sequences and tshark's rendering, from ndpi__dns-tunnel-iodine.pcap frames 53, 67, 86.
test('invalid sequences: one U+FFFD per lead byte with the continuations it took', () => {
  assert.equal(s([0x4d, 0xed, 0xbf, 0x64]), 'M\ufffdd', 'ED BF: a cut 3-byte form');
  assert.equal(s([0x4f, 0xbf, 0xbe, 0xe2, 0x57]), 'O\ufffd\ufffd\ufffdW', 'stray continuations, one each');
  assert.equal(s([0x6e, 0xfb, 0xbd, 0x51]), 'n\ufffdQ', 'FB leads an old 5-byte form');
  assert.equal(s([0x70, 0xf8, 0xf2, 0x38]), 'p\ufffd\ufffd8');
  assert.equal(s([0xc0, 0x80]), '\ufffd', 'overlong');
  assert.equal(s([0xed, 0xa0, 0x80]), '\ufffd', 'surrogate');
  assert.equal(s([0xff, 0xfe]), '\ufffd\ufffd');
  assert.equal(s([0xe2, 0x82]), '\ufffd', 'cut at the end');
});
