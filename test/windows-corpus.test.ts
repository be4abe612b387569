import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { createDecodedBatch } from '../src-main/ingest/decoded-batch.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { PacketDecoder } from '../src-main/ingest/packet-decoder.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { FlowTable } from '../src-main/analysis/flow-table.js';
import { createPacketAnnotations, NO_FLOW } from '../src-main/analysis/packet-annotations.js';
import { WindowAggregator } from '../src-main/analysis/window-aggregator.js';
import { mergeWindowRows } from '../src-main/analysis/window-aggregate-row.js';
import type { WindowAggregateRow } from '../src-main/analysis/window-aggregate-row.js';
import { PACKET_LENGTH_BUCKETS } from '../src-shared/window-metrics.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

// Every capture of corpus/pcap through reader → decoder → window aggregator, compared with
// Wireshark: per-second and per-10-second packet, wire-byte and captured-byte counts
// (truth per_second_epoch / per_10s_epoch: sparse, epoch-aligned bins) and the packet-length
// histogram (`tshark -z plen,tree`). Rows of the same window (late, out-of-order parts) are
// merged as the store merges them. No exceptions: every file must match exactly.

interface Truth {
  packets: number;
  per_second_epoch: { rows: [number, number, number, number][] };
  per_10s_epoch: { rows: [number, number, number, number][] };
  packet_length_buckets: { range: string; count: number }[];
}

interface Run {
  rows: WindowAggregateRow[];
  peakOpen: number;
  /** Sample and flow counts straight from the annotations, to check the rows lost none. */
  rttSamples: number;
  rttSumMs: number;
  latencySamples: number;
  newFlows: number;
}

function aggregateCapture(path: string, withFlows: boolean): Run {
  const opened = openCapture(path, { chunkSize: 1 << 16 });
  if (!opened.ok) throw new Error(opened.error.message);
  const reader = opened.value;
  // Small batches: windows and out-of-order stretches cross batch boundaries.
  const raw = createRawBatch(700);
  const dec = createDecodedBatch(700);
  const ann = createPacketAnnotations(700);
  const decoder = new PacketDecoder();
  const flows = new FlowTable(() => undefined);
  const run: Run = { rows: [], peakOpen: 0, rttSamples: 0, rttSumMs: 0, latencySamples: 0, newFlows: 0 };
  const agg = new WindowAggregator((r) => run.rows.push(...r));
  try {
    while (reader.next(raw) > 0) {
      decoder.decode(raw, dec);
      if (withFlows) {
        flows.process(raw, dec, ann);
        for (let i = 0; i < ann.count; i++) {
          if (ann.flowSlot[i] !== NO_FLOW && ann.newFlow[i] === 1) run.newFlows++;
          const rtt = ann.ackRtt[i]!;
          if (!Number.isNaN(rtt)) {
            run.rttSamples++;
            run.rttSumMs += rtt * 1000;
          }
          if (!Number.isNaN(ann.latency[i]!)) run.latencySamples++;
        }
        agg.add(raw, dec, ann);
      } else {
        agg.add(raw, dec);
      }
      run.peakOpen = Math.max(run.peakOpen, ...agg.openWindows());
    }
  } finally {
    reader.close();
  }
  agg.flush();
  return run;
}

