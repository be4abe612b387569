/**
 * `models.*`: train (forecast, anomaly, classify), list, inspect, rename, remove, forecast,
 * export, import and run models live; `flows.classify` and `traffic.classify` apply classify models.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { AnomalyModelEvaluation, ClassifyEvaluation, ForecastEvaluation, ForecastSeries, ModelDetail, ModelInfo } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { defaultForecastRange } from '../ml/forecast-predict.js';
import { typeSeries } from '../ml/forecast-by-type.js';
import { readModelFolder } from '../ml/model-files.js';
import { readAnomalyFolder } from '../ml/anomaly-model.js';
import { checkClassifyFolder } from '../ml/classify-run.js';
import { ANY_MODEL_FILES, readAnyModelFolder, TASK_FILES } from '../ml/model-folder.js';
import type { AnyModelFolder } from '../ml/model-folder.js';
import { AnomaliesRepo } from '../store/anomalies-repo.js';
import { LabelsRepo } from '../store/labels-repo.js';
import type { SourceClassifyResult, TrafficClass } from '../../src-shared/classify-api.js';
import { readZip, writeZip } from '../ml/zip-files.js';
import type { ModelRow } from '../store/models-repo.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import type { ModelJobs } from './model-jobs.js';

type ModelMethod =
  | 'models.list' | 'models.get' | 'models.train' | 'models.rename' | 'models.remove'
  | 'models.forecast' | 'models.typeSeries' | 'models.export' | 'models.import' | 'models.live' | 'flows.classify' | 'traffic.classify';

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
      new AnomaliesRepo(ctx.workspace.db).deleteModel(modelId);
      if (m.dir !== null) {
        await jobs.ml.forget(m.dir);
        // Only folders the workspace owns are deleted.
        if (resolve(m.dir).startsWith(dirname(jobs.modelDir(0)))) rmSync(m.dir, { recursive: true, force: true });
      }
      ctx.emit('models.changed', { modelId });
      return ok(null);
    },
    'models.typeSeries': ({ sourceId, by, top, resolution }) => {
      if (ctx.sources.get(sourceId) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
      const split = typeSeries(ctx.workspace.db, sourceId, by, { ...(top === undefined ? {} : { top }), ...(resolution === undefined ? {} : { resolution }) });
      if (!split.ok) return split;
      const seconds = split.value.resolution;
      const series = [...split.value.series].map(([name, bps]) => ({ name, bytes: bps.reduce((a, v) => a + v * seconds, 0) }));
      return ok({ by, resolution: seconds, series });
    },
    'models.forecast': async ({ modelId, sourceId, from, to }) => {
      const m = ready(modelId);
      if (!m.ok) return m;
      if (m.value.task !== 'forecast') return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is a${m.value.task === 'anomaly' ? 'n' : ''} ${m.value.task} model, not a forecast model` });
      const sid = sourceId ?? m.value.sourceId;
      if (sid === null) return err({ code: 'invalid_argument', message: `sourceId: required (model ${modelId}'s training source is not in this workspace)` });
      if (ctx.sources.get(sid) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sid}` });
      // No range named: the default an analyst expects (defaultForecastRange: whole when short, else the test split).
      const range = from === undefined && to === undefined
        ? defaultForecastRange(ctx.workspace.db, sid, ctx.models.detail(modelId)?.report ?? {}, sid === m.value.sourceId)
        : { from, to };
      const run = await jobs.ml.forecast(ctx.workspace.path, m.value.dir, sid, range.from, range.to);
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
    'flows.classify': async ({ modelId, sourceId }) => {
      const m = ready(modelId);
      if (!m.ok) return m;
      if (m.value.task !== 'classify') return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is a${m.value.task === 'anomaly' ? 'n' : ''} ${m.value.task} model, not a classify model` });
      if (ctx.sources.get(sourceId) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
      const started = performance.now();
      const r = await jobs.ml.classify(m.value.dir, { source: { workspacePath: ctx.workspace.path, sourceId } });
      if (!r.ok) return err({ ...r.error, message: `modelId: ${r.error.message}` });
      const { flowIds, labels, confidence } = r.value;
      const ids = flowIds ?? [];
      new LabelsRepo(ctx.workspace.db).setModelLabels(ids.map((flowId, i) => ({ flowId, label: labels[i] ?? 'other', confidence: confidence[i] ?? 0 })), modelId);
      const result: SourceClassifyResult = {
        modelId, sourceId, flows: ids.length, counts: countLabels(labels), elapsedMs: Math.round(performance.now() - started),
      };
      ctx.emit('labels.changed', { sourceId });
      return ok(result);
    },
    'traffic.classify': async ({ modelId, flows }) => {
      let id = modelId;
      if (id === undefined) {
        id = ctx.models.list().find((x) => x.task === 'classify' && x.status === 'ready')?.id;
        if (id === undefined) return err({ code: 'not_found', message: 'modelId: no ready classify model in this workspace; train one (models.train task classify) or import one' });
      }
      const m = ready(id);
      if (!m.ok) return m;
      if (m.value.task !== 'classify') return err({ code: 'invalid_argument', message: `modelId: model ${id} is a${m.value.task === 'anomaly' ? 'n' : ''} ${m.value.task} model, not a classify model` });
      const r = await jobs.ml.classify(m.value.dir, { flows });
      if (!r.ok) return err({ ...r.error, message: `modelId: ${r.error.message}` });
      const { labels, confidence } = r.value;
      return ok({ modelId: id, predictions: labels.map((label, i) => ({ label, confidence: confidence[i] ?? 0 })) });
    },
  };
}

/** Checks a model folder of any task (forecast, anomaly, classify); errors name the file and field. */
export function readModelFolderOfAnyTask(dir: string): Result<AnyModelFolder> {
  return readAnyModelFolder(dir, {
    anomaly: (d) => {
      const f = readAnomalyFolder(d);
      return f.ok ? ok({ report: f.value.report, resolution: f.value.model.features.resolution }) : f;
    },
    classify: checkClassifyFolder,
  });
}

