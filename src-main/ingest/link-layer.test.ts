import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, eth, hex, ipv4, ipv6, payload, tcp, u16, udp } from '../../test/decode-harness.js';

// Expected flags follow tshark 4.0 display filters on the same bytes (checked by hand with
// tshark -Y while writing these fixtures).

const ipUdp = cat(ipv4(17, 12), udp(1024, 53, 4), payload(4));

test('Ethernet II + IPv4 + TCP: every primary field', () => {
  const frame = cat(eth(0x0800), ipv4(6, 20 + 5), tcp(40000, 443, { seq: 0xdeadbeef, ack: 7, flags: 0x018, window: 29200 }), payload(5));
  const v = decodeFrame(frame);
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'L4_HEADER']);
  assert.equal(v.ipVersion, 4);
  assert.equal(v.ipOffset, 14);
  assert.equal(v.ipProto, 6);
  assert.equal(v.l4Offset, 34);
  assert.equal(v.srcPort, 40000);
  assert.equal(v.dstPort, 443);
  assert.equal(v.tcpSeq, 0xdeadbeef);
  assert.equal(v.tcpAck, 7);
  assert.equal(v.tcpFlags, 0x018);
  assert.equal(v.tcpWindow, 29200);
  assert.equal(v.payloadOffset, 54);
  assert.equal(v.payloadLength, 5);
  assert.deepEqual(v.extras, []);
});

test('Ethernet padding after a short IP datagram is not payload', () => {
  const frame = cat(eth(0x0800), ipv4(6, 20), tcp(1, 2, { flags: 0x010 }), new Uint8Array(6));
  const v = decodeFrame(frame);
  assert.equal(v.payloadLength, 0);
});

test('802.1Q tag, QinQ (0x88a8 + 0x8100), old 0x9100 and triple tags', () => {
  const q = (tci: number, type: number) => cat(u16(tci), u16(type));
  assert.deepEqual(decodeFrame(cat(eth(0x8100), q(100, 0x0800), ipUdp)).protocols, ['IPV4', 'UDP', 'VLAN', 'L4_HEADER']);
  // Wireshark calls the 802.1ad S-tag "ieee8021ad": the "vlan" filter matches only the C-tag.
  assert.deepEqual(decodeFrame(cat(eth(0x88a8), q(10, 0x8100), q(20, 0x0800), ipUdp)).protocols, ['IPV4', 'UDP', 'VLAN', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(cat(eth(0x88a8), q(10, 0x0800), ipUdp)).protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(cat(eth(0x9100), q(10, 0x0800), ipUdp)).protocols, ['IPV4', 'UDP', 'VLAN', 'L4_HEADER']);
  const triple = decodeFrame(cat(eth(0x8100), q(1, 0x8100), q(2, 0x8100), q(3, 0x0800), ipUdp));
  assert.deepEqual(triple.protocols, ['IPV4', 'UDP', 'VLAN', 'L4_HEADER']);
  assert.equal(triple.ipOffset, 26);
});

test('a VLAN tag needs its 2-byte TCI to count', () => {
  assert.deepEqual(decodeFrame(cat(eth(0x8100), hex('00')), 1, 100).protocols, []);
  assert.deepEqual(decodeFrame(cat(eth(0x8100), hex('0064')), 1, 100).protocols, ['VLAN']);
});

test('802.3 length field: LLC/SNAP carries IPv4; STP inside a VLAN carries nothing', () => {
  const snap = cat(hex('aa aa 03 | 00 00 00 | 08 00'), ipUdp);
  const v = decodeFrame(cat(hex('02 00 00 00 00 02 02 00 00 00 00 01'), u16(snap.length), snap));
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 22);
  const stp = hex('42 42 03 0000 00 00 8000 020000000001 00000000 8000 020000000001 8001 0000 1400 0200 0f00');
  assert.deepEqual(decodeFrame(cat(eth(0x8100), u16(5), u16(stp.length), stp)).protocols, ['VLAN']);
});

