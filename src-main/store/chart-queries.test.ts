import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from './workspace.js';
import type { Workspace } from './workspace.js';
import { SourcesRepo } from './sources-repo.js';
import { WindowsRepo } from './windows-repo.js';
import { emptyWindowSums, PLEN_COLUMNS } from './window-columns.js';
import type { MutableWindowSums, WindowSums } from './window-columns.js';
import { ChartQueries } from './chart-queries.js';
import type { ChartResult } from './chart-queries.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): Workspace {
  return openTempWorkspace(t, 'chart').ws;
}

const T0 = 1_700_000_000 - (1_700_000_000 % 3600); // an hour boundary

/** One hour of traffic: a packet of 100 bytes in 2 of every 3 seconds, one 1 s spike. */
function hourOfWindows(): WindowSums[] {
  const out: WindowSums[] = [];
  for (let i = 0; i < 3600; i++) {
    if (i % 3 === 2) continue; // empty seconds have no row
    const w = emptyWindowSums(T0 + i);
    w.packets = i === 1234 ? 5000 : 1 + (i % 2);
    w.bytes = w.packets * (i === 1234 ? 1500 : 100);
    w.captured_bytes = w.bytes;
    w.tcp_packets = w.packets;
    w.tcp_bytes = w.bytes;
    w.plen_80_159 = w.packets;
    out.push(w);
  }
  return out;
}

/** Sums 1 s windows into windows of `r` seconds, as the aggregator's rollups do. */
function rollup(rows: readonly WindowSums[], r: number): WindowSums[] {
  const by = new Map<number, MutableWindowSums>();
  for (const w of rows) {
    const t = Math.floor(w.t / r) * r;
    const acc = by.get(t) ?? emptyWindowSums(t);
    for (const c of ['packets', 'bytes', 'captured_bytes', 'tcp_packets', 'tcp_bytes', ...PLEN_COLUMNS] as const) acc[c] += w[c];
    by.set(t, acc);
  }
  return [...by.values()];
}

function capture(ws: Workspace): number {
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/c.pcap', displayName: 'c.pcap' });
  const repo = new WindowsRepo(ws.db);
  const base = hourOfWindows();
  ws.db.transaction(() => {
    for (const w of base) repo.upsert(sid, 1, w);
    for (const r of [10, 60]) for (const w of rollup(base, r)) repo.upsert(sid, r, w);
  })();
  return sid;
}

