import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowKeyIndex, hashKey, KEY_WORDS } from './flow-key-index.js';

function setKey(idx: FlowKeyIndex, n: number): number {
  idx.key.fill(0);
  idx.key[0] = n * 2654435761;
  idx.key[4] = n;
  idx.key[8] = n & 0xffff;
  idx.key[9] = (4 << 8) | 17;
  return hashKey(idx.key);
}

test('insert, find and remove agree with a Map model through growth and deletions', () => {
  const idx = new FlowKeyIndex(16);
  const model = new Map<number, number>();
  let seed = 7;
  for (let step = 0; step < 20_000; step++) {
    seed = (seed * 48271) % 2147483647;
    const n = seed % 3000;
    const h = setKey(idx, n);
    const found = idx.find(h);
    assert.equal(found, model.get(n) ?? -1, `step ${step} key ${n}`);
    if (found < 0) model.set(n, idx.insert(h));
    else if (seed % 3 === 0) {
      idx.remove(found);
      model.delete(n);
    }
  }
  assert.equal(idx.size, model.size);
  for (const [n, slot] of model) {
    assert.equal(idx.find(setKey(idx, n)), slot, 'slots never move while their flow lives');
    assert.deepEqual([...idx.keyOf(slot)], [...idx.key].slice(0, KEY_WORDS));
  }
});

test('freed slots are reused first-in first-out; clear empties everything', () => {
  const idx = new FlowKeyIndex(16);
  const slots = [0, 1, 2, 3].map((n) => idx.insert(setKey(idx, n)));
  idx.remove(slots[2]!);
  idx.remove(slots[0]!);
  assert.equal(idx.insert(setKey(idx, 10)), slots[2]);
  assert.equal(idx.insert(setKey(idx, 11)), slots[0]);
  assert.equal(idx.isLive(slots[1]!), true);
  idx.clear();
  assert.equal(idx.size, 0);
  assert.equal(idx.find(setKey(idx, 1)), -1);
});

test('keys differing only in IP version or protocol are different flows', () => {
  const idx = new FlowKeyIndex(16);
  const h1 = setKey(idx, 5);
  const a = idx.insert(h1);
  idx.key[9] = (6 << 8) | 17;
  const h2 = hashKey(idx.key);
  assert.equal(idx.find(h2), -1);
  const b = idx.insert(h2);
  assert.notEqual(a, b);
});
