/**
 * `POST /api/anomalies/detect`: window anomalies of a source — or of a `metrics_file` on the
 * server, imported as a series source first — by an Isolation Forest trained on the source or a
 * range of it (`anomalies.detect`), or with `model` an anomaly model's (`anomalies.detect`
 * modelId) or a forecast model's residual anomalies (`anomalies.residual`). The body is checked
 * here so a 400 names the field; the workbench validates again at its contract.
 */
import type { AnomalyDetectResult, ResidualAnomalyResult } from '../../../src-shared/anomaly-api.js';
import type { ModelInfo } from '../../../src-shared/models-api.js';
import type { Workbench } from '../../workbench/workbench.js';
import { importMetricsFile } from './model-routes.js';
import { fromAppError, intField, onlyFields, readJsonObject, RestError, show } from './json-io.js';
import type { Route } from './routes.js';

const FIELDS = ['source', 'metrics_file', 'resolution', 'contamination', 'from', 'to', 'seed', 'model'] as const;

/** What the endpoint answers: the contract's result, tagged with the detector that made it. */
export type AnomalyAnswer =
  | ({ readonly kind: 'isolation_forest' } & AnomalyDetectResult)
  | ({ readonly kind: 'forecast_residual' } & ResidualAnomalyResult);

/** A finite number field, optional, checked by `ok` (whose text ends the message). */
function numberField(o: Readonly<Record<string, unknown>>, k: string, ok: (v: number) => boolean, rule: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new RestError(400, 'invalid_argument', `${k}: must be ${rule}, got ${show(v)}`);
  return v;
}

/** The anomaly route. */
export function anomalyRoutes(wb: Workbench): Route[] {
  return [
    {
      method: 'POST', path: '/api/anomalies/detect',
      run: async ({ req }) => {
        const body = await readJsonObject(req);
        onlyFields(body, FIELDS);
        if (body['source'] !== undefined && body['metrics_file'] !== undefined) throw new RestError(400, 'invalid_argument', 'metrics_file: give source or metrics_file, not both');
        const given = intField(body, 'source', 1, Number.MAX_SAFE_INTEGER);
        const modelId = intField(body, 'model', 1, Number.MAX_SAFE_INTEGER);
        const tuned = (['resolution', 'contamination', 'seed'] as const).find((k) => body[k] !== undefined);
        if (modelId !== undefined && tuned !== undefined) {
          throw new RestError(400, 'invalid_argument', `${tuned}: not used with model (an anomaly model brings its own; forecast residual anomalies come from the model's windows and band)`);
        }
        const model = modelId === undefined ? undefined : await wb.call('models.get', { modelId });
        if (model !== undefined && !model.ok) throw fromAppError({ ...model.error, message: model.error.message.replace(/^modelId:/, 'model:') });
        const task = model === undefined ? null : (model.value as ModelInfo).task;
        if (task === 'classify') throw new RestError(400, 'invalid_argument', `model: model ${modelId} is a classify model; give an anomaly or forecast model`);
        if (given === undefined && body['metrics_file'] === undefined) throw new RestError(400, 'invalid_argument', 'source: required (a source id), or metrics_file');
        const sourceId = given ?? await importMetricsFile(wb, body);
        const resolution = numberField(body, 'resolution', (v) => v > 0 && v <= 86_400, 'seconds above 0 and at most 86400');
        const contamination = numberField(body, 'contamination', (v) => v > 0 && v <= 0.5, 'above 0 and at most 0.5');
        const from = numberField(body, 'from', () => true, 'epoch seconds');
        const to = numberField(body, 'to', () => true, 'epoch seconds');
        const seed = intField(body, 'seed', 0, 2 ** 31 - 1);
        if (from !== undefined && to !== undefined && !(from < to)) throw new RestError(400, 'invalid_argument', `from: ${from} is not before to ${to}`);
        if (modelId !== undefined && task === 'anomaly') {
          // A saved anomaly model brings its resolution, contamination and threshold; a range narrows what it scores.
          const r = await wb.call('anomalies.detect', { sourceId, modelId, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
          if (!r.ok) throw fromAppError(r.error);
          return { status: 200, body: { kind: 'isolation_forest', ...(r.value as AnomalyDetectResult) } satisfies AnomalyAnswer };
        }
        if (modelId !== undefined) {
          // A residual check reads the model's stored predictions: nothing to tune.
          const extra = (['resolution', 'contamination', 'from', 'to', 'seed'] as const).find((k) => body[k] !== undefined);
          if (extra !== undefined) throw new RestError(400, 'invalid_argument', `${extra}: not used with model (residual anomalies come from the model's own windows and band)`);
          const r = await wb.call('anomalies.residual', { modelId, sourceId });
          if (!r.ok) throw fromAppError(r.error);
          return { status: 200, body: { kind: 'forecast_residual', ...(r.value as ResidualAnomalyResult) } satisfies AnomalyAnswer };
        }
        const r = await wb.call('anomalies.detect', {
          sourceId,
          ...(resolution === undefined ? {} : { resolution }), ...(contamination === undefined ? {} : { contamination }),
          ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), ...(seed === undefined ? {} : { seed }),
        });
        if (!r.ok) throw fromAppError(r.error);
        return { status: 200, body: { kind: 'isolation_forest', ...(r.value as AnomalyDetectResult) } satisfies AnomalyAnswer };
      },
    },
  ];
}
