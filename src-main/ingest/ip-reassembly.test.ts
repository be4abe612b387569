import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpReassembly } from './ip-reassembly.js';

/** A fake IPv4 header (addresses at 12 and 16) followed by `payload`. */
function packet(src: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  p.set([10, 0, 0, src], 12);
  p.set([10, 0, 0, 99], 16);
  p.set(payload, 20);
  return p;
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, k) => (k * 7 + seed) & 0xff);
}

/** Adds datagram bytes [from, to) of `whole` as one fragment; returns add()'s result. */
function addPiece(r: IpReassembly, whole: Uint8Array, from: number, to: number, id = 1, src = 1): number {
  const p = packet(src, whole.subarray(from, to));
  return r.add(p, 4, 12, 16, 4, id, 17, from, 20, to - from, to < whole.length);
}

test('completes when every byte up to the last fragment has arrived, in any order', () => {
  const whole = bytes(3000, 3);
  const r = new IpReassembly(16, 256);
  assert.equal(addPiece(r, whole, 1480, 2960), -1);
  assert.equal(addPiece(r, whole, 2960, 3000), -1);
  assert.equal(r.pending, 1);
  assert.equal(addPiece(r, whole, 0, 1480), 3000);
  assert.deepEqual(r.completed.subarray(0, 256), whole.subarray(0, 256));
  assert.equal(r.pending, 0);
});

test('overlapping and duplicate fragments; a gap keeps it waiting', () => {
  const whole = bytes(100, 5);
  const r = new IpReassembly(16, 64);
  assert.equal(addPiece(r, whole, 0, 40), -1);
  assert.equal(addPiece(r, whole, 0, 40), -1);
  assert.equal(addPiece(r, whole, 64, 100), -1);
  assert.equal(addPiece(r, whole, 32, 56), -1); // still missing 56..64
  assert.equal(addPiece(r, whole, 48, 72), 100);
  assert.deepEqual(r.completed.subarray(0, 64), whole.subarray(0, 64));
});

test('datagrams are told apart by source, id and protocol', () => {
  const a = bytes(200, 1), b = bytes(200, 2);
  const r = new IpReassembly(16, 256);
  assert.equal(addPiece(r, a, 0, 96, 7, 1), -1);
  assert.equal(addPiece(r, b, 0, 96, 7, 2), -1);
  assert.equal(addPiece(r, b, 96, 200, 8, 2), -1); // other id: a third datagram
  assert.equal(addPiece(r, b, 96, 200, 7, 2), 200);
  assert.deepEqual(r.completed.subarray(0, 200), b);
  assert.equal(addPiece(r, a, 96, 200, 7, 1), 200);
  assert.deepEqual(r.completed.subarray(0, 200), a);
});

test('a full table drops the datagram that waited longest', () => {
  const r = new IpReassembly(4, 32);
  const whole = bytes(64, 9);
  for (let id = 1; id <= 5; id++) addPiece(r, whole, 0, 32, id);
  assert.equal(r.pending, 4);
  assert.equal(addPiece(r, whole, 32, 64, 1), -1, 'datagram 1 was dropped');
  assert.equal(r.pending, 4);
  assert.equal(addPiece(r, whole, 32, 64, 5), 64);
  r.clear();
  assert.equal(r.pending, 0);
});

test('too scattered a datagram ignores further disjoint pieces instead of growing', () => {
  const r = new IpReassembly(4, 32);
  const whole = bytes(1000, 1);
  for (let k = 0; k < 40; k++) addPiece(r, whole, k * 16 + 8, k * 16 + 16);
  assert.equal(r.pending, 1);
  // Pieces 32..39 were not remembered: filling every gap still leaves them missing.
  for (let k = 0; k < 40; k++) assert.equal(addPiece(r, whole, k * 16, k * 16 + 8), -1);
  assert.equal(addPiece(r, whole, 640, 1000), -1);
  assert.equal(addPiece(r, whole, 512, 640), 1000);
});
