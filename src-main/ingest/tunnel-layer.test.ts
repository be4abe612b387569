import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, decodeFrames, eth, hex, ipv4, ipv6, payload, tcp, u16, u32, udp } from '../../test/decode-harness.js';

// Expected flags follow tshark 4.0 display filters on the same bytes.

const innerTcp = cat(ipv4(6, 20, { src: '192.168.1.1', dst: '192.168.1.2' }), tcp(33000, 22));
const innerFrame = cat(eth(0x0800), innerTcp);

/** Outer Ethernet/IPv4/UDP around `body`. */
function overUdp(sport: number, dport: number, body: Uint8Array): Uint8Array {
  return cat(eth(0x0800), ipv4(17, 8 + body.length), udp(sport, dport, body.length), body);
}

/** Outer Ethernet/IPv4/GRE: flags and protocol, then `rest` (optional fields + payload). */
function overGre(flags: number, type: number, rest: Uint8Array): Uint8Array {
  return cat(eth(0x0800), ipv4(47, 4 + rest.length), u16(flags), u16(type), rest);
}

test('VXLAN: the inner TCP is primary, the outer UDP an extra layer', () => {
  const v = decodeFrame(overUdp(50000, 4789, cat(hex('08 000000 000064 00'), innerFrame)));
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'UDP', 'VXLAN', 'L4_HEADER']);
  assert.equal(v.ipOffset, 14 + 20 + 8 + 8 + 14);
  assert.equal(v.srcPort, 33000);
  assert.deepEqual(v.extras, [{ ipVersion: 4, ipOffset: 14, ipProto: 17, srcPort: 50000, dstPort: 4789 }]);
  // No VXLAN byte captured: "udp" only.
  assert.deepEqual(decodeFrame(overUdp(50000, 4789, cat(hex('08 000000 000064 00'), innerFrame)).subarray(0, 42), 1, 100).protocols, ['IPV4', 'UDP', 'L4_HEADER']);
});

test('Geneve with options, Ethernet payload; and with an IPv4 protocol type', () => {
  const options = hex('0102 0301 00000000');
  const v = decodeFrame(overUdp(40000, 6081, cat(hex('02 00 6558 000001 00'), options, innerFrame)));
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'UDP', 'GENEVE', 'L4_HEADER']);
  assert.equal(v.extras.length, 1);
  const ip = decodeFrame(overUdp(40000, 6081, cat(hex('00 00 0800 000001 00'), innerTcp)));
  assert.deepEqual(ip.protocols, ['IPV4', 'TCP', 'UDP', 'GENEVE', 'L4_HEADER']);
});

test('GTP-U G-PDU with an extension header carries an IP packet', () => {
  const inner = cat(ipv4(17, 8, { src: '10.9.9.9' }), udp(1, 2, 0));
  const gtp = cat(hex('34 ff'), u16(8 + inner.length), u32(0x1234), hex('0000 00 85'), hex('01 10 00 00'), inner);
  const v = decodeFrame(overUdp(2152, 2152, gtp));
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(v.ipOffset, 14 + 20 + 8 + 16);
  assert.deepEqual(v.extras.map((e) => e.dstPort), [2152]);
  // Not a G-PDU (echo request): nothing inside.
  assert.equal(decodeFrame(overUdp(2152, 2152, cat(hex('32 01 0004 00000000 0000 0000'), inner))).extras.length, 0);
});

