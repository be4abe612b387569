import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { simulate } from '../simulate/simulator.js';
import { validateRequest } from '../workbench/validate-request.js';
import { runTypeForecasts, typeSeries } from './forecast-by-type.js';
import { forecastSource, loadModel } from './forecast-predict.js';
import { runForecastTraining } from './forecast-train.js';
import { loadTf } from './tf-backend.js';

// Capacity forecast per traffic type and per service on a real capture: a small `mixed`
// scenario (web/TLS with SNI, DNS, bulk and interactive flows, floods, a scan and a DNS
// tunnel) generated here, analysed into a workspace. The per-type series must add up to the
// window's bytes, and every series' forecast must have finite metrics beside its baselines.

test('per-type and per-service bytes add up to the window bytes; each series forecasts with finite metrics and baselines', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'by-type');
  const pcap = join(dir, 'mixed.pcapng');
  const sim = simulate({ scenario: 'mixed', duration: 300, out: pcap, rate: 40, seed: 9 });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
  const ing = await ingestFile(ws.db, pcap);
  assert.ok(ing.ok, ing.ok ? '' : ing.error.message);
  const sourceId = ing.value.sourceId;

  for (const by of ['traffic_type', 'service'] as const) {
    const r = typeSeries(ws.db, sourceId, by, { resolution: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const s = r.value;
    assert.equal(s.resolution, 1);
    assert.ok(s.t.length >= 200, `${s.t.length} windows with packets`);
    const names = [...s.series.keys()];
    assert.ok(names.length >= 3, `${by}: ${names.join(', ')}`);
    assert.ok(names.filter((n) => n !== 'other' && n !== 'unattributed').length <= 5);
    for (let i = 0; i < s.t.length; i++) {
      let sum = 0;
      for (const col of s.series.values()) {
        assert.ok((col[i] ?? -1) >= 0);
        sum += col[i] ?? 0;
      }
      const total = s.total[i] ?? 0;
      assert.ok(Math.abs(sum - total) <= 1e-9 * Math.max(1, total), `${by}, window ${s.t[i]}: types sum to ${sum}, window has ${total}`);
    }
    if (by === 'traffic_type') assert.ok(names.includes('web') || names.includes('streaming') || names.includes('dns'), names.join(', '));
    else assert.ok(names.some((n) => n.includes('.')), `services are names: ${names.join(', ')}`);
  }

  const out = join(dir, 'by-type');
  const run = await runTypeForecasts(ws.db, { sourceId, by: 'traffic_type', dir: out, resolution: 1, lookback: 6, horizon: 2, epochs: 1, top: 3 });
  assert.ok(run.ok, run.ok ? '' : run.error.message);
  const trained = run.value.forecasts.filter((f) => f.evaluation !== null);
  assert.ok(trained.length >= 3, run.value.forecasts.map((f) => `${f.name}: ${f.error ?? 'ok'}`).join('; '));
  const shares = run.value.forecasts.reduce((a, f) => a + f.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9, `shares add to ${shares}`);
  for (const f of trained) {
    const e = f.evaluation;
    assert.ok(e !== null && e.points > 0);
    for (const sc of [e.model, e.persistence]) for (const v of [sc.mae, sc.rmse, sc.smape, sc.skill]) assert.ok(Number.isFinite(v), `${f.name}: ${JSON.stringify(sc)}`);
    assert.equal(e.persistence.skill, 0);
    assert.ok(f.dir !== null && existsSync(join(f.dir, 'preprocessing.json')));
  }

  // A per-type model forecasts its own series again: models.forecast / predict read the same split.
  const first = trained[0];
  assert.ok(first?.dir !== null && first?.dir !== undefined);
  const { tf } = await loadTf();
  const loaded = await loadModel(tf, first.dir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  assert.equal(loaded.value.prep.series?.name, first.name);
  const fc = forecastSource(tf, ws.db, loaded.value, sourceId);
  assert.ok(fc.ok, fc.ok ? '' : fc.error.message);
  const split = typeSeries(ws.db, sourceId, 'traffic_type', { resolution: 1, top: 3 });
  assert.ok(split.ok);
  const col = split.value.series.get(first.name);
  assert.ok(col !== undefined);
  const at = new Map(fc.value.t.map((x, i) => [x, fc.value.actual[i]]));
  split.value.t.forEach((x, i) => assert.equal(at.get(x), col[i], `${first.name} at ${x}`));
  // Asking for a name the split does not have, or a bad selector, is an error naming the field.
  const missing = await runForecastTraining(ws.db, { sourceId, dir: join(dir, 'none'), resolution: 1, series: { by: 'service', name: 'no.such.name' } });
  assert.match(missing.ok ? '' : missing.error.message, /^series\.name: source \d+ has no service "no\.such\.name" \(it has: /);
  const bad = validateRequest('models.train', { task: 'forecast', sourceId, series: { by: 'colour', name: 'x' } });
  assert.match(bad.ok ? '' : bad.error.message, /series\.by: must be one of traffic_type, service/);
  assert.ok(validateRequest('models.train', { task: 'forecast', sourceId, series: { by: 'service', name: 'example.com', top: 3 } }).ok);
});
