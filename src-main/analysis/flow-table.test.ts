import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowTable } from './flow-table.js';
import type { FlowTableOptions } from './flow-table.js';
import { createPacketAnnotations, LatencyKind, NO_FLOW } from './packet-annotations.js';
import type { PacketAnnotations } from './packet-annotations.js';
import type { FlowRecord } from '../../src-shared/flow-record.js';
import { buildBatch, clientHello, dnsMessage } from '../../test/flow-batch-builder.js';
import type { PacketSpec } from '../../test/flow-batch-builder.js';

const C = '10.0.0.2';
const S = '93.184.216.34';
const T0 = 1_700_000_000;

/** Runs packets through a fresh table (in batches of `batch`), then flushes it. */
function run(packets: PacketSpec[], options: FlowTableOptions = {}, batch = packets.length) {
  const records: FlowRecord[] = [];
  const table = new FlowTable((r) => records.push(r), options);
  const anns: PacketAnnotations[] = [];
  for (let k = 0; k < packets.length; k += batch) {
    const { raw, dec } = buildBatch(packets.slice(k, k + batch));
    const ann = createPacketAnnotations(raw.count);
    table.process(raw, dec, ann);
    anns.push(ann);
  }
  const live = table.liveFlows;
  table.flushAll();
  const at = (i: number) => {
    const ann = anns[Math.floor(i / batch)]!;
    const j = i % batch;
    return {
      slot: ann.flowSlot[j]!,
      newFlow: ann.newFlow[j]!,
      ackRtt: ann.ackRtt[j]!,
      handshakeRtt: ann.handshakeRtt[j]!,
      latency: ann.latency[j]!,
      latencyKind: ann.latencyKind[j]!,
    };
  };
  return { records, at, stats: table.captureStats(), live };
}

/** A complete TCP connection: handshake, one request, one response, FIN/FIN, last ACK. */
function connection(sport: number, start: number): PacketSpec[] {
  const c = { src: C, dst: S, sport, dport: 443 };
  const s = { src: S, dst: C, sport: 443, dport: sport };
  return [
    { ...c, sec: start, flags: 'S', seq: 1000 },
    { ...s, sec: start, ns: 20_000_000, flags: 'SA', seq: 5000, ack: 1001 },
    { ...c, sec: start, ns: 45_000_000, flags: 'A', seq: 1001, ack: 5001 },
    { ...c, sec: start, ns: 50_000_000, flags: 'PA', seq: 1001, ack: 5001, payload: 100 },
    { ...s, sec: start, ns: 80_000_000, flags: 'PA', seq: 5001, ack: 1101, payload: 1000 },
    { ...c, sec: start, ns: 90_000_000, flags: 'FA', seq: 1101, ack: 6001 },
    { ...s, sec: start, ns: 120_000_000, flags: 'FA', seq: 6001, ack: 1102 },
    { ...c, sec: start, ns: 130_000_000, flags: 'A', seq: 1102, ack: 6002 },
  ];
}

test('a TCP connection gives one record with Wireshark RTTs and closes on the last ACK', () => {
  const { records, at, stats, live } = run(connection(40000, T0));
  assert.equal(live, 0, 'closed by the ACK of the second FIN, before the flush');
  assert.equal(records.length, 1);
  const r = records[0]!;
  assert.equal(r.end_reason, 'fin');
  assert.equal(r.segment, 0);
  assert.deepEqual([r.client_addr, r.client_port, r.server_addr, r.server_port], [C, 40000, S, 443]);
  assert.equal(r.proto, 6);
  assert.equal(r.ip_version, 4);
  assert.equal(r.fwd_packets, 5);
  assert.equal(r.bwd_packets, 3);
  assert.equal(r.first_ts, T0);
  assert.ok(Math.abs(r.duration - 0.13) < 1e-9);
  assert.equal(r.syn_count, 2);
  assert.equal(r.fin_count, 2);
  assert.equal(r.ack_count, 7);
  assert.equal(r.psh_count, 2);
  assert.equal(r.handshake_rtt, 0.045);
  assert.equal(r.fwd_header_bytes, 5 * 40);
  assert.equal(r.early_packets.length, 8);
  assert.deepEqual(r.early_packets[1], [54, -1, 0.02]);
  // ack_rtt as tshark: SYN/ACK acks the SYN (20 ms), the ACK acks the SYN/ACK (25 ms), the
  // response acks the request (30 ms), the client FIN acks the response (10 ms), the server
  // FIN acks the client FIN (30 ms), the last ACK acks the server FIN (10 ms).
  const rtts = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => at(i).ackRtt);
  assert.deepEqual(rtts.map((x) => (Number.isNaN(x) ? null : x)), [null, 0.02, 0.025, null, 0.03, 0.01, 0.03, 0.01]);
  assert.equal(at(2).handshakeRtt, 0.045);
  assert.equal(at(4).latency, 0.03);
  assert.equal(at(4).latencyKind, LatencyKind.TCP_REQUEST_RESPONSE);
  assert.equal(at(0).newFlow, 1);
  assert.equal(at(1).newFlow, 0);
  assert.equal(at(7).slot, at(0).slot);
  assert.equal(stats.ack_rtt.count, 6);
  assert.equal(stats.handshake_rtt.count, 1);
  assert.equal(stats.tcp_latency.count, 1);
});

