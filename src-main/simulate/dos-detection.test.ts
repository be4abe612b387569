import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { openWorkspace } from '../store/workspace.js';
import { runDetection } from '../workbench/anomaly-detect.js';
import { scoreFlags } from './event-scoring.js';
import type { EventLabel } from './scenario.js';
import { simulate } from './simulator.js';

// A small generated DoS scenario, ingested into a real workspace: the labelled events are where
// the 1 s window metrics change, and the anomaly detector at its default contamination flags
// windows inside both (what bench/anomaly-dos.ts measures on longer runs).

const dir = mkdtempSync(join(tmpdir(), 'flowbench-dos-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('scoreFlags: an event is found by one overlapping flag; flags inside count once', () => {
  const events: EventLabel[] = [{ kind: 'syn_flood', from: 100, to: 110 }, { kind: 'udp_flood', from: 200, to: 205 }];
  const s = scoreFlags(events, [99, 100, 109, 110, 150, 204], 1);
  assert.deepEqual(s.events.map((e) => e.flags), [2, 1]);
  assert.equal(s.eventsFound, 2);
  assert.equal(s.flagsInside, 3);
  assert.equal(s.flagShare, 0.5);
  // A 10 s window starting at 95 overlaps [100, 110).
  assert.equal(scoreFlags(events, [95], 10).eventsFound, 1);
  assert.equal(scoreFlags(events, [], 1).flagShare, 0);
  assert.equal(scoreFlags([], [1], 1).eventShare, 1);
});

test('a generated DoS scenario: the window metrics change inside its events, and the detector finds both', async (t) => {
  const out = join(dir, 'dos.pcapng');
  const sim = simulate({ scenario: 'dos', duration: 240, rate: 200, seed: 2, shape: 'flat', out });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
  const events = sim.value.events;
  assert.deepEqual(events.map((e) => e.kind).sort(), ['syn_flood', 'udp_flood']);
  const ws = openWorkspace(join(dir, 'dos.flowbench'));
  assert.ok(ws.ok, ws.ok ? '' : ws.error.message);
  try {
    const ingested = await ingestFile(ws.value.db, out);
    assert.ok(ingested.ok, ingested.ok ? '' : ingested.error.message);
    const sourceId = ingested.value.sourceId;
    assert.equal(ingested.value.packets, sim.value.packets);

    // Mean of a 1 s window metric inside an event and in the windows outside every event.
    const rows = ws.value.db
      .prepare('SELECT t, packets_per_second AS pps, new_connections AS nc, udp_percent AS udp FROM windows WHERE source_id = ? AND resolution = 1')
      .all(sourceId) as { t: number; pps: number; nc: number; udp: number }[];
    const inside = (t: number, e: EventLabel): boolean => t >= e.from && t < e.to;
    const mean = (k: 'pps' | 'nc' | 'udp', pick: (t: number) => boolean): number => {
      const xs = rows.filter((r) => pick(r.t)).map((r) => r[k] ?? 0);
      return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    };
    const outside = (t: number): boolean => events.every((e) => !inside(t, e));
    const syn = events.find((e) => e.kind === 'syn_flood')!;
    const udp = events.find((e) => e.kind === 'udp_flood')!;
    const ratio = (k: 'pps' | 'nc', e: EventLabel): number => mean(k, (t) => inside(t, e)) / Math.max(1e-9, mean(k, outside));
    assert.ok(ratio('nc', syn) > 10, `new connections in the SYN flood ×${ratio('nc', syn).toFixed(1)}`);
    assert.ok(ratio('pps', syn) > 2, `packets/s in the SYN flood ×${ratio('pps', syn).toFixed(1)}`);
    assert.ok(ratio('pps', udp) > 2, `packets/s in the UDP flood ×${ratio('pps', udp).toFixed(1)}`);
    const udpIn = mean('udp', (t) => inside(t, udp));
    const udpOut = mean('udp', outside);
    assert.ok(udpIn > udpOut + 30, `UDP share in the UDP flood ${udpIn.toFixed(1)} % vs ${udpOut.toFixed(1)} % outside`);
    // The change starts at the labelled second: the window before each event is ordinary.
    for (const e of [syn, udp]) {
      const before = mean('pps', (t) => t === e.from - 1);
      const first = mean('pps', (t) => t === e.from);
      assert.ok(first > 1.5 * before, `${e.kind}: ${first} packets/s in its first second vs ${before} the second before`);
    }

    const r = runDetection(ws.value.db, { sourceId, resolution: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.equal(r.value.contamination, 0.05);
    const score = scoreFlags(events, r.value.anomalies.map((a) => a.t), r.value.resolution);
    t.diagnostic(`events found ${score.eventsFound}/2, flags inside ${score.flagsInside}/${score.flags}`);
    assert.equal(score.eventsFound, 2, `events found: ${JSON.stringify(score.events)}`);
    // Flags land inside the events more often than windows picked at random would (the events'
    // share of the capture); bursty baseline bulk flows take the other flags.
    const chance = events.reduce((a, e) => a + e.to - e.from, 0) / r.value.windows;
    assert.ok(score.flagShare > chance, `flags inside events ${score.flagsInside}/${score.flags}, chance ${chance.toFixed(2)}`);
  } finally {
    ws.value.close();
  }
});
