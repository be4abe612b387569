import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFlags, findInterface, listInterfaces } from './interfaces.js';

test('the loopback interface is listed with 127.0.0.1 and the loopback flag', () => {
  const all = listInterfaces();
  assert.ok(all.ok, all.ok ? '' : all.error.message);
  const lo = all.value.find((i) => i.addresses.some((a) => a.address === '127.0.0.1'));
  assert.ok(lo !== undefined, 'an interface holds 127.0.0.1');
  assert.equal(lo.loopback, true);
  assert.equal(lo.addresses.find((a) => a.address === '127.0.0.1')?.family, 'IPv4');
  if (process.platform === 'linux') {
    assert.equal(lo.up, true);
    assert.match(describeFlags(lo), /^up,.*loopback$/);
  }
});

test('a pseudo-device without kernel flags reports them as unknown (null), not false', () => {
  const all = listInterfaces();
  assert.ok(all.ok);
  const any = all.value.find((i) => i.name === 'any');
  if (any === undefined) return;
  assert.equal(any.up, null);
  assert.equal(any.running, null);
});

test('a missing interface is a not_found error at the interface field listing what exists', () => {
  const r = findInterface('flowbench-no-such-if0');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'not_found');
    assert.match(r.error.message, /^interface: no capture interface named "flowbench-no-such-if0" \(available: .+\)$/);
  }
});