test('the client is the SYN sender even when the server is the lower address', () => {
  const { records } = run([
    { sec: T0, src: S, dst: '1.1.1.1', sport: 5555, dport: 80, flags: 'S', seq: 1 },
    { sec: T0 + 1, src: '1.1.1.1', dst: S, sport: 80, dport: 5555, flags: 'SA', seq: 9, ack: 2 },
  ]);
  assert.equal(records[0]!.client_addr, S);
  assert.equal(records[0]!.server_port, 80);
});

test('a flow seen from its SYN/ACK takes the SYN/ACK receiver as client', () => {
  const { records } = run([
    { sec: T0, src: S, dst: C, sport: 443, dport: 40001, flags: 'SA', seq: 9, ack: 2 },
    { sec: T0 + 1, src: C, dst: S, sport: 40001, dport: 443, flags: 'A', seq: 2, ack: 10 },
  ]);
  assert.equal(records[0]!.client_addr, C);
  assert.equal(records[0]!.fwd_packets, 1);
});

test('without a SYN the first packet\'s source is the client, and no TCP latency is guessed', () => {
  const { records, stats } = run([
    { sec: T0, src: S, dst: C, sport: 443, dport: 40002, flags: 'PA', seq: 9, ack: 2, payload: 10 },
    { sec: T0 + 1, src: C, dst: S, sport: 40002, dport: 443, flags: 'PA', seq: 2, ack: 19, payload: 10 },
  ]);
  assert.equal(records[0]!.client_addr, S);
  assert.equal(stats.tcp_latency.count, 0);
  assert.equal(records[0]!.handshake_rtt, null);
});

test('idle timeouts split flows by packet time: 300 s for TCP, 120 s for UDP', () => {
  const udp = (sec: number): PacketSpec => ({ sec, src: C, dst: S, proto: 'udp', sport: 5000, dport: 6000, payload: 4 });
  const tcp = (sec: number): PacketSpec => ({ sec, src: C, dst: S, sport: 5000, dport: 6000, flags: 'A', seq: 1, ack: 1 });
  const u = run([udp(T0), udp(T0 + 119), udp(T0 + 240)]);
  const t = run([tcp(T0), tcp(T0 + 299), tcp(T0 + 600)]);
  assert.deepEqual(u.records.map((r) => [r.fwd_packets, r.end_reason]), [[2, 'idle'], [1, 'end_of_capture']]);
  assert.deepEqual(t.records.map((r) => [r.fwd_packets, r.end_reason]), [[2, 'idle'], [1, 'end_of_capture']]);
  assert.equal(u.at(2).newFlow, 1);
  assert.equal(t.at(2).newFlow, 1);
});

test('the sweep ends idle flows while other traffic goes on (memory follows live flows)', () => {
  const packets: PacketSpec[] = [];
  for (let k = 0; k < 2000; k++) {
    packets.push({ sec: T0 + k, src: C, dst: S, proto: 'udp', sport: 10000 + k, dport: 53, payload: 0 });
  }
  const { records, live } = run(packets, {}, 256);
  assert.equal(records.length, 2000);
  // One new flow per second: the 120 s idle timeout plus the sweep spacing (5 s of packet
  // time and a quarter of the slots in packets) bound the table at about 160 flows.
  assert.ok(live <= 170, `live flows ${live}`);
  assert.ok(records.slice(0, 1800).every((r) => r.end_reason === 'idle'));
});

