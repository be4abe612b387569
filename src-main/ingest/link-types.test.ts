import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownLinkType, LinkType, linkTypeName } from './link-types.js';

test('LINKTYPE_ numbers of the corpus link types', () => {
  // Values from the tcpdump.org registry; Wireshark's WTAP_ENCAP numbers differ (SLL is 25 there).
  assert.equal(LinkType.NULL, 0);
  assert.equal(LinkType.ETHERNET, 1);
  assert.equal(LinkType.RAW, 101);
  assert.equal(LinkType.LINUX_SLL, 113);
  assert.equal(LinkType.LINUX_SLL2, 276);
  assert.equal(LinkType.IPV4, 228);
  assert.equal(LinkType.IPV6, 229);
  assert.equal(LinkType.NFLOG, 239);
  assert.equal(LinkType.ETHERNET_MPACKET, 274);
});

test('names, and a readable fallback for unknown numbers', () => {
  assert.equal(linkTypeName(1), 'Ethernet');
  assert.equal(linkTypeName(276), 'Linux cooked capture v2 (SLL2)');
  assert.equal(linkTypeName(182), 'LINKTYPE 182');
  assert.equal(isKnownLinkType(113), true);
  assert.equal(isKnownLinkType(132), false);
});

test('every constant has a distinct number and a name', () => {
  const values = Object.values(LinkType);
  assert.equal(new Set(values).size, values.length);
  for (const v of values) assert.doesNotMatch(linkTypeName(v), /^LINKTYPE /);
});
