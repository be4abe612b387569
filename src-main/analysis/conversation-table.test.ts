import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecodedBatch, NO_OFFSET, ProtoBit } from '../ingest/decoded-batch.js';
import { createRawBatch } from '../ingest/raw-batch.js';
import { ConversationTable } from './conversation-table.js';
import { formatIpv6 } from './format-endpoint.js';
import { topConversations } from './top-conversations.js';

const SYN = 0x02;
const ACK = 0x10;

/** One hand-made layer: addresses as byte arrays (4 or 16), ports, TCP fields. */
interface Pkt {
  src: number[];
  dst: number[];
  sport: number;
  dport: number;
  proto?: 6 | 17;
  flags?: number;
  seq?: number;
  ack?: number;
  len?: number;
  sec?: number;
  /** Outer UDP layer (a tunnel) carried before this one. */
  outer?: { src: number[]; dst: number[]; sport: number; dport: number };
}

/** Writes an IP header stub holding just the addresses at their RFC 791 / 8200 offsets. */
function ipStub(src: number[], dst: number[]): number[] {
  if (src.length === 4) return [0x45, ...new Array<number>(11).fill(0), ...src, ...dst];
  return [0x60, ...new Array<number>(7).fill(0), ...src, ...dst];
}

/** Builds a RawBatch + DecodedBatch the way the decoder would report these packets. */
function batch(pkts: Pkt[]) {
  const raw = createRawBatch(pkts.length);
  const dec = createDecodedBatch(pkts.length);
  const bytes: number[] = [];
  pkts.forEach((p, i) => {
    raw.offset[i] = bytes.length;
    if (p.outer) {
      const ol = dec.layers;
      const k = ol.count++;
      ol.packetIndex[k] = i;
      ol.ipVersion[k] = p.outer.src.length === 4 ? 4 : 6;
      ol.ipOffset[k] = bytes.length;
      ol.ipProto[k] = 17;
      ol.srcPort[k] = p.outer.sport;
      ol.dstPort[k] = p.outer.dport;
      bytes.push(...ipStub(p.outer.src, p.outer.dst));
    }
    dec.ipVersion[i] = p.src.length === 4 ? 4 : 6;
    dec.ipOffset[i] = bytes.length;
    bytes.push(...ipStub(p.src, p.dst));
    dec.ipProto[i] = p.proto ?? 6;
    dec.protoMask[i] = ProtoBit.L4_HEADER;
    dec.l4Offset[i] = bytes.length;
    dec.srcPort[i] = p.sport;
    dec.dstPort[i] = p.dport;
    dec.tcpFlags[i] = p.flags ?? ACK;
    dec.tcpSeq[i] = p.seq ?? 1000;
    dec.tcpAck[i] = p.ack ?? 0;
    raw.caplen[i] = bytes.length - raw.offset[i]!;
    raw.wirelen[i] = p.len ?? 60;
    raw.tsSec[i] = p.sec ?? 1000 + i;
    raw.tsNsec[i] = 0;
  });
  raw.count = pkts.length;
  dec.count = pkts.length;
  raw.data = Uint8Array.from(bytes);
  return { raw, dec };
}

function run(pkts: Pkt[], table = new ConversationTable(16)): ConversationTable {
  const { raw, dec } = batch(pkts);
  table.addBatch(raw, dec);
  return table;
}

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];

test('a UDP pair is one conversation whichever way packets go', () => {
  const t = run([
    { src: A, dst: B, sport: 5000, dport: 53, proto: 17, len: 70, sec: 5 },
    { src: B, dst: A, sport: 53, dport: 5000, proto: 17, len: 130, sec: 3 },
    { src: A, dst: B, sport: 5001, dport: 53, proto: 17, len: 70, sec: 9 },
  ]);
  assert.equal(t.udpCount, 2);
  assert.equal(t.tcpCount, 0);
  assert.equal(t.totalPackets(0), 2);
  assert.equal(t.totalBytes(0), 200);
  assert.deepEqual([t.bytes(0, 0), t.bytes(0, 1)], [70, 130]);
  assert.deepEqual([t.packets(0, 0), t.packets(0, 1)], [1, 1]);
  assert.deepEqual(t.firstTime(0), [3, 0], 'first time is the minimum, not the first in file order');
  assert.deepEqual(t.lastTime(0), [5, 0]);
  const [top] = topConversations(t, 1);
  assert.deepEqual(top, { proto: 'udp', a: '10.0.0.1:5000', b: '10.0.0.2:53', packets: 2, bytes: 200 });
});

