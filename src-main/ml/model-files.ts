/**
 * A model folder (docs/decisions/0002-model-files.md): `model.json` + `weights.bin` (the
 * TensorFlow.js layers format, written by our own IO handler since tfjs-node's file:// handler
 * is not available everywhere), `preprocessing.json` and `report.json`. Reading validates the
 * format version, the required files and the features, and names the file and field at fault.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { io, LayersModel } from '@tensorflow/tfjs';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { PREPROCESSING_VERSION } from './forecast-dataset.js';
import type { ForecastPreprocessing, InputFeature } from './forecast-dataset.js';
import { isScaler } from './scalers.js';
import type { Tf } from './tf-backend.js';

/** Files every model folder holds. */
export const MODEL_FILES = ['model.json', 'weights.bin', 'preprocessing.json', 'report.json'] as const;
/** Version of report.json. */
export const REPORT_VERSION = 1;

/** Saves a layers model as model.json + weights.bin in `dir`. */
export async function saveLayersModel(tf: Tf, model: LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const handler: io.IOHandler = {
    save: (a: io.ModelArtifacts) => {
      const data = a.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const weights = Buffer.concat(buffers.map((b) => Buffer.from(b)));
      const json = {
        format: a.format ?? 'layers-model', generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology, trainingConfig: a.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'weights.bin'), weights);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
    },
  };
  await model.save(handler);
}

/** Loads model.json + weights.bin from `dir`; errors name the file. */
export async function loadLayersModel(tf: Tf, dir: string): Promise<Result<LayersModel>> {
  const jsonPath = join(dir, 'model.json');
  const binPath = join(dir, 'weights.bin');
  let parsed: { modelTopology?: unknown; weightsManifest?: { paths?: unknown; weights?: io.WeightsManifestEntry[] }[]; trainingConfig?: io.TrainingConfig; format?: string };
  try {
    parsed = JSON.parse(readFileSync(jsonPath, 'utf8')) as typeof parsed;
  } catch (e) {
    return err({ code: 'corrupt', message: `${jsonPath}: not a readable TensorFlow.js model.json: ${(e as Error).message}` });
  }
  const specs = parsed.weightsManifest?.[0]?.weights;
  if (typeof parsed.modelTopology !== 'object' || parsed.modelTopology === null || !Array.isArray(specs)) {
    return err({ code: 'corrupt', message: `${jsonPath}: modelTopology or weightsManifest is missing` });
  }
  const bin = readFileSync(binPath);
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bin.length !== expected) {
    return err({ code: 'corrupt', message: `${binPath}: ${bin.length} bytes, model.json's weightsManifest needs ${expected}` });
  }
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length);
  try {
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: specs, weightData, ...(parsed.format === undefined ? {} : { format: parsed.format }) }),
    );
    return ok(model);
  } catch (e) {
    return err({ code: 'corrupt', message: `${jsonPath}: cannot build the model: ${(e as Error).message.split('\n')[0] ?? ''}` });
  }
}

/** Writes preprocessing.json and report.json. */
export function writeModelDocs(dir: string, prep: ForecastPreprocessing, report: Readonly<Record<string, unknown>>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'preprocessing.json'), `${JSON.stringify(prep, null, 2)}\n`);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

/** A checked model folder: its preprocessing and report. */
export interface ModelFolder {
  readonly dir: string;
  readonly preprocessing: ForecastPreprocessing;
  readonly report: Readonly<Record<string, unknown>>;
}

/** Checks that `dir` is a complete model folder this version reads; errors name the file and field. */
export function readModelFolder(dir: string): Result<ModelFolder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return err({ code: 'not_found', message: `${dir}: no such model folder` });
  for (const f of MODEL_FILES) {
    if (!existsSync(join(dir, f))) return err({ code: 'not_found', message: `${join(dir, f)}: missing (a model folder holds ${MODEL_FILES.join(', ')})` });
  }
  const prepPath = join(dir, 'preprocessing.json');
  const prep = readJson(prepPath);
  if (!prep.ok) return prep;
  const checked = checkPreprocessing(prep.value, prepPath);
  if (!checked.ok) return checked;
  const reportPath = join(dir, 'report.json');
  const report = readJson(reportPath);
  if (!report.ok) return report;
  if (report.value['formatVersion'] !== REPORT_VERSION) {
    return err({ code: 'unsupported', message: `${reportPath}: formatVersion ${show(report.value['formatVersion'])}, this Flowbench reads ${REPORT_VERSION}` });
  }
  const modelJson = readJson(join(dir, 'model.json'));
  if (!modelJson.ok) return modelJson;
  const shape = inputShape(modelJson.value);
  if (shape !== null && (shape[0] !== checked.value.lookback || shape[1] !== checked.value.features.length)) {
    return err({
      code: 'corrupt',
      message: `${prepPath}: features: ${checked.value.features.length} inputs over lookback ${checked.value.lookback}, but model.json expects [${shape.join(', ')}]`,
    });
  }
  return ok({ dir, preprocessing: checked.value, report: report.value });
}

function readJson(path: string): Result<Record<string, unknown>> {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return err({ code: 'corrupt', message: `${path}: not a JSON object` });
    return ok(v as Record<string, unknown>);
  } catch (e) {
    return err({ code: 'corrupt', message: `${path}: not valid JSON: ${(e as Error).message}` });
  }
}

