/**
 * The forecast LSTM in TensorFlow.js: one LSTM layer (L2-regularized, seeded initializers) →
 * a dense layer with H outputs (changes of the scaled target from the last window). Training
 * shuffles with a seeded generator (tfjs's own shuffle is not seedable) and runs one `fit`
 * epoch at a time, so early stopping with best-weights restore, per-epoch reports and a
 * cooperative cancel (`model.stopTraining` between batches) are in our hands. No dropout:
 * tfjs dropout draws unseeded randomness, and a run must be reproducible.
 */
import type { LayersModel, Sequential, Tensor } from '@tensorflow/tfjs';
import type { Tf } from './tf-backend.js';

/** Architecture and optimizer settings (saved in report.json). */
export interface ModelSettings {
  readonly units: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  readonly patience: number;
}

/** Default settings of the forecast LSTM. */
export const DEFAULT_SETTINGS: ModelSettings = { units: 32, batchSize: 64, learningRate: 0.003, l2: 1e-4, seed: 42, patience: 4 };

/** Training data as flat arrays: x is m × L × F, y m × H. */
export interface TrainData {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly count: number;
}

/** What one epoch reports. */
export interface EpochReport {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly valLoss: number | null;
  readonly elapsedSeconds: number;
}

/** How training ended. */
export interface TrainOutcome {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedBy: 'epochs' | 'early_stopping' | 'cancelled';
  readonly history: readonly { epoch: number; loss: number; valLoss: number | null }[];
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
}

/** Builds the LSTM for inputs L × F and H outputs. */
export function buildForecastModel(tf: Tf, lookback: number, features: number, horizon: number, s: ModelSettings): Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.lstm({
      units: s.units,
      inputShape: [lookback, features],
      kernelInitializer: tf.initializers.glorotUniform({ seed: s.seed }),
      recurrentInitializer: tf.initializers.glorotUniform({ seed: s.seed + 1 }),
      kernelRegularizer: tf.regularizers.l2({ l2: s.l2 }),
      recurrentRegularizer: tf.regularizers.l2({ l2: s.l2 }),
    }),
  );
  // Small outputs at start: the untrained model is close to persistence (delta 0).
  model.add(tf.layers.dense({ units: horizon, kernelInitializer: tf.initializers.randomUniform({ minval: -0.01, maxval: 0.01, seed: s.seed + 2 }) }));
  model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'meanSquaredError' });
  return model;
}

/**
 * Trains with early stopping on the validation loss and restores the best weights. `shouldStop`
 * is polled between batches; a cancelled run still ends with the best weights seen (the
 * interrupted epoch is scored on validation too, so even a first-epoch cancel leaves a model).
 */
export async function trainForecastModel(
  tf: Tf,
  model: LayersModel,
  shape: { lookback: number; features: number; horizon: number },
  train: TrainData,
  val: TrainData,
  opts: { epochs: number; settings: ModelSettings; shouldStop: () => boolean; onEpoch: (e: EpochReport) => void },
): Promise<TrainOutcome> {
  const { lookback: L, features: F, horizon: H } = shape;
  const s = opts.settings;
  const rand = mulberry32(s.seed);
  const started = performance.now();
  const history: { epoch: number; loss: number; valLoss: number | null }[] = [];
  let best: { loss: number; epoch: number; weights: Tensor[] } | null = null;
  let stoppedBy: TrainOutcome['stoppedBy'] = 'epochs';
  let seen = 0;
  const valX = val.count > 0 ? tf.tensor3d(val.x, [val.count, L, F]) : null;
  const valY = val.count > 0 ? tf.tensor2d(val.y, [val.count, H]) : null;
  const sx = new Float32Array(train.x.length);
  const sy = new Float32Array(train.y.length);
  const row = L * F;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const order = permutation(train.count, rand);
      for (let k = 0; k < order.length; k++) {
        const i = order[k] ?? 0;
        sx.set(train.x.subarray(i * row, (i + 1) * row), k * row);
        sy.set(train.y.subarray(i * H, (i + 1) * H), k * H);
      }
      const xs = tf.tensor3d(sx, [train.count, L, F]);
      const ys = tf.tensor2d(sy, [train.count, H]);
      let batches = 0;
      let cancelled = false;
      let fitted: Awaited<ReturnType<LayersModel['fit']>>;
      try {
        fitted = await model.fit(xs, ys, {
          epochs: 1, batchSize: s.batchSize, shuffle: false, verbose: 0, yieldEvery: 'batch',
          callbacks: {
            onBatchEnd: () => {
              batches++;
              if (opts.shouldStop()) {
                cancelled = true;
                model.stopTraining = true;
              }
            },
          },
        });
      } finally {
        xs.dispose();
        ys.dispose();
      }
      seen += Math.min(train.count, batches * s.batchSize);
      const loss = Number(fitted.history['loss']?.[0] ?? Number.NaN);
      const valLoss = valX !== null && valY !== null ? evaluateLoss(tf, model, valX, valY) : null;
      history.push({ epoch, loss, valLoss });
      const score = valLoss ?? loss;
      if (best === null || score < best.loss - 1e-7) {
        best?.weights.forEach((w) => w.dispose());
        best = { loss: score, epoch, weights: model.getWeights().map((w) => w.clone()) };
      }
      opts.onEpoch({ epoch, epochs: opts.epochs, loss, valLoss, elapsedSeconds: (performance.now() - started) / 1000 });
      if (cancelled) {
        stoppedBy = 'cancelled';
        break;
      }
      if (epoch - best.epoch >= s.patience) {
        stoppedBy = 'early_stopping';
        break;
      }
    }
    if (best !== null) model.setWeights(best.weights);
  } finally {
    best?.weights.forEach((w) => w.dispose());
    valX?.dispose();
    valY?.dispose();
  }
  const trainSeconds = (performance.now() - started) / 1000;
  return {
    epochsRun: history.length, bestEpoch: best?.epoch ?? 0, stoppedBy, history, trainSeconds,
    samplesPerSecond: trainSeconds > 0 ? seen / trainSeconds : 0,
  };
}

function evaluateLoss(tf: Tf, model: LayersModel, x: Tensor, y: Tensor): number {
  return tf.tidy(() => {
    const p = model.predict(x, { batchSize: 1024 }) as Tensor;
    return tf.losses.meanSquaredError(y, p).dataSync()[0] ?? Number.NaN;
  });
}

/** Runs the model on m samples (x: m × L × F); the m × H outputs. */
export function predictOutputs(tf: Tf, model: LayersModel, x: Float32Array, m: number, shape: { lookback: number; features: number }): Float32Array {
  if (m === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const t = tf.tensor3d(x, [m, shape.lookback, shape.features]);
    const p = model.predict(t, { batchSize: 1024 }) as Tensor;
    return p.dataSync() as Float32Array;
  });
}

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i] ?? 0;
    p[i] = p[j] ?? 0;
    p[j] = t;
  }
  return p;
}
