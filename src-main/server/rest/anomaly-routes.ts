/**
 * `POST /api/anomalies/detect`: window anomalies of a source (Isolation Forest trained on the
 * source or a range of it, `anomalies.detect`) or, with `model`, the forecast-residual
 * anomalies of that forecast model on the source (`anomalies.residual`). The body is checked
 * here so a 400 names the field; the workbench validates again at its contract.
 */
import type { AnomalyDetectResult, ResidualAnomalyResult } from '../../../src-shared/anomaly-api.js';
import type { Workbench } from '../../workbench/workbench.js';
import { fromAppError, intField, onlyFields, readJsonObject, RestError, show } from './json-io.js';
import type { Route } from './routes.js';

const FIELDS = ['source', 'resolution', 'contamination', 'from', 'to', 'seed', 'model'] as const;

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
        if (body['metrics_file'] !== undefined) throw new RestError(400, 'invalid_argument', 'metrics_file: not supported; open the series as a source (POST /api/sources) and give source');
        onlyFields(body, FIELDS);
        const sourceId = intField(body, 'source', 1, Number.MAX_SAFE_INTEGER);
        if (sourceId === undefined) throw new RestError(400, 'invalid_argument', 'source: required (a source id)');
        const modelId = intField(body, 'model', 1, Number.MAX_SAFE_INTEGER);
        const resolution = numberField(body, 'resolution', (v) => v > 0 && v <= 86_400, 'seconds above 0 and at most 86400');
        const contamination = numberField(body, 'contamination', (v) => v > 0 && v <= 0.5, 'above 0 and at most 0.5');
        const from = numberField(body, 'from', () => true, 'epoch seconds');
        const to = numberField(body, 'to', () => true, 'epoch seconds');
        const seed = intField(body, 'seed', 0, 2 ** 31 - 1);
        if (from !== undefined && to !== undefined && !(from < to)) throw new RestError(400, 'invalid_argument', `from: ${from} is not before to ${to}`);
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
