/**
 * Training a flow classifier (models.train, task 'classify') on the chosen sources — the
 * selected source by default; with two or more, k-fold cross-validation holds out whole files —
 * its progress (epochs of the running job), the chosen classify model's evaluation, and
 * "Apply to this source" (flows.classify: model labels for the flows the rules call unknown).
 */
import { useEffect, useState } from 'react';
import type { JSX } from 'react';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useClassification } from '../../stores/classification-store.js';
import { useJobs } from '../../stores/jobs-store.js';
import { useModels } from '../../stores/models-store.js';
import { useSelection } from '../../stores/selection-store.js';
import { useSources } from '../../stores/sources-store.js';
import { ClassScores, ConfusionMatrix, ImportanceBars } from './classify-metrics.js';

function TrainingProgress(): JSX.Element | null {
  const run = useClassification((s) => s.run);
  const job = useJobs((s) => (run === null ? undefined : s.jobs[run.jobId]));
  const model = useModels((s) => (run === null ? undefined : s.models.find((m) => m.id === run.modelId)));
  if (run === null) return null;
  // The model's status outlives the job row (done rows are dismissed after a few seconds).
  const phase = job?.phase ?? (model?.status === 'ready' ? 'done' : model?.status === 'failed' ? 'failed' : 'running');
  const e = run.last;
  const pct = e === null ? 0 : (100 * e.epoch) / Math.max(1, e.epochs);
  return (
    <div data-testid="classify-progress" data-job-id={run.jobId} data-model-id={run.modelId} data-phase={phase} data-epoch={e?.epoch ?? 0} data-epochs={e?.epochs ?? ''}>
      <div className="stat-row" style={{ marginTop: 0 }}>
        <span>
          Model {run.modelId}: {phase}
        </span>
        {e !== null && (
          <span>
            epoch {e.epoch} / {e.epochs} · loss {e.loss.toFixed(4)}
            {e.etaSeconds !== null && phase === 'running' ? ` · about ${Math.ceil(e.etaSeconds)} s left` : ''}
          </span>
        )}
        {phase === 'running' && (
          <button className="link" data-testid="classify-cancel" onClick={() => void useJobs.getState().cancel(run.jobId)}>
            Cancel
          </button>
        )}
      </div>
      {phase === 'running' && (
        <div className="progress">
          <div style={{ width: `${pct}%` }} />
        </div>
      )}
      {(model?.error ?? null) !== null && <ErrorMessage message={model?.error ?? ''} />}
    </div>
  );
}

/** Train, progress, evaluation and apply. */
export function ClassifyTrain(): JSX.Element {
  const sources = useSources((s) => s.sources);
  const selected = useSelection((s) => s.sourceId);
  const models = useModels((s) => s.models);
  const modelsVersion = useModels((s) => s.version);
  const run = useClassification((s) => s.run);
  const starting = useClassification((s) => s.starting);
  const applied = useClassification((s) => s.applied);
  const applying = useClassification((s) => s.applying);
  const [chosen, setChosen] = useState<readonly number[] | null>(null);
  const [modelId, setModelId] = useState<number | null>(null);
  const [epochs, setEpochs] = useState('');
  const epochsValue = epochs.trim() === '' ? undefined : Number(epochs);
  const epochsInvalid = epochsValue !== undefined && !(Number.isInteger(epochsValue) && epochsValue >= 1 && epochsValue <= 1000);
  useEffect(() => {
    void useModels.getState().load();
  }, []);
  const usable = sources.filter((s) => s.status === 'complete' || s.status === 'partial');
  const trainOn = (chosen ?? (selected === null ? [] : [selected])).filter((id) => usable.some((s) => s.id === id));
  const classify = models.filter((m) => m.task === 'classify');
  const ready = classify.filter((m) => m.status === 'ready');
  // Follow the newest run; else the user's choice; else the newest ready classify model.
  const shownId = modelId ?? run?.modelId ?? ready[0]?.id ?? null;
  const shown = classify.find((m) => m.id === shownId) ?? null;
  const detail = useApiQuery('models.get', shown !== null && shown.status === 'ready' ? { modelId: shown.id } : null, modelsVersion);
  const evaluation = detail.data?.classification ?? null;
  const toggle = (id: number, on: boolean): void => setChosen([...trainOn.filter((x) => x !== id), ...(on ? [id] : [])]);
  return (
    <section className="panel" data-testid="classify-panel">
      <h3>
        Flow classifier
        <span className="muted" style={{ fontWeight: 'normal' }}>behaviour only (flow statistics, first packets); labels from the user, else the rules</span>
      </h3>
      <div className="form-row">
        <span>Train on</span>
        {usable.map((s) => (
          <label key={s.id} data-testid="classify-source-option" data-source-id={s.id}>
            <input type="checkbox" checked={trainOn.includes(s.id)} onChange={(e) => toggle(s.id, e.target.checked)} /> {s.displayName}
          </label>
        ))}
        <label>
          Epochs{' '}
          <input
            data-testid="classify-epochs"
            value={epochs}
            placeholder="default"
            inputMode="numeric"
            style={{ width: 70, borderColor: epochsInvalid ? 'var(--danger)' : undefined }}
            aria-invalid={epochsInvalid}
            onChange={(e) => setEpochs(e.target.value)}
          />
        </label>
        <button
          className="primary"
          data-testid="classify-train"
          disabled={trainOn.length === 0 || starting || epochsInvalid}
          onClick={() => {
            setModelId(null);
            void useClassification.getState().train(trainOn, epochsValue);
          }}
        >
          {starting ? 'Starting…' : `Train classifier (${trainOn.length} source${trainOn.length === 1 ? '' : 's'})`}
        </button>
      </div>
      <TrainingProgress />
      <div className="form-row">
        <label>
          Model{' '}
          <select data-testid="classify-model" value={shownId ?? ''} onChange={(e) => setModelId(e.target.value === '' ? null : Number(e.target.value))}>
            {classify.length === 0 && <option value="">no classify model yet</option>}
            {classify.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.status})
              </option>
            ))}
          </select>
        </label>
        <button
          data-testid="classify-apply"
          disabled={shown === null || shown.status !== 'ready' || selected === null || applying}
          onClick={() => shown !== null && selected !== null && void useClassification.getState().apply(shown.id, selected)}
        >
          {applying ? 'Applying…' : 'Apply to this source'}
        </button>
        {applied !== null && (
          <span data-testid="classify-applied" data-flows={applied.flows} data-model-id={applied.modelId} data-source-id={applied.sourceId}>
            {formatCount(applied.flows)} flows classified in {applied.elapsedMs.toFixed(0)} ms:{' '}
            {applied.counts.map((c) => `${c.label} ${formatCount(c.count)}`).join(', ')}
          </span>
        )}
      </div>
      {detail.error !== null && <ErrorMessage message={detail.error} />}
      {evaluation !== null && (
        <div className="classify-results" data-model-id={shown?.id}>
          <div>
            <ClassScores e={evaluation} />
          </div>
          <div>
            <h4>Confusion matrix</h4>
            <ConfusionMatrix e={evaluation} />
          </div>
          <div>
            <h4>Feature importance (permutation)</h4>
            <ImportanceBars e={evaluation} />
          </div>
        </div>
      )}
    </section>
  );
}
