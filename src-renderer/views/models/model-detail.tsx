/** The selected model: facts (target, resolution, backend, L/H, split, durations), metrics with baselines. */
import type { JSX } from 'react';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount, formatDuration } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useModels } from '../../stores/models-store.js';
import { formatResolution, metricLabel } from './metric-format.js';
import { ModelMetrics } from './model-metrics.js';
import { reportFacts } from './report-facts.js';

const BACKEND_NAMES: Readonly<Record<string, string>> = { tensorflow: 'tfjs-node (native TensorFlow)', wasm: 'WebAssembly', cpu: 'plain JavaScript (cpu)' };

/** Details of the selected model (nothing when none is selected). */
export function ModelDetailPanel({ modelId }: { modelId: number }): JSX.Element {
  const version = useModels((s) => s.version);
  const q = useApiQuery('models.get', { modelId }, version);
  const d = q.data;
  if (d === null) {
    return <section className="panel">{q.error !== null ? <ErrorMessage message={q.error} /> : <p className="muted">Loading…</p>}</section>;
  }
  const facts = reportFacts(d.report);
  const best = d.history.reduce<number | null>((b, h) => (h.valLoss !== null && (b === null || h.valLoss < b) ? h.valLoss : b), null);
  return (
    <section className="panel" data-testid="model-detail" data-model-id={d.id}>
      <h3>
        {d.name}
        <span className={`badge model-${d.status}`}>{d.status}</span>
      </h3>
      {d.error !== null && <ErrorMessage message={d.error} />}
      <div className="model-detail-body">
      <div>
      <dl className="props">
        <dt>Target</dt>
        <dd>{metricLabel(d.target)}</dd>
        <dt>Resolution</dt>
        <dd>{formatResolution(d.resolution)}</dd>
        <dt>Backend</dt>
        <dd data-testid="model-backend" data-backend={d.backend ?? ''}>
          {d.backend === null ? '–' : (BACKEND_NAMES[d.backend] ?? d.backend)}
        </dd>
        <dt>Lookback / horizon</dt>
        <dd>
          {facts.lookback === null ? '–' : `${formatCount(facts.lookback)} windows`} / {facts.horizon === null ? '–' : `${formatCount(facts.horizon)} windows`}
        </dd>
        <dt>Epochs</dt>
        <dd>
          {d.history.length > 0 ? formatCount(d.history.length) : (facts.epochsRun ?? '–')}
          {facts.stoppedEarly === true ? ' (stopped early, best weights kept)' : ''}
          {best !== null ? `, best val loss ${best.toPrecision(3)}` : ''}
        </dd>
        <dt>Training time</dt>
        <dd>{formatDuration(facts.trainSeconds)}</dd>
        {facts.split.map((s) => (
          <FactPair key={s.label} label={`Split: ${s.label}`} value={typeof s.value === 'number' ? formatCount(s.value) : s.value} />
        ))}
      </dl>
      {facts.features.length > 0 && (
        <p className="muted features" title={facts.features.join(', ')}>
          {facts.features.length} input features: {facts.features.join(', ')}
        </p>
      )}
      </div>
      {d.evaluation !== null ? (
        <ModelMetrics evaluation={d.evaluation} target={d.target} />
      ) : (
        <p className="muted">{d.status === 'training' ? 'Metrics appear when training ends.' : 'No evaluation.'}</p>
      )}
      </div>
    </section>
  );
}

function FactPair({ label, value }: { label: string; value: string }): JSX.Element {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
