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

/**
 * Runs the model on the consecutive windows of a feature matrix: the target indices
 * i = from … to−1, each read from rows i−L … i−1 of `x` (rows × F, row-major), m × H outputs.
 *
 * Consecutive windows overlap in L−1 rows, so the LSTM's input projection x·W + b is computed
 * once per row (one matMul over the rows) instead of once per window and step; each of the L
 * steps is then one (m × U)·(U × 4U) matMul over all windows at once, with the gates applied to
 * whole tensors, and the per-step tensors are freed as the loop goes (memory stays O(m × U)).
 * The arithmetic is the LSTM cell's (tfjs-layers' LSTMCell: gates i, f, c, o), so outputs equal
 * `model.predict` on the same windows to float rounding. Models of another shape (not
 * LSTM → Dense, or activations this does not know) fall back to `predictOutputs`.
 */
export function predictWindows(tf: Tf, model: LayersModel, x: Float32Array, shape: { lookback: number; features: number }, from: number, to: number): Float32Array {
  const L = shape.lookback;
  const F = shape.features;
  const m = to - from;
  if (m <= 0) return new Float32Array(0);
  if (from < L || (to - 1) * F > x.length) throw new Error(`predictWindows: windows ${from}…${to - 1} need rows ${from - L}…${to - 2} of ${x.length / F}`);
  const cell = lstmCell(model);
  if (cell === null) {
    const xs = new Float32Array(m * L * F);
    for (let k = 0; k < m; k++) xs.set(x.subarray((from + k - L) * F, (from + k) * F), k * L * F);
    return predictOutputs(tf, model, xs, m, shape);
  }
  const U = cell.units;
  // Columns are [i, f, o | c]: one clip (hard sigmoid, pre-scaled) or sigmoid for the three
  // gates, the cell activation for the candidate.
  const gates = (t: Tensor): Tensor => (cell.recurrentActivation === 'hardSigmoid' ? tf.clipByValue(t, 0, 1) : tf.sigmoid(t));
  const act = (t: Tensor): Tensor => (cell.activation === 'tanh' ? tf.tanh(t) : cell.activation === 'sigmoid' ? tf.sigmoid(t) : tf.clipByValue(tf.add(tf.mul(t, 0.2), 0.5), 0, 1));
  const G = 4 * U;
  const W = { kernel: tf.tensor2d(cell.kernel, [F, G]), recurrent: tf.tensor2d(cell.recurrent, [U, G]), dense: tf.tensor2d(cell.denseKernel, [U, cell.outputs]) };
  const P = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x.subarray((from - L) * F, (to - 1) * F), [m + L - 1, F]), W.kernel), tf.tensor1d(cell.bias)));
  let h: Tensor = tf.zeros([m, U]);
  let c: Tensor = tf.zeros([m, U]);
  try {
    for (let s = 0; s < L; s++) {
      const [h2, c2] = tf.tidy(() => {
        const z = tf.add(tf.slice(P, [s, 0], [m, 4 * U]), tf.matMul(h, W.recurrent));
        const [ifo, cand] = tf.split(z, [3 * U, U], 1) as [Tensor, Tensor];
        const [i, f, o] = tf.split(gates(ifo), 3, 1) as [Tensor, Tensor, Tensor];
        const cNext = tf.add(tf.mul(f, c), tf.mul(i, act(cand)));
        return [tf.mul(o, act(cNext)), cNext];
      });
      h.dispose();
      c.dispose();
      h = h2;
      c = c2;
    }
    return tf.tidy(() => tf.add(tf.matMul(h, W.dense), tf.tensor1d(cell.denseBias)).dataSync() as Float32Array);
  } finally {
    for (const t of [h, c, P, W.kernel, W.recurrent, W.dense]) t.dispose();
  }
}

/** An LSTM → Dense model's weights rearranged for `predictWindows` (kept while the model lives). */
interface LstmCellWeights {
  readonly units: number;
  readonly outputs: number;
  /** F × 4U, U × 4U and 4U, row-major, columns [i, f, o, c], the gate columns pre-scaled for the hard sigmoid. */
  readonly kernel: Float32Array;
  readonly recurrent: Float32Array;
  readonly bias: Float32Array;
  /** U × H and H. */
  readonly denseKernel: Float32Array;
  readonly denseBias: Float32Array;
  readonly activation: string;
  readonly recurrentActivation: string;
}

/** Plain arrays (no backend memory to free): the cache goes with the model. */
const cells = new WeakMap<LayersModel, LstmCellWeights | null>();

/**
 * The weights of an LSTM → Dense model this module built, gate columns reordered from tfjs's
 * [i, f, c, o] to [i, f, o, c]; with the hard sigmoid (clip(0.2 z + 0.5, 0, 1)) the gate columns
 * and bias are scaled by 0.2 and the bias shifted by 0.5, so the gates are one clip. Null for
 * any other shape. Cached per model: weights do not change after training.
 */
function lstmCell(model: LayersModel): LstmCellWeights | null {
  const hit = cells.get(model);
  if (hit !== undefined) return hit;
  const cell = buildCell(model);
  cells.set(model, cell);
  return cell;
}

function buildCell(model: LayersModel): LstmCellWeights | null {
  const [lstm, dense] = model.layers;
  if (model.layers.length !== 2 || lstm?.getClassName() !== 'LSTM' || dense?.getClassName() !== 'Dense') return null;
  const lc = lstm.getConfig();
  const dc = dense.getConfig();
  const activation = String(lc['activation']);
  const recurrentActivation = String(lc['recurrentActivation']);
  if (lc['returnSequences'] === true || lc['useBias'] === false || dc['useBias'] === false || String(dc['activation']) !== 'linear') return null;
  if (!['tanh', 'sigmoid', 'hardSigmoid'].includes(activation) || !['sigmoid', 'hardSigmoid'].includes(recurrentActivation)) return null;
  const [kernel, recurrent, bias] = lstm.getWeights().map((w) => w.dataSync() as Float32Array);
  const [denseKernel, denseBias] = dense.getWeights().map((w) => Float32Array.from(w.dataSync()));
  if (kernel === undefined || recurrent === undefined || bias === undefined || denseKernel === undefined || denseBias === undefined) return null;
  const U = Number(lc['units']);
  const hard = recurrentActivation === 'hardSigmoid';
  // Column j of [i, f, o, c] comes from column SOURCE(j) of [i, f, c, o].
  const source = (j: number): number => (j < 2 * U ? j : j < 3 * U ? j + U : j - U);
  const reorder = (w: Float32Array, isBias: boolean): Float32Array => {
    const G = 4 * U;
    const rows = w.length / G;
    const out = new Float32Array(w.length);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < G; j++) {
        const v = w[r * G + source(j)] ?? 0;
        out[r * G + j] = hard && j < 3 * U ? (isBias ? v * 0.2 + 0.5 : v * 0.2) : v;
      }
    }
    return out;
  };
  return {
    units: U, outputs: denseBias.length, kernel: reorder(kernel, false), recurrent: reorder(recurrent, false), bias: reorder(bias, true),
    denseKernel, denseBias, activation, recurrentActivation,
  };
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
