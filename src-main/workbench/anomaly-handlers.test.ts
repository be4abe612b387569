import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient, JobInfo } from '../../src-shared/api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';

// anomalies.* and drift.compare through the direct client (the transports' validation) on a
// real workspace: the NAB series ec2_network_in_257a54 (5-minute samples, one labelled window)
// opened with sources.open like the UI does, and real corpus captures for drift.

const NAB_NAME = 'realAWSCloudwatch/ec2_network_in_257a54.csv';
const NAB = join(corpusDir, 'timeseries', NAB_NAME);

function labelledWindows(): [number, number][] {
  const labels = JSON.parse(readFileSync(join(corpusDir, 'timeseries', 'labels.json'), 'utf8')) as { windows: Record<string, [string, string][]> };
  const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T').replace(/\.\d+$/, '')}Z`) / 1000;
  return (labels.windows[NAB_NAME] ?? []).map(([a, b]) => [utc(a), utc(b)]);
}

/** Opens a file as the UI does and resolves with its source id once the job is done. */
async function open(api: ApiClient, path: string): Promise<number> {
  const job = await openAndWait(api, path);
  assert.equal(job.phase, 'done', job.error?.message);
  assert.ok(job.sourceId !== null);
  return job.sourceId;
}

test('anomalies.detect on the NAB network series: ~5 % of windows flagged, one inside the labelled window, drivers explained', async (t) => {
  const { api } = openBench(t, 'anomaly');
  const sourceId = await open(api, NAB);
  const started = performance.now();
  const r = await value(api.call('anomalies.detect', { sourceId, seed: 1 }));
  const ms = performance.now() - started;
  t.diagnostic(`detect: ${r.windows} windows at ${r.resolution} s, ${r.anomalies.length} flagged, ${r.elapsedMs} ms in the worker, ${Math.round(ms)} ms the call`);
  // NAB's file has 4 032 five-minute samples (2014-04-10 … 2014-04-24).
  assert.equal(r.resolution, 300);
  assert.equal(r.windows, 4032);
  assert.equal(r.contamination, 0.05);
  // The threshold is the 95th percentile of the training scores: about 5 % above it.
  assert.ok(Math.abs(r.anomalies.length - 0.05 * r.windows) <= 0.01 * r.windows, `${r.anomalies.length} flagged`);
  const windows = labelledWindows();
  assert.equal(windows.length, 1);
  const inside = r.anomalies.filter((a) => windows.some(([a0, a1]) => a.t >= a0 && a.t <= a1));
  assert.ok(inside.length >= 1, 'no flag inside the labelled window');
  for (const a of r.anomalies) {
    assert.ok(a.score > r.threshold && a.score <= 1, `score ${a.score}`);
    assert.ok(a.probability >= 1 - r.contamination - 1e-9, `probability ${a.probability}`);
    assert.ok(a.drivers.length >= 1 && a.drivers.length <= 3);
    assert.equal(a.drivers[0]?.column, 'value', 'NAB has one column: value');
    assert.match(a.message, /severity anomaly at 2014-04-/);
  }
  assert.ok(r.anomalies.some((a) => a.severity === 'high'));
  // Sorted by time, strictly.
  assert.ok(r.anomalies.every((a, i) => i === 0 || a.t > (r.anomalies[i - 1]?.t ?? -Infinity)));

  // A higher contamination flags more; a range trains on that range only; same seed, same flags.
  const more = await value(api.call('anomalies.detect', { sourceId, seed: 1, contamination: 0.2 }));
  assert.ok(more.anomalies.length > 3 * r.anomalies.length);
  const again = await value(api.call('anomalies.detect', { sourceId, seed: 1 }));
  assert.deepEqual(again.anomalies.map((a) => a.t), r.anomalies.map((a) => a.t));
  const from = windows[0]![0] - 86400;
  const part = await value(api.call('anomalies.detect', { sourceId, from, to: from + 3 * 86400 }));
  assert.equal(part.windows, 3 * 86400 / 300);
  assert.ok(part.anomalies.every((a) => a.t >= from && a.t < from + 3 * 86400));
});

