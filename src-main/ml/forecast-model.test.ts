import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { featureMatrix, fitPreprocessing, makeSamples, scaledTarget, toGrid } from './forecast-dataset.js';
import { buildForecastModel, DEFAULT_SETTINGS, predictOutputs, predictWindows } from './forecast-model.js';
import { loadTf } from './tf-backend.js';

// predictWindows (the batched path of models.forecast, predict and evaluation) against
// tfjs-layers' own model.predict on the same windows of a real series (NAB
// ec2_network_in_5abac7, 600 values), with weights drawn far from the near-zero initial ones so
// every gate and the cell state matter.
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_5abac7.csv');

test('predictWindows equals model.predict on every consecutive window (hard-sigmoid and sigmoid gates)', async () => {
  const values = readFileSync(NAB, 'utf8').trim().split('\n').slice(1, 601).map((l) => Number(l.split(',')[1]));
  const grid = toGrid({ kind: 'series', resolution: 300, t: values.map((_, i) => 1_400_000_000 + i * 300), columns: { value: values } });
  const prep = fitPreprocessing(grid, { target: 'value', kind: 'series', extractor: 'test', lookback: 10, horizon: 3 });
  const { tf } = await loadTf();
  const x = featureMatrix(prep, grid);
  const z = scaledTarget(prep, grid);
  const L = prep.lookback;
  const F = prep.features.length;
  const n = grid.t.length;
  for (const recurrentActivation of ['hardSigmoid', 'sigmoid'] as const) {
    // Our model (tfjs's default hard-sigmoid gates), and its twin with logistic gates (Keras's default).
    const model = buildForecastModel(tf, L, F, prep.horizon, { ...DEFAULT_SETTINGS, units: 8 });
    assert.equal(model.layers[0]?.getConfig()['recurrentActivation'], 'hardSigmoid');
    const m = recurrentActivation === 'hardSigmoid' ? model : sigmoidTwin(tf, L, F, prep.horizon);
    m.setWeights(m.getWeights().map((w, k) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 11 + k)));
    const idx = Int32Array.from({ length: n - L + 1 }, (_, k) => L + k);
    const expected = predictOutputs(tf, m, makeSamples(prep, x, z, idx).x, idx.length, { lookback: L, features: F });
    const before = tf.memory().numTensors;
    const got = predictWindows(tf, m, x, { lookback: L, features: F }, L, n + 1);
    assert.equal(tf.memory().numTensors, before, 'no tensor is left behind');
    assert.equal(got.length, expected.length);
    let spread = 0;
    for (let i = 0; i < got.length; i++) {
      assert.ok(Math.abs((got[i] ?? 0) - (expected[i] ?? 0)) <= 1e-5 * Math.max(1, Math.abs(expected[i] ?? 0)), `${recurrentActivation}: output ${i}`);
      spread = Math.max(spread, Math.abs(expected[i] ?? 0));
    }
    assert.ok(spread > 0.1, 'the outputs are not all near zero');
    // A sub-range gives the same numbers as the whole.
    const part = predictWindows(tf, m, x, { lookback: L, features: F }, L + 100, L + 150);
    assert.deepEqual(Array.from(part), Array.from(got.subarray(100 * prep.horizon, 150 * prep.horizon)));
    assert.throws(() => predictWindows(tf, m, x, { lookback: L, features: F }, L - 1, L + 5), /need rows -1/);
    model.dispose();
    if (m !== model) m.dispose();
  }
});

function sigmoidTwin(tf: Awaited<ReturnType<typeof loadTf>>['tf'], L: number, F: number, H: number) {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 8, inputShape: [L, F], recurrentActivation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: H }));
  return model;
}