test('TCP and UDP on the same pair are different conversations', () => {
  const t = run([
    { src: A, dst: B, sport: 7, dport: 7, proto: 17 },
    { src: A, dst: B, sport: 7, dport: 7, proto: 6 },
  ]);
  assert.equal(t.udpCount, 1);
  assert.equal(t.tcpCount, 1);
});

test('a SYN with a new ISN on a used pair starts a new TCP stream (port reuse)', () => {
  const t = run([
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 100 },
    { src: B, dst: A, sport: 80, dport: 40000, flags: SYN | ACK, seq: 900, ack: 101 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: ACK, seq: 101, ack: 901 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 100 }, // retransmission
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 5000 }, // reuse
    { src: B, dst: A, sport: 80, dport: 40000, flags: SYN | ACK, seq: 7000, ack: 5001 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 5000 }, // retransmission
  ]);
  assert.equal(t.tcpCount, 2);
  assert.equal(t.totalPackets(0), 4);
  assert.equal(t.totalPackets(1), 3);
});

test('a SYN from the side that only acknowledged so far is checked against ack − 1', () => {
  // Mid-stream start: B→A data acks A's bytes; A's base becomes ack − 1 = 499.
  const t = run([
    { src: B, dst: A, sport: 80, dport: 40000, flags: ACK, seq: 10, ack: 500 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 499 }, // same ISN: same stream
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 77 }, // another ISN: new stream
  ]);
  assert.equal(t.tcpCount, 2);
});

test('a first non-SYN segment sets its direction base to seq − 1', () => {
  const t = run([
    { src: A, dst: B, sport: 40000, dport: 80, flags: ACK, seq: 1000, ack: 1 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 999 },
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 1000 },
  ]);
  assert.equal(t.tcpCount, 2);
});

test('a SYN in a direction with no base yet does not split (SYN scan answered by RST)', () => {
  const t = run([
    { src: B, dst: A, sport: 80, dport: 40000, flags: 0x04, seq: 0 }, // RST without ACK
    { src: A, dst: B, sport: 40000, dport: 80, flags: SYN, seq: 5 },
  ]);
  assert.equal(t.tcpCount, 1);
});

test('IPv6 pairs are keyed on all 16 address bytes and printed in brackets', () => {
  const x = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
  const y = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2];
  const z = [0x20, 0x01, 0x0d, 0xb9, ...new Array<number>(11).fill(0), 2];
  const t = run([
    { src: y, dst: x, sport: 443, dport: 50000, proto: 17, len: 100 },
    { src: x, dst: y, sport: 50000, dport: 443, proto: 17, len: 100 },
    { src: x, dst: z, sport: 50000, dport: 443, proto: 17 },
  ]);
  assert.equal(t.udpCount, 2);
  const [top] = topConversations(t, 1);
  assert.deepEqual(top, { proto: 'udp', a: '[2001:db8::2]:443', b: '[2001:db8::1]:50000', packets: 2, bytes: 200 });
});

test('tunnel layers count as conversations of their own', () => {
  const outer = { src: [192, 168, 0, 1], dst: [192, 168, 0, 2], sport: 33000, dport: 4789 };
  const t = run([
    { src: A, dst: B, sport: 40000, dport: 443, flags: SYN, seq: 1, outer },
    { src: A, dst: B, sport: 53000, dport: 53, proto: 17, outer },
  ]);
  assert.equal(t.tcpCount, 1);
  assert.equal(t.udpCount, 2);
  assert.equal(t.totalPackets(0), 2, 'the outer UDP pair, created first, carried both frames');
  // Stream grouping: the outer pair is the innermost UDP only of the frame carrying TCP.
  assert.equal(t.streamPackets(0), 1);
  const top = topConversations(t, 5);
  assert.deepEqual(top.map((r) => [r.proto, r.a, r.packets]), [
    ['udp', '192.168.0.1:33000', 1], ['tcp', '10.0.0.1:40000', 1], ['udp', '10.0.0.1:53000', 1],
  ]);
});

