import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';
import { simulate } from '../simulate/simulator.js';

// models.typeSeries on a generated mixed capture opened through the workbench: the series it
// lists are the per-type split's, and their bytes add up to the source's bytes in its windows
// (read independently from the workspace file).

test('models.typeSeries lists each traffic type and service with bytes adding up to the windows; bad requests name the field', async (t) => {
  const { api, dir, db } = openBench(t, 'type-series');
  const pcap = join(dir, 'mixed.pcapng');
  const sim = simulate({ scenario: 'mixed', duration: 120, out: pcap, rate: 40, seed: 5 });
  assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
  const job = await openAndWait(api, pcap);
  assert.equal(job.phase, 'done', JSON.stringify(job.error));
  const sourceId = job.sourceId ?? 0;

  const read = new Database(db, { readonly: true, fileMustExist: true });
  const windowBytes = (read.prepare('SELECT SUM(bytes) AS b FROM windows WHERE source_id = ? AND resolution = 1').get(sourceId) as { b: number }).b;
  read.close();
  assert.ok(windowBytes > 0);

  for (const by of ['traffic_type', 'service'] as const) {
    const list = await value(api.call('models.typeSeries', { sourceId, by, resolution: 1 }));
    assert.equal(list.by, by);
    assert.equal(list.resolution, 1);
    const names = list.series.map((s) => s.name);
    assert.ok(names.length >= 3, names.join(', '));
    assert.equal(new Set(names).size, names.length, 'names are unique');
    const sum = list.series.reduce((a, s) => a + s.bytes, 0);
    assert.ok(Math.abs(sum - windowBytes) <= 1e-6 * windowBytes, `${by}: series bytes ${sum} vs window bytes ${windowBytes}`);
    assert.ok(list.series.every((s) => s.bytes >= 0), 'no negative bytes');
  }
  const top2 = await value(api.call('models.typeSeries', { sourceId, by: 'service', top: 2, resolution: 1 }));
  assert.ok(top2.series.filter((s) => s.name !== 'other' && s.name !== 'unattributed').length <= 2);

  const bad = await api.call('models.typeSeries', { sourceId, by: 'colour' } as never);
  assert.ok(!bad.ok && /\bby: must be one of traffic_type, service, got "colour"/.test(bad.error.message), bad.ok ? '' : bad.error.message);
  const missing = await api.call('models.typeSeries', { sourceId: 9999, by: 'service' });
  assert.ok(!missing.ok && /sourceId: no source 9999/.test(missing.error.message), missing.ok ? '' : missing.error.message);
});
