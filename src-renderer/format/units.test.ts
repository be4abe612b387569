// Run with: node --import tsx --test src-renderer/format/units.test.ts (the repo runner covers src-shared/format-units.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoint, linkTypeName, protoName } from './units.js';

test('endpoints bracket IPv6 addresses', () => {
  assert.equal(endpoint('10.0.0.1', 443), '10.0.0.1:443');
  assert.equal(endpoint('2001:db8::1', 53), '[2001:db8::1]:53');
  assert.equal(endpoint('10.0.0.1', null), '10.0.0.1');
});

test('protocol and link-type names', () => {
  assert.equal(protoName(6), 'TCP');
  assert.equal(protoName(99), '99');
  assert.equal(linkTypeName(1), 'Ethernet (1)');
});
