import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowLookup, NO_KEY } from './flow-lookup.js';

/** An IPv4 or IPv6 header-only buffer with the given addresses. */
function header(src: number[], dst: number[]): Uint8Array {
  const v6 = src.length === 16;
  const d = new Uint8Array(v6 ? 40 : 20);
  d.set(src, v6 ? 8 : 12);
  d.set(dst, v6 ? 24 : 16);
  return d;
}

test('the memo never changes the answer: random packets against a Map model', () => {
  const lookup = new FlowLookup(16);
  const model = new Map<string, number>();
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
  for (let step = 0; step < 50_000; step++) {
    const a = [10, 0, rnd(4), rnd(200)];
    const b = [192, 168, 0, rnd(3)];
    const [sp, dp] = [1000 + rnd(20), 80];
    const fwd = rnd(2) === 0;
    const d = fwd ? header(a, b) : header(b, a);
    const name = `${a.join('.')}:${sp}-${b.join('.')}:${dp}`;
    const slot = lookup.locate(d, 0, d.length, 4, 6, fwd ? sp : dp, fwd ? dp : sp);
    assert.equal(slot, model.get(name) ?? -1, `step ${step}`);
    if (slot >= 0) {
      assert.equal(lookup.fromLo, fwd ? 1 : 0, 'the 10.x side is the lower endpoint');
      if (rnd(5) === 0) {
        lookup.remove(slot);
        model.delete(name);
      }
    } else {
      model.set(name, lookup.insert());
    }
  }
});

test('IPv6 keys, a header cut by the capture, and clear()', () => {
  const lookup = new FlowLookup(16);
  const a = [0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 1];
  const b = [0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 2];
  const d = header(a, b);
  assert.equal(lookup.locate(d, 0, d.length, 6, 17, 53, 5353), -1);
  const slot = lookup.insert();
  const back = header(b, a);
  assert.equal(lookup.locate(back, 0, back.length, 6, 17, 5353, 53), slot);
  assert.equal(lookup.fromLo, 0);
  assert.equal(lookup.locate(d, 0, 39, 6, 17, 53, 5353), NO_KEY);
  assert.equal(lookup.locate(header([1, 2, 3, 4], [5, 6, 7, 8]), 0, 19, 4, 17, 1, 2), NO_KEY);
  lookup.clear();
  assert.equal(lookup.locate(d, 0, d.length, 6, 17, 53, 5353), -1);
});
