/** `models.*`: train, list, inspect, rename, remove, forecast, export, import and run models live. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { AnomalyModelEvaluation, ClassifyEvaluation, ForecastEvaluation, ForecastSeries, ModelDetail, ModelInfo } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { MODEL_FILES, readModelFolder } from '../ml/model-files.js';
import { readZip, writeZip } from '../ml/zip-files.js';
import type { ModelRow } from '../store/models-repo.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import type { ModelJobs } from './model-jobs.js';

type ModelMethod =
  | 'models.list' | 'models.get' | 'models.train' | 'models.rename' | 'models.remove'
  | 'models.forecast' | 'models.export' | 'models.import' | 'models.live' | 'flows.classify' | 'traffic.classify';

/** A model row without its folder (the contract's ModelInfo). */
export function toModelInfo(r: ModelRow): ModelInfo {
  return {
    id: r.id, name: r.name, task: r.task, status: r.status, sourceId: r.sourceId, target: r.target, resolution: r.resolution,
    backend: r.backend, createdAt: r.createdAt, evaluation: r.evaluation, error: r.error,
  };
}

/** Handlers of models.*. */
export function modelHandlers(ctx: WorkbenchContext, jobs: ModelJobs): HandlerGroup<ModelMethod> {
  const ready = (modelId: number): Result<ModelRow & { dir: string }> => {
    const m = ctx.models.get(modelId);
    if (m === undefined) return err({ code: 'not_found', message: `modelId: no model ${modelId}` });
    if (m.status !== 'ready' || m.dir === null) {
      return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is ${m.status}${m.error === null ? '' : ` (${m.error})`}, not ready` });
    }
    return ok({ ...m, dir: m.dir });
  };
  return {
    'models.list': () => ok(ctx.models.list().map(toModelInfo)),
    'models.get': ({ modelId }) => {
      const d = ctx.models.detail(modelId);
      if (d === undefined) return err({ code: 'not_found', message: `modelId: no model ${modelId}` });
      const { dir: _dir, ...rest } = d;
      const taskEvaluation = rest.report['evaluation'] ?? null;
      const detail: ModelDetail = {
        ...rest,
        classification: rest.task === 'classify' && rest.status === 'ready' ? (taskEvaluation as ClassifyEvaluation | null) : null,
        anomaly: rest.task === 'anomaly' && rest.status === 'ready' ? (taskEvaluation as AnomalyModelEvaluation | null) : null,
      };
      return ok(detail);
    },
    'models.train': (req) => jobs.train(req),
    'models.rename': ({ modelId, name }) => {
      if (ctx.models.get(modelId) === undefined) return err({ code: 'not_found', message: `modelId: no model ${modelId}` });
      ctx.models.rename(modelId, name);
      ctx.emit('models.changed', { modelId });
      return ok(toModelInfo(ctx.models.get(modelId) as ModelRow));
    },
    'models.remove': async ({ modelId }) => {
      const m = ctx.models.get(modelId);
      if (m === undefined) return err({ code: 'not_found', message: `modelId: no model ${modelId}` });
      if (jobs.isTraining(modelId)) return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is training; cancel its job first` });
      jobs.stopLive(modelId);
      ctx.models.delete(modelId);
      if (m.dir !== null) {
        await jobs.ml.forget(m.dir);
        // Only folders the workspace owns are deleted.
        if (resolve(m.dir).startsWith(dirname(jobs.modelDir(0)))) rmSync(m.dir, { recursive: true, force: true });
      }
      ctx.emit('models.changed', { modelId });
      return ok(null);
    },
    'models.forecast': async ({ modelId, sourceId, from, to }) => {
      const m = ready(modelId);
      if (!m.ok) return m;
      const sid = sourceId ?? m.value.sourceId;
      if (sid === null) return err({ code: 'invalid_argument', message: `sourceId: required (model ${modelId}'s training source is not in this workspace)` });
      if (ctx.sources.get(sid) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sid}` });
      const run = await jobs.ml.forecast(ctx.workspace.path, m.value.dir, sid, from, to);
      if (!run.ok) return run;
      const r = run.value;
      const report = ctx.models.detail(modelId)?.report ?? {};
      const split = (report['split'] ?? {}) as { trainEnd?: number | null; valEnd?: number | null };
      const band = (report['band'] ?? { low: 0, high: 0 }) as { low: number; high: number };
      const residual = r.actual.map((a, i) => {
        const p = r.predicted[i];
        return a === null || p === null || p === undefined ? null : a - p;
      });
      ctx.models.storePredictions(
        modelId, sid,
        r.t.flatMap((t, i) => (r.predicted[i] === null ? [] : [{ t, actual: r.actual[i] ?? null, predicted: r.predicted[i] ?? null }])),
      );
      const first = r.t[0] ?? 0;
      const series: ForecastSeries = {
        modelId, sourceId: sid, resolution: r.resolution, t: r.t, actual: r.actual, predicted: r.predicted, residual, band,
        trainEnd: typeof split.trainEnd === 'number' ? split.trainEnd : first, valEnd: typeof split.valEnd === 'number' ? split.valEnd : first,
        ahead: r.ahead,
      };
      return ok(series);
    },
    'models.export': ({ modelId, directory }) => {
      const m = ready(modelId);
      if (!m.ok) return m;
      return exportModel(m.value.dir, directory, m.value);
    },
    'models.import': ({ path }) => importModel(ctx, jobs, path),
    'models.live': ({ modelId, captureJobId }) => {
      const m = ready(modelId);
      if (!m.ok) return m;
      if (m.value.task !== 'forecast') return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is not a forecast model` });
      const folder = readModelFolder(m.value.dir);
      if (!folder.ok) return folder;
      const prep = folder.value.preprocessing;
      const band = (folder.value.report['band'] ?? { low: -Infinity, high: Infinity }) as { low: number; high: number };
      if (![1, 10, 60].includes(prep.resolution)) {
        return err({ code: 'invalid_argument', message: `modelId: model ${modelId} reads ${prep.resolution} s windows; a live capture has 1, 10 and 60 s windows` });
      }
      return jobs.startLive(modelId, captureJobId, m.value.dir, prep.resolution, prep.lookback, band);
    },
    'flows.classify': () => err({ code: 'unsupported', message: 'flows.classify: classify models are not wired yet' }),
    'traffic.classify': () => err({ code: 'unsupported', message: 'traffic.classify: classify models are not wired yet' }),
  };
}