function unwrap(r: ReturnType<ChartQueries['series']>): ChartResult {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

test('auto picks the coarsest resolution that still gives at least N points, and never returns more than N', (t) => {
  const ws = workspace(t);
  const sid = capture(ws);
  const q = new ChartQueries(ws.db);
  const cases: [number, number][] = [
    [50, 60], // 60 one-minute rows >= 50
    [61, 10], // 360 ten-second rows
    [360, 10],
    [361, 1],
    [5000, 1],
  ];
  for (const [n, res] of cases) {
    const r = unwrap(q.series({ sourceId: sid, metrics: ['bytes_per_second'], maxPoints: n }));
    assert.equal(r.resolution, res, `N=${n}`);
    assert.ok((r.series[0]?.t.length ?? 0) <= n, `N=${n}: ${r.series[0]?.t.length} points`);
  }
  for (const n of [1, 2, 3, 7, 99, 100, 1000]) {
    for (const res of [1, 10, 60]) {
      const r = unwrap(q.series({ sourceId: sid, metrics: ['packets'], maxPoints: n, resolution: res, from: T0 + 17, to: T0 + 3001 }));
      const pts = r.series[0]?.t ?? [];
      assert.ok(pts.length >= 1 && pts.length <= n, `N=${n} r=${res}: ${pts.length}`);
      assert.equal(r.bucketSeconds % res, 0);
    }
  }
});

test('downsampling keeps the peak: max of a bucket is the largest stored window, avg counts empty seconds as 0', (t) => {
  const ws = workspace(t);
  const sid = capture(ws);
  const q = new ChartQueries(ws.db);
  const r = unwrap(q.series({ sourceId: sid, metrics: ['bytes_per_second', 'packets', 'avg_packet_size'], maxPoints: 100, resolution: 1 }));
  assert.equal(r.bucketSeconds, 36);
  const [bps, packets, size] = r.series;
  assert.ok(bps !== undefined && packets !== undefined && size !== undefined);
  assert.equal(Math.max(...bps.max.map((v) => v ?? 0)), 5000 * 1500, 'the 1 s spike survives');
  const spikeBucket = bps.t.indexOf(T0 + 1224); // 1234 lies in [1224, 1260)
  assert.ok(spikeBucket >= 0);
  // Bucket [1224, 1260): 36 seconds, 12 of them empty → min 0, avg over all 36.
  let sum = 0;
  for (let i = 1224; i < 1260; i++) if (i % 3 !== 2) sum += i === 1234 ? 5000 : 1 + (i % 2);
  assert.equal(packets.min[spikeBucket], 0);
  assert.equal(packets.max[spikeBucket], 5000);
  assert.ok(Math.abs((packets.avg[spikeBucket] ?? 0) - sum / 36) < 1e-9);
  // A ratio is averaged from the sums (bytes / packets), not as a mean of per-second means.
  const bytes = 5000 * 1500 + (sum - 5000) * 100;
  assert.ok(Math.abs((size.avg[spikeBucket] ?? 0) - bytes / sum) < 1e-9);
  assert.equal(size.min[spikeBucket], 100);
  assert.equal(size.max[spikeBucket], 1500);

  // The spike at 60 s resolution is that minute's rate, and still the series' max.
  const coarse = unwrap(q.series({ sourceId: sid, metrics: ['bytes_per_second'], maxPoints: 10, resolution: 60 }));
  const minute = rollup(hourOfWindows(), 60).find((w) => w.t === T0 + 1200);
  assert.equal(Math.max(...(coarse.series[0]?.max ?? []).map((v) => v ?? 0)), (minute?.bytes ?? 0) / 60);
});

test('chart errors: unknown metric, resolution not stored, bad N, unknown source', (t) => {
  const ws = workspace(t);
  const sid = capture(ws);
  const q = new ChartQueries(ws.db);
  const bad = [
    q.series({ sourceId: sid, metrics: ['nope'], maxPoints: 10 }),
    q.series({ sourceId: sid, metrics: ['packets'], maxPoints: 10, resolution: 5 }),
    q.series({ sourceId: sid, metrics: ['packets'], maxPoints: 0 }),
    q.series({ sourceId: 999, metrics: ['packets'], maxPoints: 10 }),
    q.series({ sourceId: sid, metrics: ['packets'], maxPoints: 10, from: T0 + 50, to: T0 + 50 }),
    q.series({ sourceId: sid, metrics: ['packets'], maxPoints: 1e9 }),
  ];
  assert.deepEqual(
    bad.map((r) => (r.ok ? 'ok' : r.error.code)),
    ['invalid_argument', 'invalid_argument', 'invalid_argument', 'not_found', 'invalid_argument', 'invalid_argument'],
  );
  assert.match(bad[1]?.ok === false ? bad[1].error.message : '', /no 5 s windows \(stored: 1 s, 10 s, 60 s\)/);
});

test('protocol mix and packet sizes over a range', (t) => {
  const ws = workspace(t);
  const sid = capture(ws);
  const q = new ChartQueries(ws.db);
  const all = hourOfWindows();
  const pk = (from: number, to: number) => all.filter((w) => w.t >= from && w.t < to).reduce((s, w) => s + w.packets, 0);
  assert.deepEqual(q.protocolMix(sid).tcp.packets, pk(0, Infinity));
  assert.equal(q.protocolMix(sid, T0 + 600, T0 + 1800).tcp.packets, pk(T0 + 600, T0 + 1800)); // read at 60 s
  assert.equal(q.protocolMix(sid, T0 + 7, T0 + 1233).tcp.packets, pk(T0 + 7, T0 + 1233)); // read at 1 s
  const sizes = q.packetSizes(sid, T0 + 1230, T0 + 1240);
  assert.equal(sizes.length, 10);
  assert.equal(sizes[3]?.range, '80-159');
  assert.equal(sizes[3]?.count, pk(T0 + 1230, T0 + 1240));
});

test('an imported series charts its extra named values without zero-filling', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'series', path: '/s.csv', displayName: 's.csv', seriesStep: 300 });
  const w = new WindowsRepo(ws.db);
  const row = w.seriesWriter(sid, 300, []);
  const val = w.valuesWriter(sid, 300);
  for (let i = 0; i < 100; i++) {
    if (i === 50) continue; // a gap in the series is unknown, not zero
    row(T0 + i * 300, []);
    val('value', T0 + i * 300, i === 70 ? 1e6 : 10 + i);
  }
  const q = new ChartQueries(ws.db);
  const r = unwrap(q.series({ sourceId: sid, metrics: ['value'], maxPoints: 10 }));
  assert.equal(r.resolution, 300);
  assert.equal(r.bucketSeconds, 3000);
  const s = r.series[0];
  assert.ok(s !== undefined);
  assert.equal(s.t.length, 10);
  assert.equal(s.min[5], 61); // bucket 50..59 holds 51..59 (values 10 + i)
  assert.equal(s.avg[5], 65);
  assert.equal(s.max[7], 1e6);
});

test('charts work on a read-only workspace and inside an open write transaction', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-chart-ro-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'w.flowbench');
  const rw = openWorkspace(file);
  if (!rw.ok) throw new Error(rw.error.message);
  const sid = capture(rw.value);
  const ro = openWorkspace(file, { readonly: true });
  if (!ro.ok) throw new Error(ro.error.message);
  const fromRo = unwrap(new ChartQueries(ro.value.db).series({ sourceId: sid, metrics: ['packets'], maxPoints: 100, resolution: 1 }));
  rw.value.db.exec('BEGIN');
  const fromRw = unwrap(new ChartQueries(rw.value.db).series({ sourceId: sid, metrics: ['packets'], maxPoints: 100, resolution: 1 }));
  rw.value.db.exec('COMMIT');
  assert.deepEqual(fromRo, fromRw);
  assert.equal(fromRo.series[0]?.t.length, 100);
  ro.value.close();
  rw.value.close();
});
