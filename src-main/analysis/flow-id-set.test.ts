import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowIdSet } from './flow-id-set.js';

test('add reports new members once and size counts distinct ids', () => {
  const s = new FlowIdSet();
  assert.equal(s.add(7), true);
  assert.equal(s.add(7), false);
  assert.equal(s.add(0xffffffff), true);
  assert.equal(s.size, 2);
  assert.equal(s.has(7), true);
  assert.equal(s.has(8), false);
});

test('growth keeps every member (sequential and strided ids)', () => {
  const s = new FlowIdSet();
  const ids: number[] = [];
  for (let i = 1; i <= 5000; i++) ids.push(i, i * 65536 + 1, (i * 2654435761) >>> 0 || 1);
  const distinct = new Set(ids);
  for (const id of ids) s.add(id);
  assert.equal(s.size, distinct.size);
  for (const id of distinct) assert.equal(s.has(id), true, `missing ${id}`);
});

test('addAll takes the union and returns how many were new', () => {
  const a = new FlowIdSet();
  const b = new FlowIdSet();
  for (let i = 1; i <= 100; i++) a.add(i);
  for (let i = 51; i <= 150; i++) b.add(i);
  assert.equal(a.addAll(b), 50);
  assert.equal(a.size, 150);
});

test('clear empties, and a burst-sized table shrinks back', () => {
  const s = new FlowIdSet();
  for (let i = 1; i <= 100000; i++) s.add(i);
  s.clear();
  assert.equal(s.size, 0);
  assert.equal(s.has(5), false);
  s.add(5);
  assert.equal(s.has(5), true);
  assert.equal(s.size, 1);
  s.clear();
  for (let i = 1; i <= 10; i++) s.add(i * 3);
  assert.equal(s.size, 10);
});
