/**
 * The flow classifier in TensorFlow.js: an MLP (two ReLU layers, L2, seeded initializers, no
 * dropout since tfjs dropout is unseeded) over the scaled statistics and the flattened
 * early-packet sequence, softmax over the classes, trained with balanced class weights on a
 * seeded per-epoch shuffle. A 1-D convolution over the 30 × 3 sequence is not built yet: the
 * sequence enters the MLP flattened.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { mulberry32, permutation } from '../forecast-model.js';
import type { Tf } from '../tf-backend.js';
import { classWeights } from './classify-eval.js';

/** Settings of the classifier. */
export interface ClassifierSettings {
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
}

/** Defaults: small layers so batch scoring stays near 100 k flows/s in plain JS (bench/classify-ndpi.ts). */
export const DEFAULT_CLASSIFIER: ClassifierSettings = { hidden: [32, 16], epochs: 30, batchSize: 64, learningRate: 0.002, l2: 1e-4, seed: 42 };

/** Builds the MLP for `features` inputs and `classes` outputs. */
export function buildClassifier(tf: Tf, features: number, classes: number, s: ClassifierSettings): LayersModel {
  const model = tf.sequential();
  s.hidden.forEach((units, i) => {
    model.add(tf.layers.dense({
      units, activation: 'relu', ...(i === 0 ? { inputShape: [features] } : {}),
      kernelInitializer: tf.initializers.heNormal({ seed: s.seed + i }),
      kernelRegularizer: tf.regularizers.l2({ l2: s.l2 }),
    }));
  });
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: s.seed + 99 }) }));
  model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** One epoch's report. */
export interface ClassifierEpoch {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
}

/**
 * Trains on x (n × features, scaled) and y (class indices) for `epochs` epochs with balanced
 * class weights; `shouldStop` is polled between batches. Returns the epochs run and whether it was cancelled.
 */
export async function trainClassifier(
  tf: Tf,
  model: LayersModel,
  x: Float32Array,
  y: Int32Array,
  features: number,
  classes: number,
  opts: { settings: ClassifierSettings; shouldStop?: () => boolean; onEpoch?: (e: ClassifierEpoch) => void; rowWeight?: Float32Array },
): Promise<{ epochsRun: number; cancelled: boolean; history: { epoch: number; loss: number }[] }> {
  const s = opts.settings;
  const n = y.length;
  const rand = mulberry32(s.seed);
  // With row weights each epoch is a seeded weighted draw of n rows (tfjs fit has no per-row
  // weights); without, a seeded shuffle with balanced class weights.
  const weights = opts.rowWeight === undefined ? classWeights(y, classes) : undefined;
  const cumulative = opts.rowWeight === undefined ? null : cumulativeOf(opts.rowWeight);
  const sx = new Float32Array(x.length);
  const sy = new Float32Array(n);
  const history: { epoch: number; loss: number }[] = [];
  let cancelled = false;
  for (let epoch = 1; epoch <= s.epochs && !cancelled; epoch++) {
    const order = cumulative === null ? permutation(n, rand) : weightedDraw(cumulative, n, rand);
    for (let k = 0; k < n; k++) {
      const i = order[k] ?? 0;
      sx.set(x.subarray(i * features, (i + 1) * features), k * features);
      sy[k] = y[i] ?? 0;
    }
    const xs = tf.tensor2d(sx, [n, features]);
    const ys = tf.tensor1d(sy, 'float32');
    try {
      const fitted = await model.fit(xs, ys, {
        epochs: 1, batchSize: s.batchSize, shuffle: false, verbose: 0, ...(weights === undefined ? {} : { classWeight: weights }),
        callbacks: {
          onBatchEnd: () => {
            if (opts.shouldStop?.() === true) {
              cancelled = true;
              model.stopTraining = true;
            }
          },
        },
      });
      const loss = Number(fitted.history['loss']?.[0] ?? Number.NaN);
      history.push({ epoch, loss });
      opts.onEpoch?.({ epoch, epochs: s.epochs, loss });
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }
  return { epochsRun: history.length, cancelled, history };
}

function cumulativeOf(w: Float32Array): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += Math.max(0, w[i] ?? 0);
  return c;
}

/** n row indices drawn with replacement, row i with probability w[i] / Σw (binary search on the cumulative sums). */
function weightedDraw(cumulative: Float64Array, n: number, rand: () => number): Int32Array {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const u = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    out[k] = lo;
  }
  return out;
}

/** Class probabilities of m rows (x: m × features), row-major m × classes. */
export function predictProbabilities(tf: Tf, model: LayersModel, x: Float32Array, m: number, features: number): Float32Array {
  if (m === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const p = model.predict(tf.tensor2d(x, [m, features]), { batchSize: 4096 }) as Tensor;
    return p.dataSync() as Float32Array;
  });
}

