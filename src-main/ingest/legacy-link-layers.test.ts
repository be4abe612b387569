import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, hex, ipv4, ipv6, tcp, u16, udp } from '../../test/decode-harness.js';
import { LinkType } from './link-types.js';

// Expected flags follow tshark 4.0 display filters on the same bytes.

const ip4 = cat(ipv4(17, 8), udp(1, 2, 0));
const ip6 = cat(ipv6(6, 20), tcp(1, 2));
const snapIp = cat(hex('aa aa 03 000000 0800'), ip4);

test('FDDI: LLC frames carry 802.2/SNAP; other frame classes nothing', () => {
  const v = decodeFrame(cat(hex('50 | 020000000002 | 020000000001'), snapIp), LinkType.FDDI);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 13 + 8);
  assert.deepEqual(decodeFrame(cat(hex('41 | 020000000002 | 020000000001'), snapIp), LinkType.FDDI).protocols, []);
});

test('ARCNET (Linux): RFC 1201 with split flag and sequence, RFC 1051, exception packets', () => {
  const rfc1201 = decodeFrame(cat(hex('01 02 0000 d4 00 0001'), ip4), LinkType.ARCNET_LINUX);
  assert.deepEqual(rfc1201.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(rfc1201.ipOffset, 8);
  assert.equal(decodeFrame(cat(hex('01 02 0000 f0'), ip4), LinkType.ARCNET_LINUX).ipOffset, 5);
  // Exception packets exist in the BSD form only; in the Linux form 0xFF is a plain split flag.
  assert.equal(decodeFrame(cat(hex('01 02 0000 d4 ff ffff'), ip4), LinkType.ARCNET_LINUX).ipOffset, 8);
  assert.equal(decodeFrame(cat(hex('01 02 d4 ff ffff d4 00 0001'), ip4), LinkType.ARCNET_BSD).ipOffset, 10);
  assert.deepEqual(decodeFrame(cat(hex('01 02 0000 d5 00 0001'), hex('0007 0800 01 04 0001 01 0a000001 00 0a000002')), LinkType.ARCNET_LINUX).protocols, ['ARP']);
  assert.equal(decodeFrame(cat(hex('01 02 d4 00 0001'), ip4), LinkType.ARCNET_BSD).ipOffset, 6);
});

test('Frame Relay: Cisco EtherType encapsulation and RFC 2427 NLPIDs', () => {
  const cisco = decodeFrame(cat(hex('48e1 86dd'), ip6), LinkType.FRELAY);
  assert.deepEqual(cisco.protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  assert.equal(cisco.ipOffset, 4);
  assert.equal(decodeFrame(cat(hex('0401 03 cc'), ip4), LinkType.FRELAY).ipOffset, 4);
  assert.equal(decodeFrame(cat(hex('0401 03 00 80 000000 0800'), ip4), LinkType.FRELAY).ipOffset, 10);
  assert.equal(decodeFrame(cat(hex('0401 03 8e'), ip6), LinkType.FRELAY).ipOffset, 4);
});

/** Radiotap header with TSFT and Flags present (8-byte TSFT aligned at offset 8). */
function radiotap(flags: number): Uint8Array {
  return cat(hex('00 00 1200 03000000'), new Uint8Array(8), Uint8Array.of(flags, 0));
}

test('radiotap + 802.11: QoS data to the DS, LLC/SNAP, FCS and padding flags', () => {
  const qosData = hex('88 01 2c00 | 020000000002 | 020000000001 | 020000000003 | 1000 | 0600');
  const v = decodeFrame(cat(radiotap(0), qosData, snapIp), LinkType.IEEE802_11_RADIOTAP);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 18 + 26 + 8);
  // Data padding: the 26-byte header is padded to 28.
  const padded = decodeFrame(cat(radiotap(0x20), qosData, hex('0000'), snapIp), LinkType.IEEE802_11_RADIOTAP);
  assert.equal(padded.ipOffset, 18 + 28 + 8);
  // FCS at the end: 4 bytes of the frame are not payload.
  const fcs = decodeFrame(cat(radiotap(0x10), qosData, snapIp, hex('01020304')), LinkType.IEEE802_11_RADIOTAP);
  assert.equal(fcs.payloadLength, 0);
  // Protected frames and non-data frames: nothing to follow.
  assert.deepEqual(decodeFrame(cat(radiotap(0), hex('88 41 2c00'), qosData.subarray(4), snapIp), LinkType.IEEE802_11_RADIOTAP).protocols, []);
  assert.deepEqual(decodeFrame(cat(radiotap(0), hex('80 00 0000'), qosData.subarray(4), snapIp), LinkType.IEEE802_11_RADIOTAP).protocols, []);
  // Plain data frame from the DS (24-byte header), raw 802.11 link type.
  const plain = decodeFrame(cat(hex('08 02 0000 | 020000000002 | 020000000001 | 020000000003 | 1000'), snapIp), LinkType.IEEE802_11);
  assert.equal(plain.ipOffset, 24 + 8);
});

test('802.11 A-MSDU: each subframe holds DA, SA, length and an LLC PDU', () => {
  const sub = cat(hex('020000000002 020000000001'), u16(snapIp.length), snapIp);
  const pad = new Uint8Array((4 - (sub.length % 4)) % 4);
  const header = hex('88 01 2c00 | 020000000002 | 020000000001 | 020000000003 | 1000 | 8000');
  const v = decodeFrame(cat(radiotap(0), header, sub, pad, sub), LinkType.IEEE802_11_RADIOTAP);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
});

test('PPP (HDLC-like framing, compressed protocol field) and Cisco HDLC', () => {
  assert.equal(decodeFrame(cat(hex('ff03 0021'), ip4), LinkType.PPP).ipOffset, 4);
  assert.equal(decodeFrame(cat(hex('0057'), ip6), LinkType.PPP).ipOffset, 2);
  assert.equal(decodeFrame(cat(hex('21'), ip4), LinkType.PPP).ipOffset, 1);
  const mpls = decodeFrame(cat(hex('ff03 0281 00001140'), ip4), LinkType.PPP);
  assert.deepEqual(mpls.protocols, ['IPV4', 'UDP', 'MPLS', 'L4_HEADER']);
  assert.equal(decodeFrame(cat(hex('0f00 0800'), ip4), LinkType.C_HDLC).ipOffset, 4);
  assert.deepEqual(decodeFrame(cat(hex('8f00 fefe 0303 83'), new Uint8Array(20)), LinkType.C_HDLC).protocols, []);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  assertTruncationSafe(cat(hex('50 020000000002 020000000001'), snapIp), LinkType.FDDI);
  assertTruncationSafe(cat(hex('01 02 0000 d4 00 0001'), ip4), LinkType.ARCNET_LINUX);
  assertTruncationSafe(cat(hex('01 02 d4 ff ffff d4 00 0001'), ip4), LinkType.ARCNET_BSD);
  assertTruncationSafe(cat(hex('0401 03 00 80 000000 0800'), ip4), LinkType.FRELAY);
  assertTruncationSafe(cat(radiotap(0x30), hex('88 03 2c00 020000000002 020000000001 020000000003 1000 020000000004 8000 0000'),
    hex('020000000002 020000000001'), u16(snapIp.length), snapIp), LinkType.IEEE802_11_RADIOTAP);
  assertTruncationSafe(cat(hex('ff03 0281 00001140'), ip4), LinkType.PPP);
});
