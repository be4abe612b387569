import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, decodeFrames, eth, hex, ipv4, ipv6, payload, tcp, u16, u32, udp } from '../../test/decode-harness.js';

// Expected flags follow tshark 4.0 display filters on the same bytes.

test('IPv4 options move the transport header', () => {
  const v = decodeFrame(cat(eth(0x0800), ipv4(6, 20, { options: hex('94040000') }), tcp(80, 8080, { flags: 0x012 })));
  assert.equal(v.ipOffset, 14);
  assert.equal(v.l4Offset, 38);
  assert.equal(v.tcpFlags, 0x012);
});

test('IPv4 total length 0 is TSO ("BIG TCP"): the datagram runs to the end of the frame', () => {
  const frame = cat(eth(0x0800), ipv4(6, 0, { totalLength: 0 }), tcp(1, 2), payload(80000));
  const v = decodeFrame(frame);
  assert.deepEqual(v.protocols, ['IPV4', 'TCP', 'L4_HEADER']);
  assert.equal(v.payloadLength, 80000);
  // Cut by a snaplen: the wire length still gives the segment length.
  const cut = decodeFrame(frame.subarray(0, 100), 1, frame.length);
  assert.equal(cut.payloadLength, 80000);
});

test('IPv4 header oddities as Wireshark reads them', () => {
  // Header length below 20: "ip" and nothing more.
  assert.deepEqual(decodeFrame(cat(eth(0x0800), hex('44'), ipv4(6, 20).subarray(1), tcp(1, 2))).protocols, ['IPV4']);
  // Version 6 behind EtherType 0x0800: both "ip" and "ipv6".
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv6(17, 8), udp(1, 2, 0))).protocols, ['IPV4', 'IPV6', 'UDP', 'L4_HEADER']);
  // Another version: "ip" only.
  assert.deepEqual(decodeFrame(cat(eth(0x0800), hex('35000000'))).protocols, ['IPV4']);
  // Version 4 behind 0x86dd: "ipv6" only.
  assert.deepEqual(decodeFrame(cat(eth(0x86dd), ipv4(17, 8), udp(1, 2, 0))).protocols, ['IPV6']);
  // Total length below the header length: no fragment field, no payload.
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv4(17, 8, { totalLength: 10, flagsFrag: 0x2000 }), udp(1, 2, 0))).protocols, ['IPV4']);
  // One captured byte is enough for "ip".
  assert.deepEqual(decodeFrame(cat(eth(0x0800), hex('45')), 1, 60).protocols, ['IPV4']);
});

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH', () => {
  const hbh = hex('2b 00 0104 00000000'); // next: routing; PadN
  const routing = hex('3c 00 00 00 00000000'); // next: destination options
  const dst = hex('33 00 0104 00000000'); // next: AH
  const ah = cat(hex('06 04 0000'), u32(0x100), u32(1), new Uint8Array(12)); // (4 + 2) × 4 bytes
  const chain = cat(hbh, routing, dst, ah);
  const v = decodeFrame(cat(eth(0x86dd), ipv6(0, chain.length + 20), chain, tcp(22, 5000)));
  assert.deepEqual(v.protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  assert.equal(v.ipProto, 6);
  assert.equal(v.l4Offset, 14 + 40 + chain.length);
  // An extension header cut short: IPv6 only; the primary protocol stays the header's.
  const cut = decodeFrame(cat(eth(0x86dd), ipv6(0, 40), hbh.subarray(0, 1)), 1, 100);
  assert.deepEqual(cut.protocols, ['IPV6']);
  assert.equal(cut.ipProto, 0);
});

test('IPv6 jumbogram: payload length 0 and the Jumbo Payload option', () => {
  const hbh = hex('06 00 c2 04'), jumbo = u32(8 + 20 + 70000);
  const v = decodeFrame(cat(eth(0x86dd), ipv6(0, 0), hbh, jumbo, tcp(1, 2), payload(70000)));
  assert.deepEqual(v.protocols, ['IPV6', 'TCP', 'L4_HEADER']);
  assert.equal(v.payloadLength, 70000);
});

test('IPv6 needs its 40-byte header for anything after it', () => {
  assert.deepEqual(decodeFrame(cat(eth(0x86dd), ipv6(17, 8).subarray(0, 39)), 1, 100).protocols, ['IPV6']);
  assert.deepEqual(decodeFrame(cat(eth(0x86dd), hex('60')), 1, 100).protocols, ['IPV6']);
});