/** The arg-max class and its probability of each row of a probability matrix. */
export function argmaxRows(p: Float32Array, classes: number): { label: Int32Array; confidence: Float32Array } {
  const m = classes === 0 ? 0 : p.length / classes;
  const label = new Int32Array(m);
  const confidence = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    let bv = -1;
    for (let c = 0; c < classes; c++) {
      const v = p[i * classes + c] ?? 0;
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    label[i] = best;
    confidence[i] = bv;
  }
  return { label, confidence };
}

/** The dense layers of a trained MLP as plain arrays: kernel [in × out] row-major, bias, activation. */
export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly relu: boolean;
}

/** Copies the weights of the classifier's dense layers out of tfjs (once per loaded model). */
export function denseLayers(model: LayersModel): DenseLayer[] {
  return model.layers.map((layer, i) => {
    const [k, b] = layer.getWeights();
    if (k === undefined || b === undefined || k.shape.length !== 2) throw new Error(`layer ${i} is not a dense layer`);
    return {
      inputs: k.shape[0] ?? 0, units: k.shape[1] ?? 0, kernel: k.dataSync() as Float32Array, bias: b.dataSync() as Float32Array,
      relu: i < model.layers.length - 1,
    };
  });
}

/** Float64 copies of each layer's kernel and bias, made once per layers array (a model's layers never change). */
const float64Weights = new WeakMap<readonly DenseLayer[], { kernels: Float64Array[]; biases: Float64Array[] }>();

function weightsOf(layers: readonly DenseLayer[]): { kernels: Float64Array[]; biases: Float64Array[] } {
  let w = float64Weights.get(layers);
  if (w === undefined) {
    w = { kernels: layers.map((l) => Float64Array.from(l.kernel)), biases: layers.map((l) => Float64Array.from(l.bias)) };
    float64Weights.set(layers, w);
  }
  return w;
}

/**
 * Class probabilities by a plain-JS forward pass of the dense layers (m × classes). For batch
 * scoring this beats tfjs's wasm/cpu kernels here by a wide margin: the layers are small, and
 * the per-call overhead and tensor copies dominate.
 *
 * Float64 activations and kernels (no float32 rounding on every store). Inputs that are zero
 * (most of the padded early-packet sequence, ReLU outputs) are skipped; the unit loop is
 * unrolled by 8, which V8 runs markedly faster (bench/classify-ndpi.ts) without changing the
 * order of the additions. `out` (m × classes, e.g. a subarray of a larger result) saves a copy.
 */
export function forwardProbabilities(layers: readonly DenseLayer[], x: Float32Array, m: number, out?: Float32Array): Float32Array {
  const { kernels, biases } = weightsOf(layers);
  const widest = Math.max(...layers.map((l) => l.units), layers[0]?.inputs ?? 0);
  let a = new Float64Array(widest);
  let b = new Float64Array(widest);
  const classes = layers[layers.length - 1]?.units ?? 0;
  const width = layers[0]?.inputs ?? 0;
  const o = out ?? new Float32Array(m * classes);
  for (let r = 0; r < m; r++) {
    const base = r * width;
    for (let i = 0; i < width; i++) a[i] = x[base + i] as number;
    for (let li = 0; li < layers.length; li++) {
      const { inputs, units, relu } = layers[li] as DenseLayer;
      const kernel = kernels[li] as Float64Array;
      const bias = biases[li] as Float64Array;
      for (let j = 0; j < units; j++) b[j] = bias[j] as number;
      const u8 = units & ~7;
      for (let i = 0; i < inputs; i++) {
        const v = a[i] as number;
        if (v === 0) continue;
        let k = i * units;
        let j = 0;
        for (; j < u8; j += 8, k += 8) {
          b[j] = (b[j] as number) + v * (kernel[k] as number);
          b[j + 1] = (b[j + 1] as number) + v * (kernel[k + 1] as number);
          b[j + 2] = (b[j + 2] as number) + v * (kernel[k + 2] as number);
          b[j + 3] = (b[j + 3] as number) + v * (kernel[k + 3] as number);
          b[j + 4] = (b[j + 4] as number) + v * (kernel[k + 4] as number);
          b[j + 5] = (b[j + 5] as number) + v * (kernel[k + 5] as number);
          b[j + 6] = (b[j + 6] as number) + v * (kernel[k + 6] as number);
          b[j + 7] = (b[j + 7] as number) + v * (kernel[k + 7] as number);
        }
        for (; j < units; j++, k++) b[j] = (b[j] as number) + v * (kernel[k] as number);
      }
      if (relu) for (let j = 0; j < units; j++) if ((b[j] as number) < 0) b[j] = 0;
      const t = a;
      a = b;
      b = t;
    }
    // softmax of the last layer's logits (now in `a`)
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, a[j] as number);
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp((a[j] as number) - max);
      b[j] = e;
      sum += e;
    }
    for (let j = 0; j < classes; j++) o[r * classes + j] = (b[j] as number) / sum;
  }
  return o;
}