test('UDP 4500: ESP unless the non-ESP marker (IKE) or a keepalive', () => {
  assert.deepEqual(decodeFrame(overUdp(4500, 4500, hex('00001234 00000001 aabbccdd'))).protocols, ['IPV4', 'UDP', 'ESP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(overUdp(4500, 4500, hex('00000000 aabbccdd'))).protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(overUdp(4500, 4500, hex('ff'))).protocols, ['IPV4', 'UDP', 'L4_HEADER']);
});

test('GRE: plain, key and sequence, checksum, transparent Ethernet bridging', () => {
  const ip = decodeFrame(overGre(0x0000, 0x0800, innerTcp));
  assert.deepEqual(ip.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
  assert.equal(ip.ipOffset, 14 + 20 + 4);
  assert.equal(decodeFrame(overGre(0x3000, 0x0800, cat(u32(7), u32(1), innerTcp))).ipOffset, 14 + 20 + 12);
  assert.equal(decodeFrame(overGre(0x8000, 0x0800, cat(u32(0), innerTcp))).ipOffset, 14 + 20 + 8);
  const bridged = decodeFrame(overGre(0x2000, 0x6558, cat(u32(1), innerFrame)));
  assert.deepEqual(bridged.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
  assert.equal(bridged.ipOffset, 14 + 20 + 8 + 14);
  // GRE needs its 4-byte base header.
  assert.deepEqual(decodeFrame(overGre(0, 0x0800, innerTcp).subarray(0, 37), 1, 100).protocols, ['IPV4']);
});

test('GRE routing (RFC 1701): source route entries up to the null one', () => {
  const sre = cat(hex('0800 00 04'), u32(0x0a000001), hex('0000 00 00'));
  const v = decodeFrame(overGre(0x4000, 0x0800, cat(u32(0), sre, innerTcp)));
  assert.equal(v.ipOffset, 14 + 20 + 4 + 4 + sre.length);
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
});

test('ERSPAN type II (sequence bit, 8-byte header) and type III (12 bytes)', () => {
  const two = decodeFrame(overGre(0x1000, 0x88be, cat(u32(1), hex('1064 0001 00000000'), innerFrame)));
  assert.deepEqual(two.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
  assert.equal(two.ipOffset, 14 + 20 + 8 + 8 + 14);
  const three = decodeFrame(overGre(0x1000, 0x22eb, cat(u32(1), hex('2064 0001 00000000 0000 0000'), innerFrame)));
  assert.equal(three.ipOffset, 14 + 20 + 8 + 12 + 14);
});

test('enhanced GRE (PPTP): key, sequence, acknowledgment, then PPP/IPv4', () => {
  const ppp = cat(hex('ff03 0021'), innerTcp);
  const v = decodeFrame(overGre(0x3081, 0x880b, cat(u16(ppp.length), u16(6), u32(1), u32(0), ppp)));
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
  assert.equal(v.ipOffset, 14 + 20 + 16 + 4);
  assert.deepEqual(decodeFrame(overGre(0x3001, 0x880b, cat(u16(8), u16(6), u32(1), hex('ff03 c021 01000004')))).protocols, ['IPV4', 'GRE']);
});

test('GRE inside GRE, and Cisco MetaData in GRE (EtherType first)', () => {
  const inner = cat(ipv4(47, 4 + innerTcp.length), hex('0000 0800'), innerTcp);
  const v = decodeFrame(overGre(0, 0x0800, inner));
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'GRE', 'L4_HEADER']);
  assert.equal(v.ipOffset, 14 + 20 + 4 + 20 + 4);
  const cmd = decodeFrame(overGre(0x2000, 0x8909, cat(u32(0x28), hex('0800 01 01 0001 0000'), innerTcp)));
  assert.equal(cmd.ipOffset, 14 + 20 + 8 + 8);
});

test('OpenFlow over TCP: the frames of packet-in and packet-out messages are decoded', () => {
  const frame = cat(eth(0x0800), ipv4(17, 8 + 4, { src: '192.168.1.1' }), udp(1234, 5678, 4), payload(4));
  const action = hex('0000 0010 fffffffd 0000 000000000000');
  const out13 = cat(hex('04 0d'), u16(24 + action.length + frame.length), u32(1), hex('ffffffff fffffffd'), u16(action.length), new Uint8Array(6), action, frame);
  const ofPort = (msg: Uint8Array, sport = 50000, dport = 6653) => cat(eth(0x0800), ipv4(6, 20 + msg.length), tcp(sport, dport), msg);
  const v = decodeFrame(ofPort(out13));
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'UDP', 'L4_HEADER']);
  assert.equal(v.srcPort, 1234);
  assert.deepEqual(v.extras.map((e) => [e.ipProto, e.srcPort]), [[6, 50000]]);
  // Legacy port 6633: as destination (Wireshark's heuristic), and as source (the reply
  // direction of a conversation the heuristic has marked).
  assert.equal(decodeFrame(ofPort(out13, 40000, 6633)).srcPort, 1234);
  assert.equal(decodeFrame(ofPort(out13, 6633, 40000)).srcPort, 1234);
  assert.equal(decodeFrame(ofPort(out13, 40000, 8080)).srcPort, 40000);
  const in10 = cat(hex('01 0a'), u16(18 + frame.length), u32(2), hex('ffffffff'), u16(frame.length), hex('0001 00 00'), frame);
  assert.equal(decodeFrame(ofPort(in10)).srcPort, 1234);
  // A 1.3 packet-in: match (type 1, length 4, padded to 8), 2 pad bytes, then the frame.
  const in13 = cat(hex('04 0a'), u16(34 + frame.length), u32(3), hex('ffffffff'), u16(frame.length), hex('00 00'), new Uint8Array(8), hex('0001 0004 00000000'), hex('0000'), frame);
  assert.equal(decodeFrame(ofPort(in13)).srcPort, 1234);
  // An echo request carries no frame.
  assert.equal(decodeFrame(ofPort(hex('04 02 0008 00000001'))).srcPort, 50000);
});

test('EtherIP carries an Ethernet frame', () => {
  const v = decodeFrame(cat(eth(0x0800), ipv4(97, 2 + innerFrame.length), hex('3000'), innerFrame));
  assert.equal(v.ipOffset, 14 + 20 + 2 + 14);
});

test('extra layers beyond the initial capacity: the list grows', () => {
  const frame = overUdp(50000, 4789, cat(hex('08 000000 000064 00'), innerFrame));
  const frames = Array.from({ length: 600 }, () => ({ bytes: frame }));
  const { out } = decodeFrames(frames);
  assert.equal(out.layers.count, 600);
  assert.equal(out.layers.packetIndex[599], 599);
  assert.equal(out.layers.dstPort[599], 4789);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  const ppp = cat(hex('ff03 0021'), innerTcp);
  const frames = [
    overUdp(50000, 4789, cat(hex('08 000000 000064 00'), innerFrame)),
    overUdp(40000, 6081, cat(hex('02 00 6558 000001 00'), hex('0102 0301 00000000'), innerFrame)),
    overUdp(2152, 2152, cat(hex('34 ff 0030 00001234 0000 00 85 01 10 00 00'), ipv6(17, 8), udp(1, 2, 0))),
    overGre(0x4000, 0x0800, cat(u32(0), hex('0800 00 04 0a000001 0000 00 00'), innerTcp)),
    overGre(0x3081, 0x880b, cat(u16(ppp.length), u16(6), u32(1), u32(0), ppp)),
    overGre(0x1000, 0x22eb, cat(u32(1), hex('2064 0001 00000000 0000 0001 00000000 00000000'), innerFrame)),
  ];
  for (const f of frames) assertTruncationSafe(f);
});