/** One row per window of `resolution`, late parts merged additively; sorted by t. */
function mergedRows(rows: readonly WindowAggregateRow[], resolution: number): WindowAggregateRow[] {
  const byT = new Map<number, WindowAggregateRow>();
  for (const r of rows) {
    if (r.resolution !== resolution) continue;
    const prev = byT.get(r.t);
    byT.set(r.t, prev === undefined ? r : mergeWindowRows(prev, r));
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

const asTruthRows = (rows: readonly WindowAggregateRow[]): [number, number, number, number][] =>
  rows.map((r) => [r.t, r.packets, r.bytes, r.captured_bytes]);

for (const path of corpusFiles('pcap')) {
  const name = basename(path);

  test(`windows equal tshark's per-second, per-10 s and packet-length counts: ${name}`, () => {
    const truth = readTruth(name) as Truth;
    const run = aggregateCapture(path, false);
    const seconds = mergedRows(run.rows, 1);
    assert.deepEqual(asTruthRows(seconds), truth.per_second_epoch.rows, 'per_second_epoch [t, frames, wire bytes, captured bytes]');
    assert.deepEqual(asTruthRows(mergedRows(run.rows, 10)), truth.per_10s_epoch.rows, 'per_10s_epoch');
    const plen = PACKET_LENGTH_BUCKETS.map((b) => ({ range: b.range, count: seconds.reduce((n, r) => n + r[b.column], 0) }));
    assert.deepEqual(plen, truth.packet_length_buckets, 'packet_length_buckets');
    // 60 s rows have no Wireshark truth: they must be the sums of the 1 s rows they cover.
    const minutes = new Map<number, number[]>();
    for (const r of seconds) {
      const t = Math.floor(r.t / 60) * 60;
      const acc = minutes.get(t) ?? [t, 0, 0, 0];
      acc[1]! += r.packets;
      acc[2]! += r.bytes;
      acc[3]! += r.captured_bytes;
      minutes.set(t, acc);
    }
    assert.deepEqual(asTruthRows(mergedRows(run.rows, 60)), [...minutes.values()], '60 s rows = sums of 1 s rows');
    assert.ok(run.peakOpen <= 32, `open windows bounded (${run.peakOpen})`);
    // The five files whose timestamps go back stay within the open windows (or go back before
    // anything was emitted): with the default policy no corpus file needs a late, partial row.
    assert.equal(run.rows.filter((r) => r.partial).length, 0, 'no partial (late) rows');
    for (const r of seconds) {
      assert.equal(r.tcp_packets + r.udp_packets + r.icmp_packets + r.other_packets, r.packets, `t=${r.t}: protocol classes partition the packets`);
    }
  });

  test(`window flow and sample metrics keep every flow-stage result: ${name}`, () => {
    const run = aggregateCapture(path, true);
    const seconds = mergedRows(run.rows, 1);
    const total = (rows: readonly WindowAggregateRow[], f: (r: WindowAggregateRow) => number | null): number =>
      rows.reduce((n, r) => n + (f(r) ?? 0), 0);
    for (const rows of [seconds, mergedRows(run.rows, 10), mergedRows(run.rows, 60)]) {
      assert.equal(total(rows, (r) => r.rtt_count), run.rttSamples, 'rtt samples');
      assert.equal(total(rows, (r) => r.latency_count), run.latencySamples, 'latency samples');
      assert.equal(total(rows, (r) => r.new_connections), run.newFlows, 'new connections');
      const rttSum = total(rows, (r) => r.rtt_sum);
      assert.ok(Math.abs(rttSum - run.rttSumMs) <= 1e-9 * Math.max(1, run.rttSumMs), `rtt sum ${rttSum} vs ${run.rttSumMs}`);
    }
    for (const r of run.rows) {
      const label = `${r.resolution}s@${r.t}`;
      assert.ok(r.active_connections !== null && r.active_connections <= r.packets, `${label} active_connections`);
      assert.ok(r.new_connections !== null && r.new_connections <= r.active_connections, `${label} new <= active`);
      assert.equal(r.tcp_rtt_ms === null, r.rtt_count === 0, `${label} tcp_rtt_ms null iff no sample`);
      assert.equal(r.tcp_rtt_p99_ms === null, r.rtt_count === 0, `${label} tcp_rtt_p99_ms null iff no sample`);
      assert.equal(r.latency_p99_ms === null, r.latency_count === 0, `${label} latency_p99_ms null iff no sample`);
    }
    // Distinct flows over a longer window never exceed the sum over its seconds, never fall below the busiest second.
    for (const ten of mergedRows(run.rows, 10)) {
      const inside = seconds.filter((r) => r.t >= ten.t && r.t < ten.t + 10);
      const sum = total(inside, (r) => r.active_connections);
      const peak = Math.max(...inside.map((r) => r.active_connections ?? 0));
      assert.ok(ten.active_connections! <= sum && ten.active_connections! >= peak, `10s@${ten.t} active ${ten.active_connections} not in [${peak}, ${sum}]`);
    }
  });
}
