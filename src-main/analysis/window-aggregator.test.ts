import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRawBatch } from '../ingest/raw-batch.js';
import type { RawBatch } from '../ingest/raw-batch.js';
import { createDecodedBatch, ProtoBit } from '../ingest/decoded-batch.js';
import type { DecodedBatch } from '../ingest/decoded-batch.js';
import { createPacketAnnotations, NO_FLOW } from './packet-annotations.js';
import type { PacketAnnotations } from './packet-annotations.js';
import { PACKET_LENGTH_BUCKETS, packetLengthBucket } from '../../src-shared/window-metrics.js';
import { WindowAggregator } from './window-aggregator.js';
import { classifyTransport, mergeWindowRows } from './window-aggregate-row.js';
import type { WindowAggregateRow } from './window-aggregate-row.js';

/** A hand-made packet: timestamp in epoch seconds (fractional), sizes, protocol, flow stage output. */
interface Pkt {
  ts: number;
  len?: number;
  cap?: number;
  mask?: number;
  proto?: number;
  /** Live-flow slot (the flow table's); absent: no flow. */
  slot?: number;
  /** Identity of the flow (distinct even when a slot is reused), for the reference model. */
  flow?: number;
  newFlow?: boolean;
  rttS?: number;
  latencyS?: number;
}

const TCP = ProtoBit.IPV4 | ProtoBit.TCP;
const UDP = ProtoBit.IPV4 | ProtoBit.UDP;

interface Batch {
  raw: RawBatch;
  dec: DecodedBatch;
  ann: PacketAnnotations;
}

/** Packs packets into batches of `size`, as a reader + decoder + flow table would. */
function toBatches(pkts: readonly Pkt[], size = 8192): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < pkts.length; start += size) {
    const part = pkts.slice(start, start + size);
    const raw = createRawBatch(size);
    const dec = createDecodedBatch(size);
    const ann = createPacketAnnotations(size);
    part.forEach((p, i) => {
      const sec = Math.floor(p.ts);
      raw.tsSec[i] = sec;
      raw.tsNsec[i] = Math.round((p.ts - sec) * 1e9);
      raw.wirelen[i] = p.len ?? 60;
      raw.caplen[i] = p.cap ?? p.len ?? 60;
      dec.protoMask[i] = p.mask ?? TCP;
      dec.ipProto[i] = p.proto ?? ((p.mask ?? TCP) & ProtoBit.UDP ? 17 : 6);
      ann.flowSlot[i] = p.slot ?? NO_FLOW;
      ann.newFlow[i] = p.newFlow ? 1 : 0;
      ann.ackRtt[i] = p.rttS ?? Number.NaN;
      ann.handshakeRtt[i] = Number.NaN;
      ann.latency[i] = p.latencyS ?? Number.NaN;
    });
    raw.count = dec.count = ann.count = part.length;
    out.push({ raw, dec, ann });
  }
  return out;
}

/** Runs the aggregator over packets; returns every row emitted (unmerged) and the peak open windows. */
function aggregate(pkts: readonly Pkt[], opts: { withAnn?: boolean; batch?: number } = {}) {
  const rows: WindowAggregateRow[] = [];
  const agg = new WindowAggregator((r) => rows.push(...r));
  let peakOpen = 0;
  for (const b of toBatches(pkts, opts.batch)) {
    agg.add(b.raw, b.dec, opts.withAnn === false ? undefined : b.ann);
    peakOpen = Math.max(peakOpen, ...agg.openWindows());
  }
  agg.flush();
  return { rows, peakOpen, agg };
}

