/**
 * Bytes in flight and gradients per window, end to end on a generated scenario capture: the
 * aggregator's bif_mean / bif_max equal the per-packet values of each second, the gradients
 * are differences of consecutive windows, and the store (schema v5) gives them back through
 * `query windows` rows and chart queries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FlowTable } from '../src-main/analysis/flow-table.js';
import { createPacketAnnotations } from '../src-main/analysis/packet-annotations.js';
import { WindowAggregator } from '../src-main/analysis/window-aggregator.js';
import type { WindowAggregateRow } from '../src-main/analysis/window-aggregate-row.js';
import { createDecodedBatch } from '../src-main/ingest/decoded-batch.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { PacketDecoder } from '../src-main/ingest/packet-decoder.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { simulate } from '../src-main/simulate/simulator.js';
import { ChartQueries } from '../src-main/store/chart-queries.js';
import { SCHEMA_VERSION } from '../src-main/store/migrations.js';
import { SourcesRepo } from '../src-main/store/sources-repo.js';
import { windowRows } from '../src-main/store/window-rows.js';
import { WindowsRepo } from '../src-main/store/windows-repo.js';
import { openTempWorkspace } from './temp-workspace.js';

test('bif_mean, bif_max and the RTT/BIF gradients per window, stored and queried', (t) => {
  const { ws, dir } = openTempWorkspace(t, 'flight');
  const path = join(dir, 'bulk.pcapng');
  const sim = simulate({ scenario: 'baseline', duration: 40, rate: 800, seed: 21, out: path });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);

  const rows: WindowAggregateRow[] = [];
  const agg = new WindowAggregator((r) => rows.push(...r));
  const table = new FlowTable(() => undefined);
  const perSecond = new Map<number, { sum: number; n: number; max: number }>();
  const opened = openCapture(path);
  assert.ok(opened.ok);
  const raw = createRawBatch(1024);
  const dec = createDecodedBatch(1024);
  const ann = createPacketAnnotations(1024);
  const decoder = new PacketDecoder();
  while (opened.value.next(raw) > 0) {
    decoder.decode(raw, dec);
    table.process(raw, dec, ann);
    agg.add(raw, dec, ann);
    for (let i = 0; i < raw.count; i++) {
      const b = ann.bytesInFlight[i]!;
      if (b !== b) continue;
      const s = perSecond.get(raw.tsSec[i]!) ?? { sum: 0, n: 0, max: 0 };
      s.sum += b;
      s.n++;
      s.max = Math.max(s.max, b);
      perSecond.set(raw.tsSec[i]!, s);
    }
  }
  opened.value.close();
  agg.flush();

  const seconds = rows.filter((r) => r.resolution === 1).sort((a, b) => a.t - b.t);
  let withBif = 0;
  let gradients = 0;
  for (let k = 0; k < seconds.length; k++) {
    const r = seconds[k]!;
    const want = perSecond.get(r.t);
    assert.equal(r.bif_mean, want === undefined ? null : want.sum / want.n, `bif_mean at ${r.t}`);
    assert.equal(r.bif_max, want === undefined ? null : want.max, `bif_max at ${r.t}`);
    if (want !== undefined) withBif++;
    const prev = seconds[k - 1];
    const adjacent = prev !== undefined && prev.t + 1 === r.t;
    const diff = (a: number | null, b: number | null | undefined): number | null => (!adjacent || a === null || b == null ? null : a - b);
    assert.equal(r.rtt_gradient, diff(r.tcp_rtt_ms, prev?.tcp_rtt_ms), `rtt_gradient at ${r.t}`);
    assert.equal(r.bif_gradient, diff(r.bif_mean, prev?.bif_mean), `bif_gradient at ${r.t}`);
    if (r.bif_gradient !== null) gradients++;
  }
  assert.ok(withBif > 30 && gradients > 25, `${withBif} windows with bytes in flight, ${gradients} with a gradient`);
  const tens = rows.filter((r) => r.resolution === 10);
  const all = [...perSecond.values()];
  assert.equal(Math.max(...tens.map((r) => r.bif_max ?? 0)), Math.max(...all.map((s) => s.max)), 'rollups keep the max');

  // The store: schema v5 columns, the same values back through query rows and charts.
  assert.ok(SCHEMA_VERSION >= 5);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path, displayName: 'bulk' });
  const repo = new WindowsRepo(ws.db);
  for (const r of rows) repo.upsert(sid, r.resolution, r);
  const read = windowRows(ws.db, { sourceId: sid, resolution: 1 });
  assert.ok(read.ok);
  assert.equal(read.value.rows.length, seconds.length);
  read.value.rows.forEach((got, k) => {
    const r = seconds[k]!;
    for (const c of ['bif_mean', 'bif_max', 'rtt_gradient', 'bif_gradient'] as const) {
      const v = got[c] ?? null;
      const w = r[c];
      assert.ok(v === w || (v !== null && w !== null && Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(w))), `${c} at ${r.t}: ${v} vs ${w}`);
    }
  });
  const chart = new ChartQueries(ws.db).series({ sourceId: sid, metrics: ['bif_mean', 'bif_max', 'rtt_gradient', 'bif_gradient'], maxPoints: 1000, resolution: 1 });
  assert.ok(chart.ok, chart.ok ? '' : chart.error.message);
  const maxSeries = chart.value.series.find((s) => s.metric === 'bif_max')!;
  assert.equal(Math.max(...maxSeries.max.map((v) => v ?? 0)), Math.max(...all.map((s) => s.max)));
});
