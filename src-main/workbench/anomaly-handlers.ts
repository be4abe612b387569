/** `anomalies.*` and `drift.*`: window anomalies, forecast-residual anomalies and drift between sources or ranges. */
import type {
  DriftDimensionReport, DriftReport, DriftSideRequest, DriftVerdictName, ResidualAnomalyResult,
} from '../../src-shared/anomaly-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { compareSources, DRIFT_DIMENSIONS, type DriftResult } from '../analysis/drift.js';
import { residualAnomalies } from '../ml/anomaly/residual-detector.js';
import { AnomaliesRepo } from '../store/anomalies-repo.js';
import type { AnomalyRunner } from './anomaly-worker-client.js';
import type { Handler, HandlerGroup, WorkbenchContext } from './context.js';
import { LabelsRepo } from '../store/labels-repo.js';
import { FlowLabeller } from './flow-labeller.js';

type AnomalyMethod = 'anomalies.detect' | 'anomalies.residual' | 'drift.compare';

/** Handlers of anomalies.* and drift.*; `forecast` is the models.forecast handler (residuals reuse its series). */
export function anomalyHandlers(ctx: WorkbenchContext, runner: AnomalyRunner, forecast: Handler<'models.forecast'>): HandlerGroup<AnomalyMethod> {
  const exists = (field: string, sourceId: number): Result<null> =>
    ctx.sources.get(sourceId) === undefined ? err({ code: 'not_found', message: `${field}: no source ${sourceId}` }) : ok(null);
  return {
    'anomalies.detect': async (req) => {
      const e = exists('sourceId', req.sourceId);
      if (!e.ok) return e;
      let modelDir: string | undefined;
      if (req.modelId !== undefined) {
        const m = ctx.models.get(req.modelId);
        if (m === undefined) return err({ code: 'not_found', message: `modelId: no model ${req.modelId}` });
        if (m.task !== 'anomaly') return err({ code: 'invalid_argument', message: `modelId: model ${req.modelId} is a ${m.task} model, not an anomaly model` });
        if (m.status !== 'ready' || m.dir === null) return err({ code: 'invalid_argument', message: `modelId: model ${req.modelId} is ${m.status}, not ready` });
        modelDir = m.dir;
      }
      const r = await runner.detect(req, modelDir);
      // The latest flags of (source, model) are kept for export; a source removed meanwhile keeps none.
      if (r.ok && ctx.sources.get(req.sourceId) !== undefined) new AnomaliesRepo(ctx.workspace.db).replace(req.sourceId, req.modelId ?? null, r.value.resolution, r.value.anomalies);
      return r;
    },
    'anomalies.residual': async ({ modelId, sourceId }) => {
      const m = ctx.models.get(modelId);
      if (m === undefined) return err({ code: 'not_found', message: `modelId: no model ${modelId}` });
      if (m.task !== 'forecast') return err({ code: 'invalid_argument', message: `modelId: model ${modelId} is a ${m.task} model, not a forecast` });
      // from 0: every window of the source (models.forecast's default range is the test split of a long source).
      const series = await forecast({ modelId, from: 0, ...(sourceId === undefined ? {} : { sourceId }) });
      if (!series.ok) return series;
      const s = series.value;
      const found = residualAnomalies(s.actual, s.predicted, s.band, s.t);
      const windows = s.actual.reduce<number>((n, a, i) => (a !== null && s.predicted[i] !== null && s.predicted[i] !== undefined ? n + 1 : n), 0);
      const result: ResidualAnomalyResult = {
        modelId, sourceId: s.sourceId, resolution: s.resolution, band: s.band, windows,
        anomalies: found.map((a) => ({
          t: a.t ?? s.t[a.index] ?? 0, actual: a.actual, predicted: a.predicted, residual: a.residual,
          direction: a.direction, excess: a.excess, severity: a.severity, message: a.message,
        })),
      };
      return ok(result);
    },
    'drift.compare': ({ reference, compared }) => {
      const a = exists('reference.sourceId', reference.sourceId);
      if (!a.ok) return a;
      const b = exists('compared.sourceId', compared.sourceId);
      if (!b.ok) return b;
      // Traffic types as the flows table shows them: the workspace's label rules and labels.
      const labeller = new FlowLabeller(ctx.workspace.db, new LabelsRepo(ctx.workspace.db));
      const typeOf = (sourceId: number) => labeller.shownLabelOf(sourceId);
      return ok(driftReport(reference, compared, compareSources(ctx.workspace.db, reference, compared, typeOf)));
    },
  };
}

const RANK: Readonly<Record<DriftVerdictName, number>> = { 'no data': -1, stable: 0, 'moderate shift': 1, 'significant shift': 2 };

/** The contract's drift report from drift.ts's per-dimension results. */
export function driftReport(
  reference: DriftSideRequest, compared: DriftSideRequest, results: Readonly<Record<(typeof DRIFT_DIMENSIONS)[number], DriftResult>>,
): DriftReport {
  const dimensions: DriftDimensionReport[] = DRIFT_DIMENSIONS.map((dimension) => {
    const r = results[dimension];
    return {
      dimension, totalReference: r.totalA, totalCompared: r.totalB, psi: r.psi, kl: r.kl, verdict: r.verdict, summary: r.summary,
      contributions: r.categories.map((c) => ({
        category: c.category, countReference: c.countA, countCompared: c.countB, shareReference: c.shareA, shareCompared: c.shareB, psi: c.psi, kl: c.kl,
      })),
    };
  });
  dimensions.sort((x, y) => (x.verdict === 'no data' ? 1 : 0) - (y.verdict === 'no data' ? 1 : 0) || y.psi - x.psi);
  const top = dimensions[0];
  const verdict: DriftVerdictName = dimensions.reduce<DriftVerdictName>((v, d) => (RANK[d.verdict] > RANK[v] ? d.verdict : v), 'no data');
  const summary = top === undefined || verdict === 'no data'
    ? 'Neither side has traffic to compare (no packets or flows in the ranges).'
    : verdict === 'stable'
      ? `Stable: no compared distribution moved much (largest PSI ${top.psi.toFixed(3)}, ${label(top.dimension)}).`
      : `${verdict === 'significant shift' ? 'Significant shift' : 'Moderate shift'}, mostly in ${label(top.dimension)}: ${top.summary}`;
  return { reference, compared, verdict, summary, dimensions };
}

function label(d: DriftDimensionReport['dimension']): string {
  switch (d) {
    case 'traffic_type': return 'traffic type';
    case 'sni': return 'TLS server names';
    case 'dns': return 'DNS names';
    case 'packet_size': return 'packet sizes';
    case 'protocol': return 'protocol mix';
  }
}
