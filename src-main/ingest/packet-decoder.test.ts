import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, decodeFrame, decodeFrames, eth, hex, ipv4, ipv6, payload, rawBatchOf, tcp, udp, viewOf } from '../../test/decode-harness.js';
import { createDecodedBatch, NO_OFFSET, ProtoBit } from './decoded-batch.js';
import { LinkType } from './link-types.js';
import { PacketDecoder } from './packet-decoder.js';

const ip4 = cat(ipv4(17, 8), udp(1, 2, 0));

test('unknown link types are flagged, never fatal; vsock is known but carries no IP', () => {
  const v = decodeFrame(ip4, 182);
  assert.deepEqual(v.protocols, ['UNKNOWN_LINK']);
  assert.equal(v.ipOffset, -1);
  assert.deepEqual(decodeFrame(hex('0300000000000000 0200000000000000'), LinkType.VSOCK).protocols, []);
  assert.deepEqual(decodeFrame(ip4, 0xffffffff).protocols, ['UNKNOWN_LINK']);
});

test('raw IP link types: by version nibble (101, 12, 14) or fixed (228, 229)', () => {
  for (const lt of [LinkType.RAW, 12, 14, LinkType.IPV4]) {
    assert.deepEqual(decodeFrame(ip4, lt).protocols, ['IPV4', 'UDP', 'L4_HEADER'], `linktype ${lt}`);
  }
  const six = cat(ipv6(17, 8), udp(1, 2, 0));
  assert.deepEqual(decodeFrame(six, LinkType.RAW).protocols, ['IPV6', 'UDP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(six, LinkType.IPV6).protocols, ['IPV6', 'UDP', 'L4_HEADER']);
  assert.deepEqual(decodeFrame(hex('ff'), LinkType.RAW).protocols, []);
});

test('a batch mixes link types; every field is reset between packets', () => {
  const { views, out } = decodeFrames([
    { bytes: cat(eth(0x0800), ipv4(6, 20), tcp(1, 2, { seq: 99 })) },
    { bytes: cat(hex('02000000'), ip4), linkType: LinkType.NULL },
    { bytes: cat(eth(0x0806), hex('0001 0800 06 04 0001')) },
  ]);
  assert.equal(out.count, 3);
  assert.equal(views[0]!.tcpSeq, 99);
  assert.equal(views[1]!.ipOffset, 4);
  assert.equal(views[1]!.tcpSeq, 0);
  assert.deepEqual(views[2]!.protocols, ['ARP']);
  assert.equal(out.ipOffset[2], NO_OFFSET);
  assert.equal(out.l4Offset[2], NO_OFFSET);
  assert.equal(out.ipVersion[2], 0);
});

test('the decoded batch must be large enough', () => {
  const raw = rawBatchOf([{ bytes: ip4, linkType: LinkType.RAW }, { bytes: ip4, linkType: LinkType.RAW }]);
  assert.throws(() => new PacketDecoder().decode(raw, createDecodedBatch(1)), RangeError);
});

test('a record claiming more captured bytes than its batch holds is read only up to the data', () => {
  const raw = rawBatchOf([{ bytes: cat(eth(0x0800), ip4) }], 0);
  raw.caplen[0] = 1000;
  raw.wirelen[0] = 1000;
  const out = createDecodedBatch(1);
  new PacketDecoder().decode(raw, out);
  assert.equal(out.protoMask[0]! & ProtoBit.UDP, ProtoBit.UDP);
});

test('reassembly state lives across batches; reset() forgets it', () => {
  const datagram = cat(udp(6000, 53, 2000), payload(2000));
  const first = cat(eth(0x0800), ipv4(17, 1480, { flagsFrag: 0x2000 }), datagram.subarray(0, 1480));
  const last = cat(eth(0x0800), ipv4(17, datagram.length - 1480, { flagsFrag: 1480 >> 3 }), datagram.subarray(1480));
  const decoder = new PacketDecoder();
  decodeFrames([{ bytes: first }], decoder);
  assert.equal(decoder.pendingReassemblies, 1);
  const done = decodeFrames([{ bytes: last }], decoder).views[0]!;
  assert.equal(done.srcPort, 6000);
  assert.equal(decoder.pendingReassemblies, 0);
  decodeFrames([{ bytes: first }], decoder);
  decoder.reset();
  assert.equal(decodeFrames([{ bytes: last }], decoder).views[0]!.srcPort, 0);
});

test('a reassembled copy is per batch and grows as needed', () => {
  const decoder = new PacketDecoder();
  const frames = [];
  for (let id = 1; id <= 40; id++) {
    const datagram = cat(udp(1000 + id, 53, 3000), payload(3000));
    frames.push({ bytes: cat(eth(0x0800), ipv4(17, 1480, { id, flagsFrag: 0x2000 }), datagram.subarray(0, 1480)) });
    frames.push({ bytes: cat(eth(0x0800), ipv4(17, datagram.length - 1480, { id, flagsFrag: 1480 >> 3 }), datagram.subarray(1480)) });
  }
  const raw = rawBatchOf(frames);
  const out = createDecodedBatch(frames.length);
  decoder.decode(raw, out);
  for (let k = 0; k < 40; k++) {
    const i = 2 * k + 1;
    assert.ok(out.protoMask[i]! & ProtoBit.REASSEMBLED);
    assert.equal(out.srcPort[i], 1001 + k);
    const l4 = out.l4Offset[i]!;
    assert.equal((out.reassembled.data[l4]! << 8) | out.reassembled.data[l4 + 1]!, 1001 + k);
  }
  assert.equal(viewOf(raw, out, 0).srcPort, 0);
});