test('anomalies.* and drift.compare validation errors name the field; unknown sources are not_found', async (t) => {
  const { wb } = openBench(t, 'anomaly');
  const cases: [string, unknown, RegExp][] = [
    ['anomalies.detect', {}, /sourceId/],
    ['anomalies.detect', { sourceId: 1, contamination: 0 }, /contamination/],
    ['anomalies.detect', { sourceId: 1, contamination: 0.6 }, /contamination/],
    ['anomalies.detect', { sourceId: 1, contamination: '0.1' }, /contamination/],
    ['anomalies.detect', { sourceId: 1, resolution: 0 }, /resolution/],
    ['anomalies.detect', { sourceId: 1, from: 10, to: 5 }, /\bto\b/],
    ['anomalies.detect', { sourceId: 1, seed: -1 }, /seed/],
    ['anomalies.detect', { sourceId: 1, threshold: 1 }, /threshold: unknown field/],
    ['anomalies.residual', { sourceId: 1 }, /modelId/],
    ['drift.compare', { reference: { sourceId: 1 } }, /compared/],
    ['drift.compare', { reference: { sourceId: 'a' }, compared: { sourceId: 1 } }, /reference\.sourceId/],
    ['drift.compare', { reference: { sourceId: 1 }, compared: { sourceId: 1, from: 9, to: 1 } }, /compared\.to/],
    ['drift.compare', { reference: { sourceId: 1, x: 1 }, compared: { sourceId: 1 } }, /reference\.x/],
  ];
  for (const [method, req, field] of cases) {
    const r = await wb.call(method, req);
    assert.equal(r.ok, false, `${method} ${JSON.stringify(req)} should fail`);
    if (!r.ok) {
      assert.equal(r.error.code, 'invalid_argument', r.error.message);
      assert.match(r.error.message, field);
    }
  }
  for (const [method, req, field] of [
    ['anomalies.detect', { sourceId: 99 }, /sourceId/],
    ['anomalies.residual', { modelId: 99 }, /modelId/],
    ['drift.compare', { reference: { sourceId: 99 }, compared: { sourceId: 99 } }, /reference\.sourceId/],
  ] as const) {
    const r = await wb.call(method, req);
    assert.ok(!r.ok && r.error.code === 'not_found' && field.test(r.error.message), JSON.stringify(r));
  }
});

test('drift.compare: a capture against itself is 0 and stable; against another capture > 0 with contributions sorted', async (t) => {
  const { api } = openBench(t, 'anomaly');
  const firefox = await open(api, join(corpusDir, 'pcap', 'ndpi__443-firefox.pcap'));
  const kakao = await open(api, join(corpusDir, 'pcap', 'ndpi__KakaoTalk_talk.pcap'));

  const self = await value(api.call('drift.compare', { reference: { sourceId: firefox }, compared: { sourceId: firefox } }));
  assert.equal(self.verdict, 'stable');
  assert.match(self.summary, /^Stable/);
  for (const d of self.dimensions) {
    if (d.verdict === 'no data') continue;
    assert.equal(d.psi, 0, d.dimension);
    assert.equal(d.kl, 0, d.dimension);
    assert.equal(d.verdict, 'stable');
  }
  assert.ok(self.dimensions.some((d) => d.dimension === 'packet_size' && d.totalReference > 0));

  const other = await value(api.call('drift.compare', { reference: { sourceId: firefox }, compared: { sourceId: kakao } }));
  const withData = other.dimensions.filter((d) => d.verdict !== 'no data');
  assert.ok(withData.length >= 2);
  assert.ok(withData.some((d) => d.psi > 0 && d.kl > 0));
  assert.notEqual(other.verdict, 'stable');
  // Dimensions by PSI, and each dimension's contributions by PSI, largest first.
  assert.ok(withData.every((d, i) => i === 0 || d.psi <= (withData[i - 1]?.psi ?? Infinity)));
  for (const d of other.dimensions) {
    assert.ok(d.contributions.every((c, i) => i === 0 || c.psi <= (d.contributions[i - 1]?.psi ?? Infinity)));
    const sum = d.contributions.reduce((s, c) => s + c.psi, 0);
    assert.ok(Math.abs(sum - d.psi) < 1e-9, `${d.dimension}: ${sum} vs ${d.psi}`);
  }
  const protocol = other.dimensions.find((d) => d.dimension === 'protocol');
  assert.ok(protocol !== undefined && protocol.totalReference > 0 && protocol.totalCompared > 0);
});

test('anomalies.residual: the forecast windows whose residual leaves the validation band', async (t) => {
  const { api } = openBench(t, 'anomaly');
  const sourceId = await open(api, NAB);
  const first = Date.parse('2014-04-10T00:04:00Z') / 1000;
  let jobId: string | null = null;
  const done = new Promise<JobInfo>((resolve) => {
    const off = api.on('jobs.progress', (j) => {
      if (j.jobId === jobId && (j.phase === 'done' || j.phase === 'failed' || j.phase === 'cancelled')) {
        off();
        resolve(j);
      }
    });
  });
  const started = await value(api.call('models.train', { task: 'forecast', sourceId, lookback: 12, horizon: 3, epochs: 2, to: first + 1200 * 300 }));
  jobId = started.jobId;
  assert.equal((await done).phase, 'done');
  const r = await value(api.call('anomalies.residual', { modelId: started.modelId }));
  // The residual anomalies cover the whole source (models.forecast's default is the test split).
  const f = await value(api.call('models.forecast', { modelId: started.modelId, from: 0 }));
  assert.equal(r.sourceId, sourceId);
  assert.deepEqual(r.band, f.band);
  assert.ok(r.windows > 0 && r.windows <= f.t.length);
  const outside = f.residual.filter((x) => x !== null && (x < f.band.low || x > f.band.high)).length;
  assert.equal(r.anomalies.length, outside);
  for (const a of r.anomalies) {
    assert.ok(a.residual < r.band.low || a.residual > r.band.high);
    assert.equal(a.direction, a.residual > r.band.high ? 'above' : 'below');
    assert.ok(f.t.includes(a.t));
  }
});