test('slots are reused after flows end, first freed first', () => {
  const packets: PacketSpec[] = [];
  for (let k = 0; k < 50; k++) packets.push(...connection(30000 + k, T0 + k));
  const { at } = run(packets, {}, 64);
  const slots = new Set<number>();
  for (let i = 0; i < packets.length; i++) slots.add(at(i).slot);
  assert.ok(slots.size <= 2, `${slots.size} slots for 50 sequential connections`);
});

test('the active timeout emits interim records numbered by segment in the same slot', () => {
  const packets: PacketSpec[] = [];
  for (let s = 0; s <= 4000; s += 100) packets.push({ sec: T0 + s, src: C, dst: S, proto: 'udp', sport: 1, dport: 2, payload: 1 });
  const { records, at } = run(packets, { activeTimeout: 1800 });
  assert.deepEqual(records.map((r) => [r.segment, r.end_reason, r.fwd_packets]), [
    [0, 'active_timeout', 19],
    [1, 'active_timeout', 19],
    [2, 'end_of_capture', 3],
  ]);
  assert.equal(records[1]!.first_ts, T0 + 1900);
  assert.equal(at(0).slot, at(packets.length - 1).slot);
  assert.equal(packets.map((_, i) => at(i).newFlow).reduce((a, b) => a + b), 1);
});

test('a RST closes after a linger that absorbs stragglers; a new SYN after it is a new flow', () => {
  const c = { src: C, dst: S, sport: 40010, dport: 80 };
  const s = { src: S, dst: C, sport: 80, dport: 40010 };
  const { records } = run([
    { ...c, sec: T0, flags: 'S', seq: 100 },
    { ...s, sec: T0, ns: 1e7, flags: 'RA', seq: 0, ack: 101 },
    { ...s, sec: T0 + 1, flags: 'R', seq: 0 },
    { ...c, sec: T0 + 10, flags: 'S', seq: 100 },
  ]);
  assert.deepEqual(records.map((r) => [r.end_reason, r.fwd_packets + r.bwd_packets]), [['rst', 3], ['end_of_capture', 1]]);
});

test('a SYN retry with the same ISN right after a RST stays in the flow (as one tcp.stream)', () => {
  const c = { src: C, dst: S, sport: 40011, dport: 80 };
  const s = { src: S, dst: C, sport: 80, dport: 40011 };
  const { records, stats } = run([
    { ...c, sec: T0, flags: 'S', seq: 100 },
    { ...s, sec: T0, ns: 1e7, flags: 'RA', seq: 0, ack: 101 },
    { ...c, sec: T0, ns: 5e8, flags: 'S', seq: 100 },
    { ...s, sec: T0, ns: 51e7, flags: 'RA', seq: 0, ack: 101 },
  ]);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.syn_count, 2);
  // tshark shows initial_rtt (SYN → first ACK without SYN) on the RST/ACK that acks the SYN.
  assert.equal(stats.handshake_rtt.count, 1);
  assert.equal(stats.handshake_rtt.mean, 0.01);
});

test('a SYN with a new ISN on a live flow ends it (ports reused)', () => {
  const c = { src: C, dst: S, sport: 40012, dport: 80 };
  const { records } = run([
    { ...c, sec: T0, flags: 'S', seq: 100 },
    { ...c, sec: T0 + 1, flags: 'S', seq: 7777 },
  ]);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.end_reason, 'idle');
});

test('SYN, SYN/ACK and then only a RST: no handshake RTT, as tshark shows none', () => {
  const c = { src: C, dst: S, sport: 40013, dport: 80 };
  const s = { src: S, dst: C, sport: 80, dport: 40013 };
  const { records, stats } = run([
    { ...c, sec: T0, flags: 'S', seq: 100 },
    { ...s, sec: T0, ns: 1e7, flags: 'SA', seq: 500, ack: 101 },
    { ...s, sec: T0 + 3, flags: 'SA', seq: 500, ack: 101 },
    { ...s, sec: T0 + 9, flags: 'RA', seq: 501, ack: 101 },
  ]);
  assert.equal(stats.handshake_rtt.count, 0);
  assert.equal(records[0]!.handshake_rtt, null);
});