/** Copies a model folder to `<directory>/<name>/`, or writes a .zip when `directory` ends in .zip. */
function exportModel(dir: string, directory: string, m: ModelRow): Result<{ path: string }> {
  const target = resolve(directory);
  try {
    if (target.toLowerCase().endsWith('.zip')) {
      if (existsSync(target)) return err({ code: 'invalid_argument', message: `directory: ${target} exists; choose a new file name` });
      if (!existsSync(dirname(target))) return err({ code: 'not_found', message: `directory: folder ${dirname(target)} does not exist` });
      writeFileSync(target, writeZip(MODEL_FILES.map((f) => ({ name: f, data: readFileSync(join(dir, f)) }))));
      return ok({ path: target });
    }
    if (!existsSync(target) || !statSync(target).isDirectory()) return err({ code: 'not_found', message: `directory: ${target} is not a folder` });
    const out = join(target, `${m.name.replace(/[^\w.-]+/g, '_').slice(0, 80)}-model-${m.id}`);
    if (existsSync(out)) return err({ code: 'invalid_argument', message: `directory: ${out} exists already` });
    mkdirSync(out);
    for (const f of MODEL_FILES) cpSync(join(dir, f), join(out, f));
    return ok({ path: out });
  } catch (e) {
    return err({ code: 'io_error', message: `${target}: cannot write the model: ${(e as Error).message}` });
  }
}

/** Validates a model folder or .zip and copies it into the workspace as a new ready model. */
function importModel(ctx: WorkbenchContext, jobs: ModelJobs, path: string): Result<ModelInfo> {
  const src = resolve(path);
  if (!existsSync(src)) return err({ code: 'not_found', message: `path: ${src} does not exist` });
  const modelsDir = dirname(jobs.modelDir(0));
  mkdirSync(modelsDir, { recursive: true });
  const staging = mkdtempSync(join(modelsDir, '.import-'));
  try {
    if (statSync(src).isDirectory()) {
      for (const f of MODEL_FILES) if (existsSync(join(src, f))) cpSync(join(src, f), join(staging, f));
    } else {
      let entries;
      try {
        entries = readZip(readFileSync(src));
      } catch (e) {
        return err({ code: 'corrupt', message: `${src}: ${(e as Error).message}` });
      }
      for (const e of entries) {
        const name = basename(e.name);
        if ((MODEL_FILES as readonly string[]).includes(name)) writeFileSync(join(staging, name), e.data);
      }
    }
    const folder = readModelFolder(staging);
    if (!folder.ok) return err({ ...folder.error, message: folder.error.message.replaceAll(staging, src) });
    const { preprocessing: prep, report } = folder.value;
    const prov = (report['source'] ?? {}) as { headSha256?: unknown; size?: unknown; displayName?: unknown };
    const match = ctx.sources.list().find((s) => s.headSha256 !== null && s.headSha256 === prov.headSha256 && s.size === prov.size);
    const evaluation = (report['evaluation'] ?? null) as ForecastEvaluation | null;
    const history = Array.isArray(report['history']) ? (report['history'] as { epoch: number; loss: number; valLoss: number | null }[]) : [];
    const modelId = ctx.models.create({
      name: `imported ${basename(src).replace(/\.zip$/i, '')}`, task: 'forecast', status: 'training', sourceId: match?.id ?? null,
      target: prep.target, resolution: prep.resolution, backend: typeof report['backend'] === 'string' ? report['backend'] : null,
    });
    const dir = jobs.modelDir(modelId);
    rmSync(dir, { recursive: true, force: true });
    cpSync(staging, dir, { recursive: true });
    ctx.models.finish(modelId, { status: 'ready', evaluation, report, history, error: null, dir });
    ctx.emit('models.changed', { modelId });
    return ok(toModelInfo(ctx.models.get(modelId) as ModelRow));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
