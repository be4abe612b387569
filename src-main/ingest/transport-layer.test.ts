import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTruncationSafe, cat, decodeFrame, eth, hex, ipv4, ipv6, payload, tcp, udp } from '../../test/decode-harness.js';

// Minimum byte counts are tshark 4.0's: the display filter matches from that many captured bytes.

test('TCP: "tcp" from 4 captured bytes (ports), the rest only with the whole header', () => {
  const seg = tcp(1234, 80, { seq: 5, ack: 6, flags: 0x002, window: 1000 });
  const frame = (k: number) => decodeFrame(cat(eth(0x0800), ipv4(6, 20), seg.subarray(0, k)), 1, 54);
  assert.deepEqual(frame(3).protocols, ['IPV4']);
  const four = frame(4);
  assert.deepEqual(four.protocols, ['IPV4', 'TCP']);
  assert.equal(four.srcPort, 1234);
  assert.equal(four.l4Offset, -1);
  assert.equal(frame(19).l4Offset, -1);
  const full = frame(20);
  assert.deepEqual(full.protocols, ['IPV4', 'TCP', 'L4_HEADER']);
  assert.equal(full.tcpSeq, 5);
  assert.equal(full.tcpWindow, 1000);
});

test('TCP: the NS bit, a bogus data offset, options cut short', () => {
  assert.equal(decodeFrame(cat(eth(0x0800), ipv4(6, 20), tcp(1, 2, { flags: 0x1c2 }))).tcpFlags, 0x1c2);
  const bogus = decodeFrame(cat(eth(0x0800), ipv4(6, 20), tcp(1, 2, { dataOffset: 3 })));
  assert.deepEqual(bogus.protocols, ['IPV4', 'TCP']);
  assert.equal(bogus.l4Offset, -1);
  // Data offset 8 (12 option bytes) but the IP datagram ends after 20 bytes of TCP.
  const beyondIp = decodeFrame(cat(eth(0x0800), ipv4(6, 20), tcp(1, 2, { dataOffset: 8 }), new Uint8Array(12)));
  assert.equal(beyondIp.l4Offset, -1);
  const withOptions = decodeFrame(cat(eth(0x0800), ipv4(6, 24 + 3), tcp(1, 2, { options: hex('020405b4') }), payload(3)));
  assert.equal(withOptions.payloadOffset, 58);
  assert.equal(withOptions.payloadLength, 3);
});

test('UDP: "udp" from 4 bytes; a length below 8 is bogus; a length past the IP payload is kept', () => {
  const frame = (u: Uint8Array, n: number) => decodeFrame(cat(eth(0x0800), ipv4(17, n), u), 1, 14 + 20 + n);
  assert.deepEqual(frame(udp(1, 2, 4).subarray(0, 3), 12).protocols, ['IPV4']);
  assert.deepEqual(frame(udp(1, 2, 4).subarray(0, 4), 12).protocols, ['IPV4', 'UDP']);
  const zero = frame(cat(udp(1, 2, 4, 0), payload(4)), 12);
  assert.deepEqual(zero.protocols, ['IPV4', 'UDP']);
  assert.equal(zero.l4Offset, -1);
  const long = frame(cat(udp(1, 2, 4, 100), payload(4)), 12);
  assert.deepEqual(long.protocols, ['IPV4', 'UDP', 'L4_HEADER']);
  assert.equal(long.payloadLength, 4);
  const short = frame(cat(udp(1, 2, 2), payload(4)), 12);
  assert.equal(short.payloadLength, 2);
});

test('ICMP needs 6 bytes; ICMPv6 and ESP count with none captured', () => {
  const icmp = hex('08 00 0000 0001 0002');
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv4(1, 8), icmp.subarray(0, 5)), 1, 42).protocols, ['IPV4']);
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv4(1, 8), icmp.subarray(0, 6)), 1, 42).protocols, ['IPV4', 'ICMP']);
  const full = decodeFrame(cat(eth(0x0800), ipv4(1, 8), icmp));
  assert.deepEqual(full.protocols, ['IPV4', 'ICMP', 'L4_HEADER']);
  assert.equal(full.tcpFlags, 0x0800);
  assert.deepEqual(decodeFrame(cat(eth(0x86dd), ipv6(58, 8)), 1, 62).protocols, ['IPV6', 'ICMPV6']);
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv4(50, 16)), 1, 50).protocols, ['IPV4', 'ESP']);
});

test('SCTP needs its whole 12-byte common header', () => {
  const sctp = hex('0b59 0b59 00000000 00000000');
  assert.deepEqual(decodeFrame(cat(eth(0x0800), ipv4(132, 12), sctp.subarray(0, 11)), 1, 46).protocols, ['IPV4']);
  const v = decodeFrame(cat(eth(0x0800), ipv4(132, 16), sctp, hex('01000004')));
  assert.deepEqual(v.protocols, ['IPV4', 'SCTP', 'L4_HEADER']);
  assert.equal(v.srcPort, 2905);
  assert.equal(v.payloadLength, 4);
});

test('truncation at every byte: no throw, no read past the captured length', () => {
  const frames = [
    cat(eth(0x0800), ipv4(6, 32 + 4), tcp(1, 2, { options: hex('0101080a0000000100000002') }), payload(4)),
    cat(eth(0x86dd), ipv6(17, 12), udp(1, 2, 4), payload(4)),
    cat(eth(0x0800), ipv4(132, 16), hex('0b59 0b59 00000000 00000000 01000004')),
    cat(eth(0x86dd), ipv6(58, 8), hex('80 00 0000 00010001')),
  ];
  for (const f of frames) assertTruncationSafe(f);
});