test('a fragment without a transport header is not counted; a reassembled datagram is', () => {
  const { raw, dec } = batch([
    { src: A, dst: B, sport: 0, dport: 0, proto: 17 },
    { src: A, dst: B, sport: 9000, dport: 53, proto: 17 },
  ]);
  dec.l4Offset[0] = NO_OFFSET;
  dec.protoMask[0] = ProtoBit.IPV4 | ProtoBit.IPV4_FRAGMENT;
  // The completing frame's offsets point into the reassembled copy, not the raw bytes.
  dec.protoMask[1] = ProtoBit.IPV4 | ProtoBit.UDP | ProtoBit.L4_HEADER | ProtoBit.REASSEMBLED;
  dec.reassembled.data = Uint8Array.from([0xee, ...ipStub([192, 0, 2, 1], [192, 0, 2, 2])]);
  dec.reassembled.length = dec.reassembled.data.length;
  dec.ipOffset[1] = 1;
  raw.data.fill(0xff, raw.offset[1]);
  const t = new ConversationTable();
  t.addBatch(raw, dec);
  assert.equal(t.size, 1);
  assert.equal(topConversations(t, 1)[0]?.a, '192.0.2.1:9000');
});

test('the table grows by rehash and keeps finding old keys', () => {
  const n = 100_000;
  const pkts: Pkt[] = [];
  for (let i = 0; i < n; i++) {
    pkts.push({ src: [10, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff], dst: [8, 8, 8, 8], sport: 1024 + (i % 7), dport: 53, proto: 17, len: 100 });
  }
  const t = new ConversationTable(16);
  run(pkts, t);
  run(pkts, t);
  assert.equal(t.udpCount, n);
  assert.equal(t.size, n);
  assert.equal(t.totalPackets(n - 1), 2);
  assert.equal(t.totalBytes(12345), 200);
});

test('top conversations sort by bytes, older first on a tie', () => {
  const t = run([
    { src: A, dst: B, sport: 1, dport: 80, proto: 17, len: 100 },
    { src: A, dst: B, sport: 2, dport: 80, proto: 17, len: 300 },
    { src: A, dst: B, sport: 3, dport: 80, proto: 17, len: 100 },
    { src: A, dst: B, sport: 4, dport: 80, proto: 17, len: 200 },
  ]);
  const top = topConversations(t, 3);
  assert.deepEqual(top.map((r) => r.a), ['10.0.0.1:2', '10.0.0.1:4', '10.0.0.1:1']);
});

test('IPv6 text follows RFC 5952', () => {
  assert.equal(formatIpv6([0x20010db8, 0, 0, 1]), '2001:db8::1');
  assert.equal(formatIpv6([0, 0, 0, 1]), '::1');
  assert.equal(formatIpv6([0, 0, 0, 0]), '::');
  assert.equal(formatIpv6([0x20010db8, 0x00000001, 0x00000001, 0x00010001]), '2001:db8:0:1:0:1:1:1');
  assert.equal(formatIpv6([0x20010db8, 0, 0x00010000, 0]), '2001:db8:0:0:1::');
  assert.equal(formatIpv6([0xfe800000, 0, 0x021122ff, 0xfe334455]), 'fe80::211:22ff:fe33:4455');
  assert.equal(formatIpv6([0, 0, 0xffff, 0xc0a80001]), '::ffff:192.168.0.1');
  assert.equal(formatIpv6([0x0064ff9b, 0, 0, 0x9765798c]), '64:ff9b::9765:798c');
});
