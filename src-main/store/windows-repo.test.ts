import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import type { Workspace } from './workspace.js';
import { SourcesRepo } from './sources-repo.js';
import { WindowsRepo } from './windows-repo.js';
import { deriveWindowMetrics, emptyWindowSums, PLEN_COLUMNS, PROTO_COLUMNS, SUM_COLUMNS } from './window-columns.js';
import type { MutableWindowSums } from './window-columns.js';
import { WINDOW_VALUE_COLUMNS } from './window-columns.js';
import { buildWindowRow, mergeWindowRows } from '../analysis/window-aggregate-row.js';
import type { WindowCounts } from '../analysis/window-aggregate-row.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): Workspace {
  return openTempWorkspace(t, 'win').ws;
}

function sums(t: number, seed: number): MutableWindowSums {
  const w = emptyWindowSums(t);
  w.packets = 10 + seed;
  w.bytes = 1000 * (seed + 1) + 7;
  w.captured_bytes = w.bytes - 3;
  PLEN_COLUMNS.forEach((c, i) => (w[c] = (i * 3 + seed) % 5));
  w.tcp_packets = 4 + (seed % 3);
  w.tcp_bytes = 400 * seed;
  w.udp_packets = 3;
  w.udp_bytes = 300;
  w.icmp_packets = 1;
  w.icmp_bytes = 64;
  w.other_packets = w.packets - w.tcp_packets - 4;
  w.other_bytes = 10;
  w.rtt_sum = 12 * (seed + 1);
  w.rtt_count = seed + 1;
  w.tcp_rtt_p99_ms = 20 + seed;
  w.latency_sum = seed === 0 ? 0 : 500;
  w.latency_count = seed === 0 ? 0 : 2;
  w.latency_p99_ms = seed === 0 ? null : 300;
  w.active_connections = 2 + seed;
  w.new_connections = seed;
  return w;
}

function close(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

test('stored metrics equal deriveWindowMetrics at every resolution', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new WindowsRepo(ws.db);
  for (const res of [1, 10, 60]) {
    for (let seed = 0; seed < 5; seed++) {
      const w = sums(res * 1000 + seed * res, seed);
      repo.upsert(sid, res, w);
      const row = repo.page(sid, res, { from: w.t, to: w.t + 1 })[0];
      assert.ok(row !== undefined);
      const want = deriveWindowMetrics(w, res);
      for (const m of WINDOW_METRICS) close(row[m], want[m], `${m} at ${res} s, seed ${seed}`);
      assert.equal(row['packets'], w.packets);
      assert.equal(row['captured_bytes'], w.captured_bytes);
      assert.deepEqual(PLEN_COLUMNS.map((c) => row[c]), PLEN_COLUMNS.map((c) => w[c]));
    }
  }
  assert.deepEqual(repo.resolutions(sid), [1, 10, 60]);
});

test('a late part of a window merges additively into the stored row', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new WindowsRepo(ws.db);
  const a = sums(500, 0);
  const b = sums(500, 3);
  repo.upsert(sid, 10, a);
  repo.upsert(sid, 10, sums(510, 1)); // the aggregator moved on…
  repo.upsert(sid, 10, b); // …then packets with older timestamps arrived.

  const merged = emptyWindowSums(500);
  for (const c of [...PLEN_COLUMNS, ...PROTO_COLUMNS, ...SUM_COLUMNS, 'packets', 'bytes', 'captured_bytes'] as const) {
    merged[c] = a[c] + b[c];
  }
  merged.tcp_rtt_p99_ms = Math.max(a.tcp_rtt_p99_ms ?? 0, b.tcp_rtt_p99_ms ?? 0);
  merged.latency_p99_ms = b.latency_p99_ms; // a had no latency samples
  merged.active_connections = (a.active_connections ?? 0) + (b.active_connections ?? 0);
  merged.new_connections = (a.new_connections ?? 0) + (b.new_connections ?? 0);
  const rows = repo.page(sid, 10);
  assert.deepEqual(rows.map((r) => r.t), [500, 510]);
  const row = rows[0];
  assert.ok(row !== undefined);
  const want = deriveWindowMetrics(merged, 10);
  for (const m of WINDOW_METRICS) close(row[m], want[m], m);
  assert.equal(row['packets'], 23);
  assert.equal(row['rtt_count'], 5);
  close(row['tcp_rtt_ms'], (12 + 48) / 5, 'mean rtt from the merged sums');
  close(row['tcp_rtt_p99_ms'], 23, 'p99 = the larger of the two');
  assert.deepEqual(PLEN_COLUMNS.map((c) => row[c]), PLEN_COLUMNS.map((c) => merged[c]));

  // A late part whose connection counts are unknown keeps the known ones.
  repo.upsert(sid, 10, { ...sums(510, 2), active_connections: null, new_connections: null });
  const late = repo.page(sid, 10, { from: 510, to: 511 })[0];
  assert.equal(late?.['active_connections'], 3);
  assert.equal(late?.['new_connections'], 1);
});

test('pages are sparse, time-ordered, ranged and keyset-paged', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new WindowsRepo(ws.db);
  // Two bursts 3 years apart: only their windows exist.
  const times = [1e9, 1e9 + 1, 1e9 + 2, 1e9 + 94_608_000, 1e9 + 94_608_001];
  ws.db.transaction(() => times.forEach((x, i) => repo.upsert(sid, 1, sums(x, i))))();
  assert.equal(repo.count(sid, 1, -1e300, 1e300), 5);
  const p1 = repo.page(sid, 1, { limit: 2 });
  assert.deepEqual(p1.map((r) => r.t), times.slice(0, 2));
  const p2 = repo.page(sid, 1, { limit: 2, after: p1[1]?.t ?? 0 });
  assert.deepEqual(p2.map((r) => r.t), times.slice(2, 4));
  assert.deepEqual(repo.page(sid, 1, { from: 1e9 + 2, to: 1e9 + 94_608_001 }).map((r) => r.t), [1e9 + 2, 1e9 + 94_608_000]);
  assert.deepEqual(repo.extent(sid, 1), { first: 1e9, last: 1e9 + 94_608_001 });
  assert.equal(repo.extent(sid, 60), null);
});

test('batched upserts in one transaction: rows per second', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new WindowsRepo(ws.db);
  const w = sums(0, 2);
  const n = 86_400;
  const start = process.hrtime.bigint();
  ws.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      w.t = 1_700_000_000 + i;
      repo.upsert(sid, 1, w);
    }
  })();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  t.diagnostic(`windows upsert: ${n} rows in ${s.toFixed(3)} s = ${Math.round(n / s)} rows/s`);
  assert.equal(repo.count(sid, 1, -1e300, 1e300), n);
});

test("the aggregator's rows store as they are, and a partial row merges as mergeWindowRows says", (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new WindowsRepo(ws.db);
  const counts = (seed: number, partial: boolean): WindowCounts => {
    const w = sums(1_700_000_010, seed);
    return { ...w, resolution: 10, partial };
  };
  const a = buildWindowRow(counts(1, false));
  const b = buildWindowRow(counts(4, true));
  repo.upsert(sid, a.resolution, a);
  repo.upsert(sid, b.resolution, b);
  const want = mergeWindowRows(a, b);
  const row = repo.page(sid, 10)[0];
  assert.ok(row !== undefined);
  for (const c of [...WINDOW_VALUE_COLUMNS]) {
    close(row[c], (want as unknown as Record<string, number | null>)[c] ?? null, c);
  }
});