/** Merges rows of the same (resolution, t) as the store's upsert does; sorted by t. */
function merged(rows: readonly WindowAggregateRow[], resolution: number): WindowAggregateRow[] {
  const byT = new Map<number, WindowAggregateRow>();
  for (const r of rows) {
    if (r.resolution !== resolution) continue;
    const prev = byT.get(r.t);
    byT.set(r.t, prev === undefined ? r : mergeWindowRows(prev, r));
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

function exactP99(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(0.99 * s.length) - 1]!;
}

/** What a window must hold, computed straight from the packet list. */
interface Expected {
  packets: number;
  bytes: number;
  captured: number;
  plen: number[];
  classPackets: number[];
  classBytes: number[];
  flows: Set<number>;
  newFlows: number;
  rtt: number[];
  latency: number[];
}

function reference(pkts: readonly Pkt[], resolution: number): Map<number, Expected> {
  const m = new Map<number, Expected>();
  for (const p of pkts) {
    const t = Math.floor(Math.floor(p.ts) / resolution) * resolution;
    let e = m.get(t);
    if (!e) {
      e = { packets: 0, bytes: 0, captured: 0, plen: Array(10).fill(0), classPackets: [0, 0, 0, 0],
        classBytes: [0, 0, 0, 0], flows: new Set(), newFlows: 0, rtt: [], latency: [] };
      m.set(t, e);
    }
    const len = p.len ?? 60;
    e.packets++;
    e.bytes += len;
    e.captured += p.cap ?? len;
    e.plen[packetLengthBucket(len)]! += 1;
    const mask = p.mask ?? TCP;
    const c = classifyTransport(mask, p.proto ?? (mask & ProtoBit.UDP ? 17 : 6));
    e.classPackets[c]! += 1;
    e.classBytes[c]! += len;
    if (p.flow !== undefined) e.flows.add(p.flow);
    if (p.newFlow) e.newFlows++;
    if (p.rttS !== undefined) e.rtt.push(p.rttS * 1000);
    if (p.latencyS !== undefined) e.latency.push(p.latencyS * 1000);
  }
  return m;
}

const PLEN_COLUMNS = PACKET_LENGTH_BUCKETS.map((b) => b.column);

function assertCountsEqual(row: WindowAggregateRow, e: Expected, label: string): void {
  assert.equal(row.packets, e.packets, `${label} packets`);
  assert.equal(row.bytes, e.bytes, `${label} bytes`);
  assert.equal(row.captured_bytes, e.captured, `${label} captured_bytes`);
  assert.deepEqual(PLEN_COLUMNS.map((c) => row[c]), e.plen, `${label} plen`);
  assert.deepEqual([row.tcp_packets, row.udp_packets, row.icmp_packets, row.other_packets], e.classPackets, `${label} class packets`);
  assert.deepEqual([row.tcp_bytes, row.udp_bytes, row.icmp_bytes, row.other_bytes], e.classBytes, `${label} class bytes`);
  assert.equal(row.new_connections, e.newFlows, `${label} new_connections`);
  assert.equal(row.rtt_count, e.rtt.length, `${label} rtt_count`);
  assert.equal(row.latency_count, e.latency.length, `${label} latency_count`);
}

function assertWithinSketchError(actual: number | null, expected: number | null, label: string): void {
  if (expected === null) {
    assert.equal(actual, null, label);
    return;
  }
  assert.ok(actual !== null, `${label}: null, expected ${expected}`);
  assert.ok(Math.abs(actual - expected) <= expected * 0.01 + 1e-9, `${label}: ${actual} vs ${expected}`);
}

test('per-second rows: counts, sizes, protocol mix and derived metrics', () => {
  const pkts: Pkt[] = [
    { ts: 1000.1, len: 60, mask: TCP, slot: 0, flow: 1, newFlow: true },
    { ts: 1000.2, len: 1514, cap: 96, mask: TCP, slot: 0, flow: 1, rttS: 0.020 },
    { ts: 1000.3, len: 90, mask: UDP, slot: 1, flow: 2, newFlow: true },
    { ts: 1000.9, len: 98, mask: ProtoBit.IPV4 | ProtoBit.ICMP, proto: 1, slot: 2, flow: 3, newFlow: true },
    { ts: 1001.5, len: 42, mask: ProtoBit.ARP, proto: 0 },
    { ts: 1001.6, len: 60, mask: TCP, slot: 0, flow: 1, rttS: 0.040 },
    { ts: 1001.7, len: 120, mask: UDP, slot: 1, flow: 2, latencyS: 0.0125 },
  ];
  const { rows } = aggregate(pkts);
  const s = merged(rows, 1);
  assert.deepEqual(s.map((r) => r.t), [1000, 1001]);
  const [a, b] = s as [WindowAggregateRow, WindowAggregateRow];
  assert.equal(a.partial, false);
  assert.equal(a.packets, 4);
  assert.equal(a.bytes, 60 + 1514 + 90 + 98);
  assert.equal(a.captured_bytes, 60 + 96 + 90 + 98);
  assert.equal(a.bytes_per_second, 1762);
  assert.equal(a.packets_per_second, 4);
  assert.equal(a.avg_packet_size, 1762 / 4);
  assert.equal(a.tcp_percent, 50);
  assert.equal(a.udp_percent, 25);
  assert.equal(a.icmp_percent, 25);
  assert.equal(a.plen_40_79, 1);
  assert.equal(a.plen_80_159, 2);
  assert.equal(a.plen_1280_2559, 1);
  assert.equal(a.active_connections, 3);
  assert.equal(a.new_connections, 3);
  assert.equal(a.tcp_rtt_ms, 20);
  assert.equal(a.tcp_rtt_p99_ms, 20);
  assert.equal(a.avg_latency_ms, null, 'no latency sample: null, not 0');
  assert.equal(a.latency_p99_ms, null);
  // Second 1001: ARP is "other" and has no flow.
  assert.equal(b.packets, 3);
  assert.equal(b.other_packets, 1);
  assert.equal(b.tcp_percent, 100 / 3);
  assert.equal(b.active_connections, 2);
  assert.equal(b.new_connections, 0);
  assert.equal(b.tcp_rtt_ms, 40);
  assert.equal(b.avg_latency_ms, 12.5);
  assert.equal(b.latency_p99_ms, 12.5);
  // Rollups hold the union of flows, not the sum of per-second counts.
  const [ten] = merged(rows, 10);
  assert.equal(ten?.t, 1000);
  assert.equal(ten?.packets, 7);
  assert.equal(ten?.bytes_per_second, (1762 + 42 + 60 + 120) / 10);
  assert.equal(ten?.active_connections, 3);
  assert.equal(ten?.new_connections, 3);
  assert.equal(ten?.tcp_rtt_ms, 30);
  assert.equal(ten?.tcp_rtt_p99_ms, 40);
  const [minute] = merged(rows, 60);
  assert.equal(minute?.t, 960);
  assert.equal(minute?.packets, 7);
  assert.equal(minute?.packets_per_second, 7 / 60);
  assert.ok(rows.every((r) => !r.partial), 'no partial rows');
});

test('without flow annotations the flow and sample metrics are null', () => {
  const { rows } = aggregate([{ ts: 5, len: 100 }, { ts: 5.5, len: 100, rttS: 0.1 }], { withAnn: false });
  const [r] = merged(rows, 1);
  assert.equal(r?.packets, 2);
  assert.equal(r?.active_connections, null);
  assert.equal(r?.new_connections, null);
  assert.equal(r?.tcp_rtt_ms, null);
  assert.equal(r?.tcp_rtt_p99_ms, null);
});

test('packets without a flow give 0 connections (counted), not null', () => {
  const { rows } = aggregate([{ ts: 7, len: 42, mask: ProtoBit.ARP, proto: 0 }]);
  const [r] = merged(rows, 1);
  assert.equal(r?.active_connections, 0);
  assert.equal(r?.new_connections, 0);
});

test('a gap of years is two sparse windows, not a bucket per second', () => {
  const fiveYears = 5 * 365 * 86400;
  const pkts: Pkt[] = [
    { ts: 1_300_000_000.2 }, { ts: 1_300_000_000.7 }, { ts: 1_300_000_001.1 },
    { ts: 1_300_000_000 + fiveYears + 0.5 }, { ts: 1_300_000_000 + fiveYears + 59.5 },
  ];
  const { rows, peakOpen } = aggregate(pkts);
  assert.deepEqual(merged(rows, 1).map((r) => [r.t, r.packets]), [
    [1_300_000_000, 2], [1_300_000_001, 1],
    [1_300_000_000 + fiveYears, 1], [1_300_000_000 + fiveYears + 59, 1],
  ]);
  assert.deepEqual(merged(rows, 10).map((r) => [r.t, r.packets]), [
    [1_300_000_000, 3], [1_300_000_000 + fiveYears, 1], [1_300_000_000 + fiveYears + 50, 1],
  ]);
  assert.deepEqual(merged(rows, 60).map((r) => [r.t, r.packets]), [
    [1_299_999_960, 3], [1_300_000_000 + fiveYears - 40, 1], [1_300_000_000 + fiveYears + 20, 1],
  ]);
  assert.ok(peakOpen <= 4, `open windows ${peakOpen}: one per non-empty second at most`);
  assert.ok(rows.every((r) => !r.partial), 'no partial rows');
});

test('timestamps beyond 2^32 s and before the epoch align on floor', () => {
  const { rows } = aggregate([{ ts: -0.5 }, { ts: 2 ** 33 + 0.25 }]);
  assert.deepEqual(merged(rows, 1).map((r) => r.t), [-1, 2 ** 33]);
  assert.deepEqual(merged(rows, 10).map((r) => r.t), [-10, Math.floor(2 ** 33 / 10) * 10]);
});

test('out-of-order packets land in the window of their own timestamp', () => {
  const pkts: Pkt[] = [
    { ts: 100.9, len: 100 }, { ts: 100.1, len: 101 }, // reorder inside one second: same window
    { ts: 101.5, len: 102 }, { ts: 100.5, len: 103 }, // back one second: 100 is still open
    { ts: 102.2, len: 104 },
  ];
  // 23 more seconds: 100..102 are passed and idle long enough to close.
  for (let s = 103; s <= 125; s++) pkts.push({ ts: s + 0.5, len: 60 });
  pkts.push({ ts: 101.3, len: 106 }); // late: 101 was emitted → a partial row
  const { rows } = aggregate(pkts);
  const ones = rows.filter((r) => r.resolution === 1);
  assert.deepEqual(ones.filter((r) => r.t === 100).map((r) => [r.packets, r.bytes, r.partial]), [[3, 304, false]]);
  assert.deepEqual(ones.filter((r) => r.t === 101).map((r) => [r.packets, r.bytes, r.partial]), [[1, 102, false], [1, 106, true]]);
  assert.equal(ones.filter((r) => r.partial).length, 1, 'only the late window is partial');
  const expected = [[100, 3], [101, 2], [102, 1]];
  for (let s = 103; s <= 125; s++) expected.push([s, 1]);
  assert.deepEqual(merged(rows, 1).map((r) => [r.t, r.packets]), expected);
  // The 10 s window was still open when the late second closed: complete rows only.
  const tens = rows.filter((r) => r.resolution === 10);
  assert.deepEqual(tens.map((r) => [r.t, r.packets, r.partial]), [[100, 13, false], [110, 10, false], [120, 6, false]]);
});

test('a trace whose tail goes back before its first packet emits no partial rows', () => {
  // ndpi__ipsec_isakmp_esp.pcap: the last frames are 21 305 s older than the first ones.
  const pkts: Pkt[] = [];
  for (let s = 0; s < 30; s++) pkts.push({ ts: 50_000 + s + 0.5 });
  for (let s = 0; s < 3; s++) pkts.push({ ts: 28_695 + s + 0.1 }, { ts: 28_695 + s + 0.2 });
  const { rows } = aggregate(pkts);
  assert.ok(rows.every((r) => !r.partial), 'no partial rows');
  assert.equal(merged(rows, 1).length, 33);
  assert.equal(merged(rows, 1)[0]?.t, 28_695);
  assert.equal(merged(rows, 1)[0]?.packets, 2);
});

test('interleaved sources at distant epochs (merged pcapng interfaces) give no partial rows', () => {
  const pkts: Pkt[] = [];
  for (let k = 0; k < 4000; k++) {
    // Four interfaces, round robin, each advancing 1 s every 50 of its packets.
    const src = k % 4;
    const base = [1.7e9, 1.2e9, 1.5e9, 1.7e9 + 3600][src]!;
    pkts.push({ ts: base + Math.floor(k / 4) / 50 + 0.01, len: 60 + src });
  }
  const { rows, peakOpen } = aggregate(pkts, { batch: 333 });
  assert.equal(rows.filter((r) => r.partial).length, 0);
  assert.ok(peakOpen <= 32, `open windows ${peakOpen}`);
  const ref = reference(pkts, 1);
  const got = merged(rows, 1);
  assert.equal(got.length, ref.size);
  for (const r of got) assertCountsEqual(r, ref.get(r.t)!, `t=${r.t}`);
});

test('slot reuse inside one window counts two connections', () => {
  const pkts: Pkt[] = [
    { ts: 10.1, slot: 5, flow: 1, newFlow: true },
    { ts: 10.2, slot: 5, flow: 1 },
    { ts: 10.3, slot: 5, flow: 2, newFlow: true }, // the flow table closed flow 1 and reused slot 5
    { ts: 10.4, slot: 5, flow: 2 },
    { ts: 11.0, slot: 5, flow: 2 },
  ];
  const { rows } = aggregate(pkts);
  const [a, b] = merged(rows, 1);
  assert.equal(a?.active_connections, 2);
  assert.equal(a?.new_connections, 2);
  assert.equal(b?.active_connections, 1);
  assert.equal(merged(rows, 10)[0]?.active_connections, 2);
});

test('a flow already live before the first batch (no newFlow packet) still counts', () => {
  const { rows } = aggregate([{ ts: 3, slot: 70000, flow: 1 }, { ts: 3.5, slot: 70000, flow: 1 }]);
  assert.equal(merged(rows, 1)[0]?.active_connections, 1);
  assert.equal(merged(rows, 1)[0]?.new_connections, 0);
});

test('rows come out once per add() and at flush; a window may span batches', () => {
  const calls: number[][] = [];
  const agg = new WindowAggregator((rows) => calls.push(rows.filter((r) => r.resolution === 1).map((r) => r.t)));
  const pkts: Pkt[] = [{ ts: 1.1 }, { ts: 1.2 }, { ts: 1.3 }, { ts: 1.4 }];
  for (let s = 10; s < 40; s++) pkts.push({ ts: s });
  const batches = toBatches(pkts, 2);
  for (const b of batches.slice(0, 2)) agg.add(b.raw, b.dec, b.ann);
  assert.equal(calls.length, 0, 'second 1 spans two batches and is still open');
  for (const b of batches.slice(2)) agg.add(b.raw, b.dec, b.ann);
  assert.ok(calls.length > 0 && calls.every((c) => c.length > 0), 'the sink is called only with rows');
  agg.flush();
  const seconds = calls.flat();
  assert.deepEqual(seconds, [1, ...Array.from({ length: 30 }, (_, k) => 10 + k)], 'each second once, in order');
});

test('advanceClock closes windows a live capture can no longer reach', () => {
  const rows: WindowAggregateRow[] = [];
  const agg = new WindowAggregator((r) => rows.push(...r));
  const [b] = toBatches([{ ts: 1000.5 }, { ts: 1001.5 }]);
  agg.add(b!.raw, b!.dec, b!.ann);
  assert.equal(rows.length, 0);
  agg.advanceClock(1004);
  assert.deepEqual(rows.map((r) => [r.resolution, r.t]), [[1, 1000], [1, 1001]]);
  agg.advanceClock(1013);
  assert.deepEqual(rows.map((r) => [r.resolution, r.t]).slice(2), [[10, 1000]]);
});

test('mismatched batch counts are rejected', () => {
  const [b] = toBatches([{ ts: 1 }, { ts: 2 }]);
  b!.dec.count = 1;
  const agg = new WindowAggregator(() => undefined);
  assert.throws(() => agg.add(b!.raw, b!.dec, b!.ann), RangeError);
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A messy stream: bursts, quiet gaps of hours and years, reordering, flows reusing slots, RTT/latency samples. */
function messyStream(seed: number, n: number): Pkt[] {
  const r = rng(seed);
  const pkts: Pkt[] = [];
  const live: { slot: number; flow: number }[] = [];
  const freeSlots: number[] = [];
  let nextSlot = 0;
  let nextFlow = 1;
  let clock = 1_600_000_000;
  for (let k = 0; k < n; k++) {
    const u = r();
    if (u < 0.0005) clock += 86400 * 365 * (1 + r() * 3);
    else if (u < 0.003) clock += 3600 * r();
    else clock += r() * 0.05;
    let ts = clock;
    if (r() < 0.02) ts -= r() * 5; // jitter back up to 5 s
    if (r() < 0.001) ts -= 100 + r() * 1000; // far back: a closed window → partial row
    let flow: { slot: number; flow: number } | undefined;
    let isNew = false;
    if (live.length === 0 || r() < 0.05) {
      flow = { slot: freeSlots.pop() ?? nextSlot++, flow: nextFlow++ };
      live.push(flow);
      isNew = true;
    } else if (r() < 0.9) {
      flow = live[Math.floor(r() * live.length)]!;
    }
    const len = r() < 0.3 ? 60 : Math.floor(r() * 9000);
    const mask = [TCP, UDP, ProtoBit.IPV6 | ProtoBit.ICMPV6, ProtoBit.ARP][Math.floor(r() * 4)]!;
    pkts.push({
      ts, len, cap: Math.min(len, 1500), mask, proto: mask === TCP ? 6 : mask === UDP ? 17 : 58,
      ...(flow ? { slot: flow.slot, flow: flow.flow, newFlow: isNew } : {}),
      ...(r() < 0.1 ? { rttS: r() < 0.05 ? r() * 2 : r() * 0.05 } : {}),
      ...(r() < 0.02 ? { latencyS: r() * 0.3 } : {}),
    });
    if (flow && !isNew && r() < 0.03) {
      live.splice(live.indexOf(flow), 1);
      freeSlots.push(flow.slot);
    }
  }
  return pkts;
}

test('messy stream: every resolution equals the packet-level truth; 1 s sums equal 10 s and 60 s rows', () => {
  const pkts = messyStream(42, 60000);
  const { rows, peakOpen } = aggregate(pkts, { batch: 4096 });
  assert.ok(peakOpen <= 32, `open windows bounded (${peakOpen})`);
  const partialTimes = new Set(rows.filter((r) => r.partial).map((r) => `${r.resolution}@${r.t}`));
  assert.ok(partialTimes.size > 0, 'the stream does exercise late windows');
  for (const res of [1, 10, 60]) {
    const ref = reference(pkts, res);
    const got = merged(rows, res);
    assert.equal(got.length, ref.size, `${res}s windows`);
    for (const row of got) {
      const e = ref.get(row.t)!;
      const label = `${res}s@${row.t}`;
      assertCountsEqual(row, e, label);
      assert.equal(row.bytes_per_second, e.bytes / res);
      const wasMerged = partialTimes.has(`${res}@${row.t}`);
      // Distinct flows are exact for a window emitted once; a merged late part adds its own.
      if (wasMerged) assert.ok(row.active_connections! >= e.flows.size, label);
      else assert.equal(row.active_connections, e.flows.size, `${label} active_connections`);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      const near = (a: number | null, b: number | null) => a === b || (a !== null && b !== null && Math.abs(a - b) < 1e-9 * Math.max(1, b));
      assert.ok(near(row.tcp_rtt_ms, mean(e.rtt)), `${label} tcp_rtt_ms ${row.tcp_rtt_ms} vs ${mean(e.rtt)}`);
      assert.ok(near(row.avg_latency_ms, mean(e.latency)), `${label} avg_latency_ms`);
      if (!wasMerged) {
        assertWithinSketchError(row.tcp_rtt_p99_ms, exactP99(e.rtt), `${label} tcp_rtt_p99_ms`);
        assertWithinSketchError(row.latency_p99_ms, exactP99(e.latency), `${label} latency_p99_ms`);
      }
    }
  }
  // Rollup equality straight from the rows: sums of the 1 s rows = the 10 s / 60 s rows.
  const sumCols = ['packets', 'bytes', 'captured_bytes', 'tcp_packets', 'udp_bytes', 'icmp_packets', 'other_bytes',
    'new_connections', 'rtt_count', 'latency_count', ...PLEN_COLUMNS] as const;
  for (const res of [10, 60]) {
    const fromSeconds = new Map<number, number[]>();
    for (const r of merged(rows, 1)) {
      const t = Math.floor(r.t / res) * res;
      const acc = fromSeconds.get(t) ?? sumCols.map(() => 0);
      sumCols.forEach((c, i) => { acc[i]! += r[c] ?? 0; });
      fromSeconds.set(t, acc);
    }
    for (const r of merged(rows, res)) assert.deepEqual(sumCols.map((c) => r[c]), fromSeconds.get(r.t), `${res}s@${r.t}`);
  }
});

test('adversarial order keeps open windows bounded and totals exact', () => {
  const r = rng(3);
  const pkts: Pkt[] = [];
  for (let k = 0; k < 20000; k++) pkts.push({ ts: 1e9 + Math.floor(r() * 1e6) + r(), len: 64 + (k % 1400) });
  const { rows, peakOpen } = aggregate(pkts, { batch: 1000 });
  assert.ok(peakOpen <= 32, `open windows ${peakOpen}`);
  const ref = reference(pkts, 1);
  const got = merged(rows, 1);
  assert.equal(got.length, ref.size);
  for (const row of got) assertCountsEqual(row, ref.get(row.t)!, `t=${row.t}`);
  assert.equal(merged(rows, 60).reduce((a, x) => a + x.packets, 0), 20000);
});