test('6in4 and IP-in-IP: the inner header is primary, both versions are flagged', () => {
  const v = decodeFrame(cat(eth(0x0800), ipv4(41, 40 + 20), ipv6(6, 20), tcp(1, 443)));
  assert.deepEqual(v.protocols, ['IPV4', 'IPV6', 'TCP', 'L4_HEADER']);
  assert.equal(v.ipVersion, 6);
  assert.equal(v.ipOffset, 34);
  assert.deepEqual(v.extras, []);
  const ipip = decodeFrame(cat(eth(0x0800), ipv4(4, 28), ipv4(17, 8, { src: '192.168.0.1' }), udp(1, 2, 0)));
  assert.equal(ipip.ipOffset, 34);
  assert.equal(ipip.ipProto, 17);
});

test('ICMP error: the quoted IP/UDP headers set flags but the ICMP message stays primary', () => {
  const quoted = cat(ipv4(17, 100, { src: '10.0.0.2', dst: '10.0.0.9' }), udp(5000, 53, 92));
  const v = decodeFrame(cat(eth(0x0800), ipv4(1, 8 + quoted.length), hex('03 03 0000 00000000'), quoted));
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'ICMP', 'L4_HEADER']);
  assert.equal(v.ipProto, 1);
  assert.equal(v.tcpFlags, 0x0303);
  assert.equal(v.srcPort, 0);
  assert.deepEqual(v.extras, []);
  // An echo request carries no quoted header.
  const echo = decodeFrame(cat(eth(0x0800), ipv4(1, 8 + quoted.length), hex('08 00 0000 00010001'), quoted));
  assert.deepEqual(echo.protocols, ['IPV4', 'ICMP', 'L4_HEADER']);
});

test('ICMPv6 error quoting TCP', () => {
  const quoted = cat(ipv6(6, 20), tcp(443, 50000).subarray(0, 8));
  const v = decodeFrame(cat(eth(0x86dd), ipv6(58, 8 + quoted.length), hex('01 04 0000 00000000'), quoted));
  assert.deepEqual(v.protocols, ['IPV6', 'TCP', 'ICMPV6', 'L4_HEADER']);
  assert.equal(v.ipProto, 58);
  assert.equal(v.tcpFlags, 0x0104);
});

/** A UDP datagram of `size` payload bytes cut into IPv4 fragments at the given byte offsets. */
function ipv4Fragments(size: number, cuts: number[], id = 0x4242): Uint8Array[] {
  const datagram = cat(udp(6000, 53, size), payload(size));
  const bounds = [0, ...cuts, datagram.length];
  const frames: Uint8Array[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k]!, to = bounds[k + 1]!;
    const more = to < datagram.length ? 0x2000 : 0;
    frames.push(cat(eth(0x0800), ipv4(17, to - from, { id, flagsFrag: more | (from >> 3) }), datagram.subarray(from, to)));
  }
  return frames;
}

test('IPv4 fragments: the frame completing the datagram reports its UDP header', () => {
  const frames = ipv4Fragments(3000, [1480, 2960]);
  const { views } = decodeFrames(frames.map((bytes) => ({ bytes })));
  assert.deepEqual(views.map((v) => v.protocols), [
    ['IPV4', 'IPV4_FRAGMENT'],
    ['IPV4', 'IPV4_FRAGMENT'],
    ['IPV4', 'UDP', 'IPV4_FRAGMENT', 'L4_HEADER', 'REASSEMBLED'],
  ]);
  const last = views[2]!;
  assert.equal(last.ipProto, 17);
  assert.equal(last.srcPort, 6000);
  assert.equal(last.dstPort, 53);
  assert.equal(last.payloadLength, 3000);
  // Offsets point into the copy: this frame's headers, then the datagram's first bytes.
  assert.equal(last.ipOffset, 14);
  assert.deepEqual(Array.from(last.bytes.subarray(last.l4Offset, last.l4Offset + 4)), [0x17, 0x70, 0x00, 0x35]);
  assert.equal(last.bytes[last.ipOffset + 12], 10);
  assert.equal(views[0]!.ipProto, 17);
  assert.equal(views[0]!.l4Offset, -1);
});