/** Validates a preprocessing.json document. */
export function checkPreprocessing(o: Record<string, unknown>, path: string): Result<ForecastPreprocessing> {
  const bad = (field: string, what: string): Result<never> => err({ code: 'corrupt', message: `${path}: ${field}: ${what}` });
  if (o['formatVersion'] !== PREPROCESSING_VERSION) {
    return err({ code: 'unsupported', message: `${path}: formatVersion ${show(o['formatVersion'])}, this Flowbench reads ${PREPROCESSING_VERSION}` });
  }
  if (o['task'] !== 'forecast') return bad('task', `must be "forecast", got ${show(o['task'])}`);
  if (typeof o['target'] !== 'string' || o['target'] === '') return bad('target', 'must be a metric name');
  for (const k of ['resolution', 'lookback', 'horizon', 'clip']) {
    if (typeof o[k] !== 'number' || !(o[k] > 0)) return bad(k, `must be a positive number, got ${show(o[k])}`);
  }
  if (!Number.isInteger(o['lookback']) || !Number.isInteger(o['horizon'])) return bad('lookback', 'lookback and horizon must be whole windows');
  if (o['output'] !== 'delta') return bad('output', `must be "delta", got ${show(o['output'])}`);
  if (typeof o['extractor'] !== 'string') return bad('extractor', 'must be the window extractor version');
  if (!isScaler(o['targetScaler'])) return bad('targetScaler', 'must be { log1p, center, scale > 0 }');
  const fs = o['features'];
  if (!Array.isArray(fs) || fs.length === 0) return bad('features', 'must be a non-empty list');
  const kinds = ['value', 'diff', 'tod_sin', 'tod_cos'];
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i] as Partial<InputFeature> | null;
    if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || !kinds.includes(String(f.kind))) {
      return bad(`features[${i}]`, 'must be { name, kind: value|diff|tod_sin|tod_cos, metric, log1p, scaler }');
    }
    if ((f.kind === 'value' || f.kind === 'diff') && typeof f.metric !== 'string') return bad(`features[${i}].metric`, 'must name a window metric');
    if (typeof f.log1p !== 'boolean' || !isScaler(f.scaler)) return bad(`features[${i}]`, 'log1p and scaler are required');
  }
  // Each input is named for what it is, once; a difference follows its metric's value; every
  // metric has a fill rule. (Flight metrics — bif_mean, bif_max, rtt_gradient, bif_gradient —
  // are metrics like any other here.)
  const fill = o['fill'];
  const seen = new Set<string>();
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i] as InputFeature;
    const expected = f.kind === 'value' ? f.metric : f.kind === 'diff' ? `d_${String(f.metric)}` : f.kind === 'tod_sin' ? 'time_of_day_sin' : 'time_of_day_cos';
    if (f.name !== expected) return bad(`features[${i}].name`, `a ${f.kind} input of ${String(f.metric)} is named ${String(expected)}, got ${show(f.name)}`);
    if (seen.has(f.name)) return bad(`features[${i}].name`, `${f.name} is listed twice`);
    seen.add(f.name);
    if (f.kind === 'diff' && !seen.has(String(f.metric))) return bad(`features[${i}]`, `the difference of ${String(f.metric)} must follow its value input`);
    if (f.metric !== null && f.kind === 'value') {
      const rule = typeof fill === 'object' && fill !== null ? (fill as Record<string, unknown>)[f.metric] : undefined;
      if (rule !== 'zero' && rule !== 'ffill') return bad(`fill.${f.metric}`, `must be "zero" or "ffill", got ${show(rule)}`);
    }
  }
  const series = o['series'];
  if (series !== undefined) {
    const sel = series as { by?: unknown; name?: unknown } | null;
    const top = (sel as { top?: unknown } | null)?.top;
    if (typeof sel !== 'object' || sel === null || (sel.by !== 'traffic_type' && sel.by !== 'service') || typeof sel.name !== 'string' || sel.name === ''
      || (top !== undefined && !(Number.isInteger(top) && (top as number) > 0))) {
      return bad('series', `must be { by: "traffic_type" | "service", name, top? }, got ${show(series)}`);
    }
  }
  const first = fs[0] as InputFeature;
  if (first.kind !== 'value' || first.metric !== o['target']) return bad('features[0]', `must be the target ${String(o['target'])} itself`);
  const season = o['seasonWindows'];
  if (season !== null && !(typeof season === 'number' && Number.isInteger(season) && season > 0)) return bad('seasonWindows', 'must be null or whole windows');
  if (typeof o['fill'] !== 'object' || o['fill'] === null) return bad('fill', 'must map metrics to zero|ffill');
  return ok(o as unknown as ForecastPreprocessing);
}

function inputShape(modelJson: Record<string, unknown>): number[] | null {
  // layers-model topology: config.layers[0].config.batch_input_shape = [null, L, F].
  const topo = modelJson['modelTopology'] as { config?: { layers?: { config?: { batch_input_shape?: unknown } }[] } } | undefined;
  const s = topo?.config?.layers?.[0]?.config?.batch_input_shape;
  if (!Array.isArray(s) || s.length !== 3) return null;
  return [Number(s[1]), Number(s[2])];
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
