/**
 * REST routes of models: `POST /api/train` (forecast, anomaly or classify; a source id, or a
 * `metrics_file` on the server imported as a series source first) and `POST /traffic/classify`
 * (a flow's behaviour, or a batch, → label and confidence from a classify model). Bodies are
 * checked here so a 400 names the field; the workbench validates again at its contract.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { JobInfo, SourceInfo } from '../../../src-shared/api.js';
import type { TrafficClassifyResult } from '../../../src-shared/classify-api.js';
import type { Workbench } from '../../workbench/workbench.js';
import { enumField, fromAppError, intField, onlyFields, readJsonObject, RestError, show, stringField } from './json-io.js';
import type { Route } from './routes.js';

/** Training settings passed through to `models.train` under their contract names, per task. */
const TRAIN_PARAMS = {
  forecast: ['target', 'resolution', 'lookback', 'horizon', 'epochs', 'from', 'to', 'seed', 'features', 'series'],
  anomaly: ['resolution', 'contamination', 'from', 'to', 'seed'],
  classify: ['epochs', 'seed'],
} as const;
/** Largest `POST /traffic/classify` body (a batch of flows with their first packets). */
const MAX_CLASSIFY_BODY = 64 * 1024 * 1024;
/** How long a `metrics_file` import may take before the request gives up. */
const IMPORT_TIMEOUT_MS = 120_000;

/** Calls a workbench method; an error value becomes a RestError with its status. */
async function call<T>(wb: Workbench, method: string, req: unknown): Promise<T> {
  const r = await wb.call(method, req);
  if (!r.ok) throw fromAppError(r.error);
  return r.value as T;
}

/**
 * Opens a CSV/JSONL window series at an absolute path on the server as a series source (the
 * same source again when it was opened before) and waits for the import; the source id.
 */
export async function importMetricsFile(wb: Workbench, body: Readonly<Record<string, unknown>>): Promise<number> {
  const path = stringField(body, 'metrics_file', true);
  if (!isAbsolute(path)) throw new RestError(400, 'invalid_argument', `metrics_file: must be an absolute path on the server, got "${path.slice(0, 200)}"`);
  if (!existsSync(path)) throw new RestError(404, 'not_found', `metrics_file: no such file on the server: ${path}`);
  if (!statSync(path).isFile()) throw new RestError(400, 'invalid_argument', `metrics_file: not a file: ${path}`);
  const { jobId } = await call<{ jobId: string }>(wb, 'sources.open', { path });
  const deadline = Date.now() + IMPORT_TIMEOUT_MS;
  for (;;) {
    const job = (await call<readonly JobInfo[]>(wb, 'jobs.list', {})).find((j) => j.jobId === jobId);
    if (job !== undefined && (job.phase === 'failed' || job.phase === 'cancelled')) {
      throw new RestError(400, 'invalid_argument', `metrics_file: ${job.error?.message ?? `the import was ${job.phase}`}`);
    }
    if (job !== undefined && job.phase === 'done' && job.sourceId !== null) {
      const s = await call<SourceInfo>(wb, 'sources.get', { sourceId: job.sourceId });
      if (s.kind !== 'series') throw new RestError(400, 'invalid_argument', `metrics_file: ${path} is a ${s.format ?? s.kind} capture, not a CSV/JSONL window series (give its source id as source)`);
      return s.id;
    }
    if (job === undefined || Date.now() > deadline) throw new RestError(504, 'internal', `metrics_file: the import of ${path} did not finish in ${IMPORT_TIMEOUT_MS / 1000} s (job ${jobId})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The model routes. */
export function modelRoutes(wb: Workbench): Route[] {
  return [
    {
      method: 'POST', path: '/api/train',
      run: async ({ req }) => {
        const body = await readJsonObject(req);
        onlyFields(body, ['model_name', 'task', 'source', 'sources', 'metrics_file', ...new Set(Object.values(TRAIN_PARAMS).flat())]);
        const task = enumField(body, 'task', ['forecast', 'anomaly', 'classify'] as const, true)!;
        const wrong = Object.values(TRAIN_PARAMS).flat().find((k) => body[k] !== undefined && !(TRAIN_PARAMS[task] as readonly string[]).includes(k));
        if (wrong !== undefined) throw new RestError(400, 'invalid_argument', `${wrong}: not a setting of task ${task} (its settings: ${TRAIN_PARAMS[task].join(', ')})`);
        const given = ['source', 'sources', 'metrics_file'].filter((k) => body[k] !== undefined);
        if (given.length === 0) throw new RestError(400, 'invalid_argument', 'source: required (a source id), or sources (classify) or metrics_file');
        if (given.length > 1) throw new RestError(400, 'invalid_argument', `${given[1] ?? ''}: give only one of source, sources (classify) or metrics_file, got ${given.join(' and ')}`);
        if (body['sources'] !== undefined && task !== 'classify') throw new RestError(400, 'invalid_argument', 'sources: a list of sources only trains task classify; give source');
        let sourceIds: number[];
        if (body['metrics_file'] !== undefined) sourceIds = [await importMetricsFile(wb, body)];
        else if (body['sources'] !== undefined) {
          const list = body['sources'];
          if (!Array.isArray(list) || list.length === 0) throw new RestError(400, 'invalid_argument', `sources: must be a list of source ids, got ${show(list)}`);
          sourceIds = list.map((v: unknown, i) => {
            if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RestError(400, 'invalid_argument', `sources[${i}]: must be a source id, got ${show(v)}`);
            return v;
          });
        } else sourceIds = [intField(body, 'source', 1, Number.MAX_SAFE_INTEGER) as number];
        const name = stringField(body, 'model_name', false);
        const params = Object.fromEntries(TRAIN_PARAMS[task].filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
        const where = task === 'classify' ? { sourceIds } : { sourceId: sourceIds[0] };
        const started = await call<{ jobId: string; modelId: number }>(wb, 'models.train', { task, ...where, ...(name === undefined ? {} : { name }), ...params });
        return { status: 202, body: { ...started, sourceIds, job: `/api/jobs/${started.jobId}` } };
      },
    },
    {
      method: 'POST', path: '/traffic/classify',
      run: async ({ req }) => {
        const body = await readJsonObject(req, MAX_CLASSIFY_BODY);
        onlyFields(body, ['flow', 'flows', 'model']);
        const modelId = intField(body, 'model', 1, Number.MAX_SAFE_INTEGER);
        const one = body['flow'];
        const many = body['flows'];
        if ((one === undefined) === (many === undefined)) throw new RestError(400, 'invalid_argument', 'flow: give one flow as flow, or a batch as flows (not both)');
        const flows = one !== undefined ? [one] : many;
        const r = await wb.call('traffic.classify', { ...(modelId === undefined ? {} : { modelId }), flows });
        if (!r.ok) {
          // The contract names the field as flows[i]…; a single flow is answered as `flow`.
          const message = one !== undefined ? r.error.message.replace(/flows\[0\]/g, 'flow') : r.error.message;
          throw fromAppError({ ...r.error, message: message.replace(/^traffic\.classify: /, '').replace(/^modelId:/, 'model:') });
        }
        const v = r.value as TrafficClassifyResult;
        return { status: 200, body: one !== undefined ? { model: v.modelId, ...v.predictions[0] } : { model: v.modelId, predictions: v.predictions } };
      },
    },
  ];
}
