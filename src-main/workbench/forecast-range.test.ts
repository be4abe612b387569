import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobInfo } from '../../src-shared/api.js';
import type { ModelDetail } from '../../src-shared/models-api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';
import { WHOLE_SOURCE_WINDOWS } from '../ml/forecast-predict.js';

// models.forecast with no from/to on real NAB series (5-minute samples): the test split of the
// training source (and everything after it), the last 15 % of another long source, and the
// whole of a short one; the H windows ahead follow the last actual each time.
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch');
const RES = 300;
const L = 12;
const H = 3;

test('models.forecast without a range: the test split of a long training source, the last 15 % of another, all of a short one', async (t) => {
  const { api, dir } = openBench(t, 'forecast-range');
  const open = async (path: string): Promise<number> => {
    const j = await openAndWait(api, path);
    assert.equal(j.phase, 'done', j.error?.message);
    assert.ok(j.sourceId !== null);
    return j.sourceId;
  };
  const trainId = await open(join(NAB, 'ec2_network_in_257a54.csv'));
  const otherId = await open(join(NAB, 'ec2_network_in_5abac7.csv'));
  const shortCsv = join(dir, 'short.csv');
  writeFileSync(shortCsv, readFileSync(join(NAB, 'ec2_network_in_5abac7.csv'), 'utf8').split('\n').slice(0, 1501).join('\n') + '\n');
  const shortId = await open(shortCsv);

  let jobId: string | null = null;
  const done = new Promise<JobInfo>((resolve) => {
    const off = api.on('jobs.progress', (j) => {
      if (j.jobId === jobId && (j.phase === 'done' || j.phase === 'failed' || j.phase === 'cancelled')) {
        off();
        resolve(j);
      }
    });
  });
  const started = await value(api.call('models.train', { task: 'forecast', sourceId: trainId, lookback: L, horizon: H, epochs: 1 }));
  jobId = started.jobId;
  assert.equal((await done).phase, 'done');
  const m: ModelDetail = await value(api.call('models.get', { modelId: started.modelId }));
  const split = m.report['split'] as { windows: number; valEnd: number; to: number };
  assert.ok(split.windows > WHOLE_SOURCE_WINDOWS);

  // Training source: inputs from L windows before the test split, predictions from its first window to the end.
  const own = await value(api.call('models.forecast', { modelId: started.modelId }));
  assert.equal(own.t[0], split.valEnd - L * RES);
  assert.equal(own.t[L], split.valEnd);
  assert.equal(own.predicted[L - 1], null);
  assert.ok(own.predicted[L] !== null);
  assert.equal(own.t[own.t.length - 1], split.to - RES);
  assert.deepEqual(own.ahead.t, [1, 2, 3].map((h) => split.to - RES + h * RES));
  assert.equal(own.ahead.predicted.length, H);
  // An explicit range is still honoured: from 0 is the whole source.
  const whole = await value(api.call('models.forecast', { modelId: started.modelId, from: 0 }));
  assert.equal(whole.t.length, split.windows);

  // Another long source: its last 15 % predicted, with the lookback before it.
  const other = await value(api.call('models.forecast', { modelId: started.modelId, sourceId: otherId }));
  const otherAll = await value(api.call('models.forecast', { modelId: started.modelId, sourceId: otherId, from: 0 }));
  const n = otherAll.t.length;
  assert.ok(n > WHOLE_SOURCE_WINDOWS);
  assert.equal(other.t.length, Math.ceil(n * 0.15) + L);
  assert.equal(other.t[other.t.length - 1], otherAll.t[n - 1]);
  assert.deepEqual(other.ahead, otherAll.ahead);

  // A short source: all of it.
  const short = await value(api.call('models.forecast', { modelId: started.modelId, sourceId: shortId }));
  assert.equal(short.t.length, 1500);
  assert.equal(short.predicted.filter((p) => p !== null).length, 1500 - L);
});