function countLabels(labels: readonly TrafficClass[]): { label: TrafficClass; count: number }[] {
  const counts = new Map<TrafficClass, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts.entries()].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** Copies a model folder to `<directory>/<name>/`, or writes a .zip when `directory` ends in .zip. */
function exportModel(dir: string, directory: string, m: ModelRow): Result<{ path: string }> {
  const target = resolve(directory);
  try {
    if (target.toLowerCase().endsWith('.zip')) {
      if (existsSync(target)) return err({ code: 'invalid_argument', message: `directory: ${target} exists; choose a new file name` });
      if (!existsSync(dirname(target))) return err({ code: 'not_found', message: `directory: folder ${dirname(target)} does not exist` });
      writeFileSync(target, writeZip(TASK_FILES[m.task].map((f) => ({ name: f, data: readFileSync(join(dir, f)) }))));
      return ok({ path: target });
    }
    if (!existsSync(target) || !statSync(target).isDirectory()) return err({ code: 'not_found', message: `directory: ${target} is not a folder` });
    const out = join(target, `${m.name.replace(/[^\w.-]+/g, '_').slice(0, 80)}-model-${m.id}`);
    if (existsSync(out)) return err({ code: 'invalid_argument', message: `directory: ${out} exists already` });
    mkdirSync(out);
    for (const f of TASK_FILES[m.task]) cpSync(join(dir, f), join(out, f));
    return ok({ path: out });
  } catch (e) {
    return err({ code: 'io_error', message: `${target}: cannot write the model: ${(e as Error).message}` });
  }
}

/** Validates a model folder or .zip and copies it into the workspace as a new ready model. */
async function importModel(ctx: WorkbenchContext, jobs: ModelJobs, path: string): Promise<Result<ModelInfo>> {
  const src = resolve(path);
  if (!existsSync(src)) return err({ code: 'not_found', message: `path: ${src} does not exist` });
  const modelsDir = dirname(jobs.modelDir(0));
  mkdirSync(modelsDir, { recursive: true });
  const staging = mkdtempSync(join(modelsDir, '.import-'));
  try {
    if (statSync(src).isDirectory()) {
      for (const f of ANY_MODEL_FILES) if (existsSync(join(src, f))) cpSync(join(src, f), join(staging, f));
    } else {
      let entries;
      try {
        entries = readZip(readFileSync(src));
      } catch (e) {
        return err({ code: 'corrupt', message: `${src}: ${(e as Error).message}` });
      }
      for (const e of entries) {
        const name = basename(e.name);
        if (ANY_MODEL_FILES.includes(name)) writeFileSync(join(staging, name), e.data);
      }
    }
    const folder = readModelFolderOfAnyTask(staging);
    if (!folder.ok) return err({ ...folder.error, message: folder.error.message.replaceAll(staging, src) });
    if (folder.value.task === 'classify') {
      // The net must load too (a sound preprocessing.json with a broken model.json is refused here, not at first use).
      const probe = await jobs.ml.classify(staging, { flows: [] });
      await jobs.ml.forget(staging);
      if (!probe.ok) return err({ ...probe.error, message: probe.error.message.replaceAll(staging, src) });
    }
    const { task, report, target, resolution } = folder.value;
    const prov = (task === 'classify' ? (Array.isArray(report['sources']) ? report['sources'][0] : null) : report['source']) as
      { headSha256?: unknown; size?: unknown } | null | undefined;
    const match = ctx.sources.list().find((s) => s.headSha256 !== null && s.headSha256 === prov?.headSha256 && s.size === prov?.size);
    const evaluation = task === 'forecast' ? ((report['evaluation'] ?? null) as ForecastEvaluation | null) : null;
    const history = Array.isArray(report['history']) ? (report['history'] as { epoch: number; loss: number; valLoss: number | null }[]) : [];
    const modelId = ctx.models.create({
      name: `imported ${basename(src).replace(/\.zip$/i, '')}`, task, status: 'training', sourceId: match?.id ?? null,
      target, resolution, backend: typeof report['backend'] === 'string' ? report['backend'] : null,
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
