import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { simulate } from '../simulate/simulator.js';
import { validateRequest } from '../workbench/validate-request.js';
import { runForecastTraining } from './forecast-train.js';
import { readModelFolder } from './model-files.js';
import { readSourceSeries } from './source-series.js';

// Bytes in flight and the RTT/BIF gradients (window columns of migration 5) as forecast inputs,
// on real captures: a generated one whose TCP sessions carry data (non-zero bytes in flight) and
// a UDP-only corpus capture (none).
const FLIGHT = ['bif_mean', 'bif_max', 'rtt_gradient', 'bif_gradient'];

test('bytes-in-flight inputs: default where TCP has them, selectable by name, listed in preprocessing.json, checked on import', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'forecast-features');
  const pcap = join(dir, 'baseline.pcapng');
  const sim = simulate({ scenario: 'baseline', duration: 300, out: pcap, rate: 30, seed: 3, shape: 'flat' });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
  const tcp = await ingestFile(ws.db, pcap);
  assert.ok(tcp.ok, tcp.ok ? '' : tcp.error.message);
  const udp = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__dns-tunnel-iodine.pcap'));
  assert.ok(udp.ok, udp.ok ? '' : udp.error.message);

  // Default inputs: the flight metrics where the source's TCP has non-zero bytes in flight, not elsewhere.
  const withTcp = readSourceSeries(ws.db, tcp.value.sourceId, { resolution: 1 });
  assert.ok(withTcp.ok);
  for (const m of ['bif_mean', 'bif_max']) assert.ok(withTcp.value.raw.columns[m]?.some((v) => v !== null && v > 0), `${m} is a default input`);
  const noTcp = readSourceSeries(ws.db, udp.value.sourceId);
  assert.ok(noTcp.ok);
  for (const m of FLIGHT) assert.equal(noTcp.value.raw.columns[m], undefined, `${m} is not an input of a UDP-only capture`);

  // Selected by name: exactly the target and those metrics, each with its difference.
  const out = join(dir, 'model');
  const r = await runForecastTraining(ws.db, { sourceId: tcp.value.sourceId, dir: out, resolution: 1, lookback: 6, horizon: 2, epochs: 1, features: FLIGHT });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')) as { features: { name: string; metric: string | null }[]; fill: Record<string, string> };
  const names = prep.features.map((f) => f.name);
  assert.deepEqual(names.slice(0, 2), ['bytes_per_second', 'd_bytes_per_second']);
  assert.ok(names.includes('bif_mean') && names.includes('d_bif_mean') && names.includes('bif_max'), names.join(', '));
  assert.ok(names.every((n) => ['bytes_per_second', ...FLIGHT].some((m) => n === m || n === `d_${m}`)), names.join(', '));
  assert.equal(prep.fill['bif_mean'], 'ffill');
  if (prep.fill['rtt_gradient'] !== undefined) assert.equal(prep.fill['rtt_gradient'], 'zero');
  assert.deepEqual((r.value.report['features'] as string[]), names);
  assert.ok(readModelFolder(out).ok);

  // Unknown or unusable names are errors naming the field.
  const unknown = await runForecastTraining(ws.db, { sourceId: tcp.value.sourceId, dir: join(dir, 'x'), resolution: 1, features: ['bif_mean', 'nope'] });
  assert.match(unknown.ok ? '' : unknown.error.message, /^features\[1\]: nope is not a metric of source \d+/);
  const none = await runForecastTraining(ws.db, { sourceId: udp.value.sourceId, dir: join(dir, 'y'), features: ['rtt_gradient'] });
  assert.match(none.ok ? '' : none.error.message, /^features\[0\]: source \d+ has no values of rtt_gradient \(no TCP data segments in range\)/);

  // The request's features field is checked by name.
  const req = (features: unknown): string => {
    const v = validateRequest('models.train', { task: 'forecast', sourceId: 1, features });
    return v.ok ? 'valid' : v.error.message;
  };
  assert.equal(req(FLIGHT), 'valid');
  assert.match(req(['bif_mean', 'Bad Name']), /features\[1\]: must be a metric name, got "Bad Name"/);
  assert.match(req('bif_mean'), /features: must be a list of at most 64 metric names/);

  // Import checks the inputs: names, order, fill rules.
  const edit = (f: (o: { features: { name: string; kind: string; metric: string | null }[]; fill: Record<string, unknown> }) => void): string => {
    const o = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')) as Parameters<typeof f>[0];
    f(o);
    writeFileSync(join(out, 'preprocessing.json'), JSON.stringify(o));
    const c = readModelFolder(out);
    writeFileSync(join(out, 'preprocessing.json'), JSON.stringify(prep));
    return c.ok ? 'accepted' : c.error.message;
  };
  const bif = names.indexOf('bif_mean');
  assert.match(edit((o) => { (o.features[bif + 1] as { name: string }).name = 'd_bif_max'; }), new RegExp(`preprocessing\\.json: features\\[${bif + 1}\\]\\.name: a diff input of bif_mean is named d_bif_mean, got "d_bif_max"`));
  assert.match(edit((o) => { delete o.fill['bif_mean']; }), /preprocessing\.json: fill\.bif_mean: must be "zero" or "ffill", got nothing/);
  assert.match(edit((o) => { [o.features[bif], o.features[bif + 1]] = [o.features[bif + 1] as never, o.features[bif] as never]; }), /the difference of bif_mean must follow its value input/);
  assert.equal(edit(() => undefined), 'accepted');
});
