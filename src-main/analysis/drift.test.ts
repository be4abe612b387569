import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { compareDistributions, compareSources, DRIFT_DIMENSIONS, poolTail, sourceDistributions } from './drift.js';
import { ingestFile } from './ingest-pipeline.js';
import { trafficTypeOf } from './traffic-type-rules.js';

const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) < tol;

test('PSI and KL on a hand-computed example (no smoothing)', () => {
  // a = (0.5, 0.5), b = (0.8, 0.2):
  // PSI = 0.3 ln 1.6 + (−0.3) ln 0.4 = 0.4158883; KL(b‖a) = 0.8 ln 1.6 + 0.2 ln 0.4 = 0.1927448
  const r = compareDistributions({ x: 50, y: 50 }, { x: 80, y: 20 }, 0);
  assert.ok(close(r.psi, 0.4158883), `psi ${r.psi}`);
  assert.ok(close(r.kl, 0.1927448), `kl ${r.kl}`);
  assert.equal(r.verdict, 'significant shift');
  assert.deepEqual(r.categories.map((c) => c.category), ['y', 'x']); // y contributes 0.2749, x 0.1410
  assert.ok(close(r.categories[0]!.psi, 0.2748872));
  assert.match(r.summary, /^Significant shift \(PSI 0\.416\); largest changes: y 50\.0 % → 20\.0 %/);
});

test('PSI bands and smoothing: a one-sided category gives a finite term; identical inputs give 0', () => {
  // (0.5, 0.5) → (0.55, 0.45): PSI = 0.05 ln 1.1 + 0.05 ln(1/0.9) = 0.0100335 → stable
  assert.equal(compareDistributions({ x: 50, y: 50 }, { x: 55, y: 45 }, 0).verdict, 'stable');
  // (0.5, 0.5) → (0.65, 0.35): PSI = 0.15 ln 1.3 + 0.15 ln(1/0.7) = 0.0928574 → stable; 0.68: 0.1310 → moderate
  assert.equal(compareDistributions({ x: 50, y: 50 }, { x: 68, y: 32 }, 0).verdict, 'moderate shift');
  const one = compareDistributions({ x: 10 }, { x: 5, y: 5 });
  assert.ok(Number.isFinite(one.psi) && one.psi > 0.25);
  // ε = 1e-4, k = 2: shares a = ((1 + ε)/(1 + 2ε), ε/(1 + 2ε)), b = (0.5001/1.0002, 0.5001/1.0002)
  const e = 1e-4;
  const a0 = (1 + e) / (1 + 2 * e), a1 = e / (1 + 2 * e), b0 = (0.5 + e) / (1 + 2 * e);
  assert.ok(close(one.psi, (b0 - a0) * Math.log(b0 / a0) + (b0 - a1) * Math.log(b0 / a1)));
  const same = compareDistributions({ a: 3, b: 7, c: 0 }, { a: 3, b: 7 });
  assert.equal(same.psi, 0);
  assert.equal(same.kl, 0);
  assert.equal(compareDistributions({}, { a: 1 }).verdict, 'no data');
});

test('poolTail keeps the most frequent names and pools the rest', () => {
  const [a, b] = poolTail({ n1: 10, n2: 1, n3: 1 }, { n1: 5, n4: 2 }, 2);
  assert.deepEqual(a, { n1: 10, '(other names)': 2 });
  assert.deepEqual(b, { n1: 5, n4: 2 });
});

test('traffic-type rules: names before ports', () => {
  assert.equal(trafficTypeOf(443, 'occ-0-1-2.1.nflxvideo.net', null), 'streaming');
  assert.equal(trafficTypeOf(443, 'example.org', null), 'web');
  assert.equal(trafficTypeOf(53, null, 'example.org'), 'dns');
  assert.equal(trafficTypeOf(40000, null, null), 'other');
});

test('drift on real captures: a source against itself is 0, against another capture > 0', async (t) => {
  const { ws } = openTempWorkspace(t, 'drift');
  const a = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__netflix.pcap'));
  const b = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__youtube_quic.pcap'));
  assert.ok(a.ok && b.ok);
  const sa = { sourceId: a.value.sourceId };
  const sb = { sourceId: b.value.sourceId };
  const dist = sourceDistributions(ws.db, sa);
  // netflix.pcap: 1 793 packets (capinfos), split by protocol and by size bucket.
  const total = (d: Record<string, number>): number => Object.values(d).reduce((s, v) => s + v, 0);
  assert.equal(total(dist.protocol), 1793);
  assert.equal(total(dist.packet_size), 1793);
  assert.ok((dist.sni['api-global.netflix.com'] ?? 0) > 0);
  const self = compareSources(ws.db, sa, sa);
  for (const dim of DRIFT_DIMENSIONS) {
    assert.equal(self[dim].psi, 0, dim);
    assert.equal(self[dim].kl, 0, dim);
  }
  const other = compareSources(ws.db, sa, sb);
  assert.ok(other.protocol.psi > 0.25, `protocol PSI ${other.protocol.psi}`); // QUIC is UDP, netflix mostly TCP
  assert.ok(other.packet_size.psi > 0);
  assert.ok(other.traffic_type.psi > 0);
  // No SNI is read from QUIC Initials: one side without names is 'no data', not 'stable'.
  assert.equal(other.sni.verdict, 'no data');
  assert.deepEqual(other.protocol.categories.slice(0, 2).map((c) => c.category).sort(), ['tcp', 'udp']);
  // Two halves of the same capture differ a little, not 0 and not like another capture.
  const mid = 1484319075;
  const halves = compareSources(ws.db, { ...sa, to: mid }, { ...sa, from: mid });
  assert.ok(halves.packet_size.psi > 0 && halves.packet_size.psi < other.packet_size.psi);
});