test('PPPoE session carries PPP/IPv4; discovery is flagged; both need 6 header bytes', () => {
  const ppp = cat(hex('0021'), ipUdp);
  const session = cat(eth(0x8864), hex('11 00 0001'), u16(ppp.length), ppp);
  const v = decodeFrame(session);
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'PPPOE_SESSION', 'L4_HEADER']);
  assert.equal(v.ipOffset, 22);
  assert.deepEqual(decodeFrame(session.subarray(0, 19), 1, session.length).protocols, []);
  assert.deepEqual(decodeFrame(session.subarray(0, 20), 1, session.length).protocols, ['PPPOE_SESSION']);
  assert.deepEqual(decodeFrame(cat(eth(0x8863), hex('11 09 0000 0004 0101 0000'))).protocols, ['PPPOE_DISCOVERY']);
  assert.deepEqual(decodeFrame(cat(eth(0x8863), hex('11 09 0000 00'))).protocols, []);
});

test('MPLS label stack, then IPv4 or IPv6 by the first nibble', () => {
  const label = (value: number, bottom: boolean) => cat(u16(value >> 4), Uint8Array.of(((value & 15) << 4) | (bottom ? 1 : 0), 64));
  const v = decodeFrame(cat(eth(0x8847), label(100, false), label(200, true), ipUdp));
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'MPLS', 'L4_HEADER']);
  assert.equal(v.ipOffset, 22);
  const six = decodeFrame(cat(eth(0x8847), label(16, true), ipv6(17, 8), udp(5, 6, 0)));
  assert.deepEqual(six.protocols, ['IPV6', 'UDP', 'MPLS', 'L4_HEADER']);
  // Bottom label 13 (G-ACh) or 14 (OAM alert): Wireshark does not look for IP behind them.
  assert.deepEqual(decodeFrame(cat(eth(0x8847), label(14, true), ipUdp)).protocols, ['MPLS']);
  assert.deepEqual(decodeFrame(cat(eth(0x8847), label(13, true), ipUdp)).protocols, ['MPLS']);
  assert.deepEqual(decodeFrame(cat(eth(0x8847), label(14, false), label(20, true), ipUdp)).protocols, ['IPV4', 'UDP', 'MPLS', 'L4_HEADER']);
  // A label entry needs all 4 bytes.
  assert.deepEqual(decodeFrame(cat(eth(0x8847), hex('000641')), 1, 60).protocols, []);
});

test('ARP counts from its hardware type on; ATM ARP only when all its addresses are there', () => {
  const arp = hex('0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002');
  assert.deepEqual(decodeFrame(cat(eth(0x0806), arp)).protocols, ['ARP']);
  assert.deepEqual(decodeFrame(cat(eth(0x0806), arp.subarray(0, 2)), 1, 42).protocols, ['ARP']);
  assert.deepEqual(decodeFrame(cat(eth(0x0806), arp.subarray(0, 1)), 1, 42).protocols, []);
  // ATM ARP header: hrd, pro, shtl, sstl, op, spln, thtl, tstl, tpln; then the addresses.
  const atm = hex('0013 0800 14 00 0001 04 00 00 04 | 3900000000000000000000000000000000000001 | 0a000001 | 0a000002');
  assert.deepEqual(decodeFrame(cat(eth(0x0806), atm)).protocols, ['ARP']);
  // As in tcpdump's arp-oobr.pcap: the lengths announce more than the frame holds.
  assert.deepEqual(decodeFrame(cat(eth(0x0806), hex('0013 0800 06 04 0001 00 1f 29 da'), new Uint8Array(34))).protocols, []);
});

test('Cisco MetaData after Ethernet: version, length, option, SGT, then the EtherType', () => {
  const v = decodeFrame(cat(eth(0x8909), hex('01 01 0001 0000'), u16(0x0800), ipUdp));
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 22);
});

test('frames shorter than an Ethernet header decode to nothing', () => {
  assert.deepEqual(decodeFrame(hex('02 00 00 00 00 02 02 00 00 00 00 01 08'), 1, 60).protocols, []);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  const q = cat(u16(5), u16(0x0800));
  const frames = [
    cat(eth(0x0800), ipv4(6, 24), tcp(1, 2, { options: hex('020405b4') })),
    cat(eth(0x8100), q, ipUdp),
    cat(eth(0x88a8), cat(u16(1), u16(0x8100)), q, ipUdp),
    cat(eth(0x8864), hex('11 00 0001'), u16(ipUdp.length + 2), hex('0021'), ipUdp),
    cat(eth(0x8847), hex('00064000 000c8140'), ipUdp),
    cat(hex('02 00 00 00 00 02 02 00 00 00 00 01'), u16(ipUdp.length + 8), hex('aa aa 03 000000 0800'), ipUdp),
    cat(eth(0x0806), hex('0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002')),
  ];
  for (const f of frames) assertTruncationSafe(f);
});
