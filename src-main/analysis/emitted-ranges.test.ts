import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmittedRanges } from './emitted-ranges.js';

test('adjacent starts join into one range; gaps stay gaps', () => {
  const r = new EmittedRanges(10);
  for (const t of [100, 110, 120, 200, 130]) r.add(t);
  assert.equal(r.size, 2);
  assert.equal(r.has(100), true);
  assert.equal(r.has(130), true);
  assert.equal(r.has(140), false, 'between ranges: never emitted');
  assert.equal(r.has(90), false);
  assert.equal(r.has(200), true);
  r.add(190);
  r.add(150);
  r.add(170);
  r.add(160);
  r.add(180);
  assert.equal(r.size, 2, '140 still missing');
  r.add(140);
  assert.equal(r.size, 1, 'filling the holes joins both neighbours');
  assert.equal(r.has(165), true);
});

test('out-of-order additions keep the list sorted', () => {
  const r = new EmittedRanges(1);
  const ts = [50, 10, 30, 20, 40, 11, 49, 31];
  for (const t of ts) r.add(t);
  for (const t of ts) assert.equal(r.has(t), true, `has ${t}`);
  for (const t of [12, 19, 21, 29, 32, 48, 51, 9]) assert.equal(r.has(t), false, `not ${t}`);
});

test('past the cap the closest ranges join: bounded and conservative', () => {
  const r = new EmittedRanges(1, 4);
  for (const t of [0, 100, 105, 300, 1000, 2000]) r.add(t);
  assert.ok(r.size <= 4, `size ${r.size}`);
  for (const t of [0, 100, 105, 300, 1000, 2000]) assert.equal(r.has(t), true, `has ${t}`);
  assert.equal(r.has(102), true, 'joined gap now reads as maybe emitted');
  assert.equal(r.has(1500), false, 'the widest gap is kept');
});