test('IPv4 fragments out of order, duplicated, and a truncated first fragment', () => {
  const [a, b, c] = ipv4Fragments(3000, [1480, 2960]) as [Uint8Array, Uint8Array, Uint8Array];
  const shuffled = decodeFrames([{ bytes: c }, { bytes: b }, { bytes: c }, { bytes: a }]).views;
  assert.deepEqual(shuffled.map((v) => v.protocols.includes('UDP')), [false, false, false, true]);
  // A first fragment cut by the snaplen cannot be reassembled: Wireshark decodes it as is.
  const cut = decodeFrames([{ bytes: a.subarray(0, 60), wirelen: a.length }, { bytes: b }, { bytes: c }]).views;
  assert.deepEqual(cut.map((v) => v.protocols.includes('UDP')), [true, false, false]);
  assert.equal(cut[0]!.srcPort, 6000);
});

test('IPv6 fragments reassemble; an atomic fragment is decoded directly', () => {
  const datagram = cat(udp(7000, 8000, 2000), payload(2000));
  const frag = (from: number, to: number, more: boolean) => cat(eth(0x86dd), ipv6(44, 8 + to - from),
    hex('11 00'), u16(from | (more ? 1 : 0)), u32(0xabcdef01), datagram.subarray(from, to));
  const views = decodeFrames([{ bytes: frag(0, 1232, true) }, { bytes: frag(1232, datagram.length, false) }]).views;
  assert.deepEqual(views[0]!.protocols, ['IPV6', 'IPV6_FRAGMENT']);
  assert.deepEqual(views[1]!.protocols, ['IPV6', 'UDP', 'IPV6_FRAGMENT', 'L4_HEADER', 'REASSEMBLED']);
  assert.equal(views[1]!.srcPort, 7000);
  assert.equal(views[1]!.payloadLength, 2000);
  const atomic = decodeFrame(cat(eth(0x86dd), ipv6(44, 8 + 8), hex('11 00 0000'), u32(9), udp(1, 2, 0)));
  assert.deepEqual(atomic.protocols, ['IPV6', 'UDP', 'IPV6_FRAGMENT', 'L4_HEADER']);
});

test('a tunnel inside a reassembled datagram: inner layers are decoded from the copy', () => {
  // GRE/IPv4/UDP carried in two fragments of the outer IPv4 datagram.
  const inner = cat(hex('0000 0800'), ipv4(17, 8 + 600, { src: '172.16.0.1', dst: '172.16.0.2' }), udp(1111, 2222, 600), payload(600));
  const first = cat(eth(0x0800), ipv4(47, 400, { id: 7, flagsFrag: 0x2000 }), inner.subarray(0, 400));
  const second = cat(eth(0x0800), ipv4(47, inner.length - 400, { id: 7, flagsFrag: 400 >> 3 }), inner.subarray(400));
  const views = decodeFrames([{ bytes: first }, { bytes: second }]).views;
  assert.deepEqual(views[0]!.protocols, ['IPV4', 'IPV4_FRAGMENT']);
  const v = views[1]!;
  assert.deepEqual(v.protocols, ['IPV4', 'UDP', 'GRE', 'IPV4_FRAGMENT', 'L4_HEADER', 'REASSEMBLED']);
  assert.equal(v.srcPort, 1111);
  assert.deepEqual(Array.from(v.bytes.subarray(v.ipOffset + 12, v.ipOffset + 16)), [172, 16, 0, 1]);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  const quoted = cat(ipv4(17, 100), udp(5000, 53, 92));
  const frames = [
    cat(eth(0x0800), ipv4(6, 24, { options: hex('94040000') }), tcp(1, 2, { options: hex('01010101') })),
    cat(eth(0x86dd), ipv6(0, 16 + 8), hex('3c 00 0104 00000000'), hex('11 00 0104 00000000'), udp(1, 2, 0)),
    cat(eth(0x86dd), ipv6(0, 8 + 20), hex('06 00 c2 04'), u32(28), tcp(1, 2)),
    cat(eth(0x0800), ipv4(1, 8 + quoted.length), hex('0b 00 0000 00000000'), quoted),
    cat(eth(0x0800), ipv4(41, 48), ipv6(17, 8), udp(1, 2, 0)),
    cat(eth(0x86dd), ipv6(44, 16), hex('11 00 0000'), u32(9), udp(1, 2, 0)),
  ];
  for (const f of frames) assertTruncationSafe(f);
});
