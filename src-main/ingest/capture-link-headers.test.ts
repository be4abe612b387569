import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, eth, hex, ipv4, ipv6, tcp, u16, udp } from '../../test/decode-harness.js';
import { LinkType } from './link-types.js';

// Expected flags follow tshark 4.0 display filters on the same bytes.

const ip4 = cat(ipv4(17, 8), udp(1, 2, 0));
const ip6 = cat(ipv6(6, 20), tcp(1, 2));

test('BSD loopback: the family in either byte order; the three IPv6 values', () => {
  const le = decodeFrame(cat(hex('02000000'), ip4), LinkType.NULL);
  assert.deepEqual(le.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(le.ipOffset, 4);
  assert.deepEqual(decodeFrame(cat(hex('00000002'), ip4), LinkType.NULL).protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  for (const family of ['18000000', '1c000000', '1e000000', '0000001e']) {
    assert.deepEqual(decodeFrame(cat(hex(family), ip6), LinkType.NULL).protocols, ['IPV6', 'TCP', 'L4_HEADER'], family);
  }
  assert.deepEqual(decodeFrame(cat(hex('0000001e'), ip6), LinkType.LOOP).protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(cat(hex('07000000'), ip4), LinkType.NULL).protocols, []);
});

test('Linux cooked capture v1 and v2', () => {
  const sll = decodeFrame(cat(hex('0000 0001 0006 020000000001 0000'), u16(0x0800), ip4), LinkType.LINUX_SLL);
  assert.deepEqual(sll.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(sll.ipOffset, 16);
  const sll2 = decodeFrame(cat(u16(0x86dd), hex('0000 00000002 0001 04 06 020000000001 0000'), ip6), LinkType.LINUX_SLL2);
  assert.deepEqual(sll2.protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  assert.equal(sll2.ipOffset, 20);
  // Protocol 0x0004: an 802.2 LLC frame follows.
  const llc = decodeFrame(cat(hex('0000 0001 0006 020000000001 0000'), u16(4), hex('aaaa03 000000 0800'), ip4), LinkType.LINUX_SLL);
  assert.deepEqual(llc.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
});

test('NFLOG: attributes in host byte order, the payload by the header family', () => {
  const attr = (type: number, value: Uint8Array) => {
    const len = 4 + value.length;
    const pad = (4 - (len % 4)) % 4;
    return cat(Uint8Array.of(len & 0xff, len >> 8, type & 0xff, type >> 8), value, new Uint8Array(pad));
  };
  const frame = cat(hex('02 00 0000'), attr(1, hex('0800 03 00')), attr(10, hex('616263')), attr(9, ip4));
  const v = decodeFrame(frame, LinkType.NFLOG);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 4 + 8 + 8 + 4);
  const six = decodeFrame(cat(hex('0a 00 0000'), attr(9, ip6)), LinkType.NFLOG);
  assert.deepEqual(six.protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  // A zero attribute length ends the walk without a payload.
  assert.deepEqual(decodeFrame(cat(hex('02 00 0000 0000 0900'), ip4), LinkType.NFLOG).protocols, []);
});

test('Solaris ipnet and IP over InfiniBand', () => {
  const ipnet = hex('01 02 0000 0000001c 00000002 00000000 00000000 00000000');
  assert.equal(decodeFrame(cat(ipnet, ip4), LinkType.IPNET).ipOffset, 24);
  assert.deepEqual(decodeFrame(cat(hex('01 1a 0000 0000003c 00000002 00000000 00000000 00000000'), ip6), LinkType.IPNET).protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  const ipoib = decodeFrame(cat(new Uint8Array(40), u16(0x0800), hex('0000'), ip4), LinkType.IPOIB);
  assert.deepEqual(ipoib.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(ipoib.ipOffset, 44);
});

test('PPI wraps another link type', () => {
  const v = decodeFrame(cat(hex('00 00 0800 01000000'), eth(0x0800), ip4), LinkType.PPI);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 8 + 14);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  assertTruncationSafe(cat(hex('1e000000'), ip6), LinkType.NULL);
  assertTruncationSafe(cat(hex('0000 0001 0006 020000000001 0000 0800'), ip4), LinkType.LINUX_SLL);
  assertTruncationSafe(cat(u16(0x0800), hex('0000 00000002 0001 04 06 020000000001 0000'), ip4), LinkType.LINUX_SLL2);
  assertTruncationSafe(cat(hex('02 00 0000 0800 0100 08000300 2000 0900'), ip4), LinkType.NFLOG);
  assertTruncationSafe(cat(hex('01 02 0000 0000001c 00000002 00000000 00000000 00000000'), ip4), LinkType.IPNET);
  assertTruncationSafe(cat(new Uint8Array(40), u16(0x0800), hex('0000'), ip4), LinkType.IPOIB);
  assertTruncationSafe(cat(hex('00 00 0800 01000000'), eth(0x0800), ip4), LinkType.PPI);
});
