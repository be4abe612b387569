import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiClient } from '../../src-shared/api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';
import { openWorkspace } from '../store/workspace.js';
import { runExplore } from './explore-run.js';

// features.explore through the direct client on a real workspace: corpus captures opened with
// sources.open as the UI does, and the figures checked against the windows table read here with
// SQL (bytes and packets, gap-filled by hand) and the textbook formulas.

const pcap = (name: string): string => join(corpusDir, 'pcap', name);

async function open(api: ApiClient, path: string): Promise<number> {
  const job = await openAndWait(api, path);
  assert.equal(job.phase, 'done', job.error?.message);
  assert.ok(job.sourceId !== null);
  return job.sourceId;
}

function refPearson(x: number[], y: number[]): number {
  const n = x.length;
  let sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!; sy += y[i]!; sxy += x[i]! * y[i]!; sxx += x[i]! ** 2; syy += y[i]! ** 2;
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

const refRanks = (x: number[]): number[] => x.map((v) => x.filter((w) => w < v).length + (x.filter((w) => w === v).length + 1) / 2);

test('features.explore on the Netflix capture: rates, correlations and PCA equal an independent read of the windows', async (t) => {
  const { api, db } = openBench(t, 'explore');
  const sourceId = await open(api, pcap('ndpi__netflix.pcap'));
  const r = await value(api.call('features.explore', { sourceId, resolution: 1 }));
  t.diagnostic(`netflix: ${r.windows} windows × ${r.features.length} features in ${r.elapsedMs.toFixed(1)} ms; keep ${r.suggestions.keep.length}, drop ${r.suggestions.drop.map((d) => d.feature).join(', ')}`);

  // Independent: the stored 1 s windows, idle seconds filled with 0 bytes and packets.
  const raw = new Database(db, { readonly: true });
  const rows = raw.prepare('SELECT t, bytes, packets FROM windows WHERE source_id = ? AND resolution = 1 ORDER BY t').all(sourceId) as { t: number; bytes: number; packets: number }[];
  raw.close();
  const first = rows[0]!.t;
  const count = rows[rows.length - 1]!.t - first + 1;
  const bps = new Array<number>(count).fill(0);
  const pps = new Array<number>(count).fill(0);
  for (const w of rows) {
    bps[w.t - first] = w.bytes;
    pps[w.t - first] = w.packets;
  }
  assert.equal(r.windows, count);
  assert.equal(r.from, first);
  assert.equal(r.to, first + count);
  // The capture spans 89.9 s: 90 or 91 one-second windows.
  assert.ok(count >= 90 && count <= 91, `${count} windows`);
  const ib = r.features.indexOf('bytes_per_second');
  const ip = r.features.indexOf('packets_per_second');
  assert.ok(ib >= 0 && ip >= 0);
  const sb = r.stats[ib]!;
  assert.equal(sb.count, count);
  assert.equal(sb.missing, 0);
  assert.ok(Math.abs(sb.mean! - bps.reduce((s, x) => s + x, 0) / count) < 1e-6);
  assert.equal(sb.max, Math.max(...bps));
  // Total wire bytes of the capture (Wireshark: 1 793 packets) over the windows.
  assert.equal(Math.round(sb.mean! * count), rows.reduce((s, w) => s + w.bytes, 0));
  assert.equal(r.histograms[ib]!.counts.reduce((s, x) => s + x, 0), count);
  assert.ok(Math.abs(r.pearson.values[ib]![ip]! - refPearson(bps, pps)) < 1e-9);
  assert.ok(Math.abs(r.spearman.values[ib]![ip]! - refPearson(refRanks(bps), refRanks(pps))) < 1e-9);
  assert.equal(r.pearson.values.length, r.features.length);
  // bytes_per_second_diff is the difference of consecutive seconds.
  const id = r.features.indexOf('bytes_per_second_diff');
  assert.equal(r.stats[id]!.count, count - 1);
  assert.ok(Math.abs(r.stats[id]!.mean! - (bps[count - 1]! - bps[0]!) / (count - 1)) < 1e-6);

  const pca = r.pca;
  assert.ok(pca !== null, r.pcaNote ?? '');
  const sum = pca.eigenvalues.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(sum - pca.features.length) < 1e-6, `eigenvalues sum ${sum} for ${pca.features.length} features`);
  assert.ok(Math.abs(pca.explainedVarianceRatio.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  assert.ok(pca.explainedVarianceRatio.every((x, k) => k === 0 || x <= pca.explainedVarianceRatio[k - 1]! + 1e-12));
  assert.equal(pca.projection.t.length, pca.windows);
  // Scores have mean 0 and variance λ1 over the complete windows.
  const m1 = pca.projection.pc1.reduce((s, x) => s + x, 0) / pca.windows;
  const v1 = pca.projection.pc1.reduce((s, x) => s + (x - m1) ** 2, 0) / (pca.windows - 1);
  assert.ok(Math.abs(m1) < 1e-9 && Math.abs(v1 - pca.eigenvalues[0]!) < 1e-6, `mean ${m1}, variance ${v1} vs λ1 ${pca.eigenvalues[0]}`);
  assert.equal(r.anomalies, null);
  assert.match(r.anomalyNote, /coloured by time only/);

  // A stored detection colours the projection: anomalies.detect at 1 s stores its flags.
  const detected = await value(api.call('anomalies.detect', { sourceId, resolution: 1, seed: 1, contamination: 0.1 }));
  assert.ok(detected.anomalies.length > 0);
  const flaggedT = new Set(detected.anomalies.map((a) => a.t));
  const flagged = await value(api.call('features.explore', { sourceId, resolution: 1 }));
  t.diagnostic(`netflix again (warm): ${flagged.elapsedMs.toFixed(1)} ms; ${detected.anomalies.length} windows flagged by the detector`);
  assert.ok(flagged.anomalies !== null);
  assert.equal(flagged.anomalies.stored, detected.anomalies.length);
  assert.equal(flagged.anomalies.modelId, null);
  const proj = flagged.pca!.projection;
  assert.equal(flagged.anomalies.flagged.length, proj.t.length);
  proj.t.forEach((pt, k) => assert.equal(flagged.anomalies!.flagged[k], flaggedT.has(pt), `window ${pt}`));
  const shown = flagged.anomalies.flagged.filter(Boolean).length;
  t.diagnostic(`${shown} of ${proj.t.length} projected windows flagged`);
  assert.ok(shown > 0, 'a flagged window among the projected ones');
  assert.match(flagged.anomalyNote, new RegExp(`latest stored anomaly detection \\(fitted on the fly, ${detected.anomalies.length} flagged windows\\)`));
  // At 10 s a point is flagged when its window holds a flagged second.
  const coarse = await value(api.call('features.explore', { sourceId, resolution: 10 }));
  const cp = coarse.pca?.projection;
  if (cp !== undefined) {
    cp.t.forEach((pt, k) => assert.equal(coarse.anomalies!.flagged[k], [...flaggedT].some((f) => f >= pt && f < pt + 10), `10 s window ${pt}`));
  }

  // Asked-for features, a range and bad arguments named by field.
  const some = await value(api.call('features.explore', { sourceId, resolution: 1, from: first + 10, to: first + 40, features: ['packets_per_second', 'bif_mean'] }));
  assert.equal(some.windows, 30);
  assert.deepEqual(some.features.filter((f) => f !== 'bif_mean'), ['packets_per_second']);
  const bad = await api.call('features.explore', { sourceId, features: ['tcp_rtt_ms_diff'] });
  assert.ok(!bad.ok && /^features: unknown feature "tcp_rtt_ms_diff"/.test(bad.error.message), JSON.stringify(bad));
  const badRes = await api.call('features.explore', { sourceId, resolution: 7 });
  assert.ok(!badRes.ok && /no 7 s windows/.test(badRes.error.message));
  const missing = await api.call('features.explore', { sourceId: 999 });
  assert.ok(!missing.ok && missing.error.code === 'not_found' && /sourceId/.test(missing.error.message));
  const unknown = await api.call('features.explore', { sourceId, colour: 'red' } as never);
  assert.ok(!unknown.ok && /colour: unknown field/.test(unknown.error.message));
});

test('features.explore past 2 000 windows runs in the worker with the same figures; past the cap it says what to change', async (t) => {
  const { api, db } = openBench(t, 'explore-big');
  const wechat = await open(api, pcap('ndpi__wechat.pcap'));
  const started = performance.now();
  const big = await value(api.call('features.explore', { sourceId: wechat, resolution: 1 }));
  t.diagnostic(`wechat: ${big.windows} windows × ${big.features.length} features, ${big.elapsedMs.toFixed(0)} ms in the worker, ${(performance.now() - started).toFixed(0)} ms the call`);
  assert.ok(big.windows > 2000, `${big.windows} windows`);
  // The same run inline on another connection gives the same numbers.
  const ws = openWorkspace(db, { readonly: true });
  assert.ok(ws.ok);
  const inline = runExplore(ws.value.db, { sourceId: wechat, resolution: 1 });
  ws.value.close();
  assert.ok(inline.ok);
  assert.deepEqual(inline.value.pearson, big.pearson);
  assert.deepEqual(inline.value.pca?.eigenvalues, big.pca?.eigenvalues);
  // Default resolution: the finest with at most 50 000 windows (1 s here).
  assert.equal((await value(api.call('features.explore', { sourceId: wechat }))).resolution, 1);

  // 1kxun spans 184 million seconds (a clock jump): even 60 s windows exceed the cap.
  const kxun = await open(api, pcap('ndpi__1kxun.pcap'));
  const capped = await api.call('features.explore', { sourceId: kxun });
  assert.ok(!capped.ok);
  assert.match(capped.error.message, /^resolution: \d+ windows of 60 s in the range, more than the 50000 one exploration reads: choose a coarser resolution or a shorter range$/);
});