test('DNS over UDP: dns.time on the response, names and answers in the record and stats', () => {
  const query = dnsMessage(0x1234, false, 'example.com');
  const response = dnsMessage(0x1234, true, 'example.com', [93, 184, 216, 34]);
  const { records, at, stats } = run([
    { sec: T0, src: C, dst: '8.8.8.8', proto: 'udp', sport: 53000, dport: 53, payload: query },
    { sec: T0, ns: 12_345_678, src: '8.8.8.8', dst: C, proto: 'udp', sport: 53, dport: 53000, payload: response },
  ]);
  assert.equal(at(1).latency, 0.012345678);
  assert.equal(at(1).latencyKind, LatencyKind.DNS);
  assert.ok(Number.isNaN(at(0).latency));
  assert.equal(records[0]!.dns_query, 'example.com');
  assert.deepEqual(records[0]!.dns_answers, ['93.184.216.34']);
  assert.deepEqual(stats.dns_names, ['example.com']);
  assert.equal(stats.dns_latency.count, 1);
});

test('DNS on a port not registered for it is found by Wireshark\'s heuristic', () => {
  const { stats } = run([
    { sec: T0, src: C, dst: S, proto: 'udp', sport: 40000, dport: 443, payload: dnsMessage(7, false, 'a.b') },
    { sec: T0 + 1, src: S, dst: C, proto: 'udp', sport: 443, dport: 40000, payload: dnsMessage(7, true, 'a.b') },
  ]);
  assert.deepEqual(stats.dns_names, ['a.b']);
  assert.equal(stats.dns_latency.count, 1);
});

test('TLS SNI is read from the client\'s ClientHello on any port', () => {
  const c = { src: C, dst: S, sport: 40020, dport: 8443 };
  const { records, stats } = run([
    { ...c, sec: T0, flags: 'S', seq: 1 },
    { ...c, sec: T0 + 1, flags: 'PA', seq: 2, ack: 1, payload: clientHello('www.example.org') },
  ]);
  assert.equal(records[0]!.sni, 'www.example.org');
  assert.deepEqual(stats.sni, ['www.example.org']);
});

test('IPv6 flows, ICMP flows and non-IP packets', () => {
  const { records, at } = run([
    { sec: T0, src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp', sport: 1, dport: 2, payload: 3 },
    { sec: T0, src: '2001:db8::2', dst: '2001:db8::1', proto: 'udp', sport: 2, dport: 1, payload: 3 },
    { sec: T0, src: C, dst: S, proto: 'icmp', payload: 56 },
    { sec: T0, src: C, dst: S, nonIp: true },
    { sec: T0, src: C, dst: S, proto: 'udp', fragment: true, payload: 100 },
  ]);
  assert.equal(records.length, 2);
  const v6 = records.find((r) => r.ip_version === 6)!;
  assert.deepEqual([v6.client_addr, v6.server_addr, v6.fwd_packets, v6.bwd_packets], ['2001:db8::1', '2001:db8::2', 1, 1]);
  const icmp = records.find((r) => r.proto === 1)!;
  assert.deepEqual([icmp.client_port, icmp.server_port], [0, 0]);
  assert.equal(at(3).slot, NO_FLOW);
  assert.equal(at(4).slot, NO_FLOW, 'a fragment without its transport header');
});

test('the same packets give the same records whatever the batch size', () => {
  const packets: PacketSpec[] = [];
  for (let k = 0; k < 30; k++) packets.push(...connection(20000 + (k % 7), T0 + k * 50));
  const a = run(packets, {}, packets.length).records;
  const b = run(packets, {}, 7).records;
  assert.deepEqual(b, a);
});

test('timestamps going backwards neither crash nor expire flows', () => {
  const u = { src: C, dst: S, proto: 'udp' as const, sport: 9, dport: 9, payload: 1 };
  const { records } = run([{ ...u, sec: T0 + 100 }, { ...u, sec: T0 }, { ...u, sec: T0 + 101 }]);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.fwd_packets, 3);
  assert.equal(records[0]!.first_ts, T0);
  assert.equal(records[0]!.last_ts, T0 + 101);
});

test('process rejects annotations smaller than the batch', () => {
  const { raw, dec } = buildBatch(connection(1, T0));
  const table = new FlowTable(() => undefined);
  assert.throws(() => table.process(raw, dec, createPacketAnnotations(2)), RangeError);
});
