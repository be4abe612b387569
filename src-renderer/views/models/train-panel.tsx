/**
 * "Train forecast" on the selected source with data-driven defaults (one click), the
 * "Advanced…" form (target metric, resolution, lookback, horizon, epochs, seed; empty fields
 * keep the server's default), and "Capacity by type": one forecast per traffic type or service
 * series of the source (`models.typeSeries`, then a `models.train` with `series` for each).
 */
import { useState } from 'react';
import type { JSX } from 'react';
import type { ForecastTrainRequest } from '../../../src-shared/models-api.js';
import { WINDOW_METRICS, WINDOW_RESOLUTIONS } from '../../../src-shared/window-metrics.js';
import { call } from '../../api/client.js';
import { reportError } from '../../stores/notices-store.js';
import { useModels } from '../../stores/models-store.js';
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import { useSelectedSource } from '../../stores/sources-store.js';
import { metricLabel } from './metric-format.js';

interface AdvancedForm {
  readonly target: string;
  readonly resolution: string;
  readonly lookback: string;
  readonly horizon: string;
  readonly epochs: string;
  readonly seed: string;
  readonly useRange: boolean;
}

const EMPTY: AdvancedForm = { target: '', resolution: '', lookback: '', horizon: '', epochs: '', seed: '', useRange: false };

function positiveInt(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The form's fields as a train request (only what the user set). */
export function advancedRequest(sourceId: number, f: AdvancedForm, range: readonly [number, number] | null): ForecastTrainRequest {
  const seed = f.seed.trim() === '' ? undefined : Number(f.seed);
  const opt = (key: 'resolution' | 'lookback' | 'horizon' | 'epochs') => {
    const v = positiveInt(f[key]);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    task: 'forecast',
    sourceId,
    ...(f.target === '' ? {} : { target: f.target }),
    ...opt('resolution'),
    ...opt('lookback'),
    ...opt('horizon'),
    ...opt('epochs'),
    ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
    ...(f.useRange ? rangeFields(range) : {}),
  };
}

/** The training actions of the Models view. */
export function TrainPanel(): JSX.Element {
  const source = useSelectedSource();
  const range = useSelection((s) => s.range);
  const starting = useModels((s) => s.starting);
  const train = useModels((s) => s.train);
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<AdvancedForm>(EMPTY);
  const [by, setBy] = useState<'traffic_type' | 'service'>('traffic_type');
  const [queued, setQueued] = useState<string | null>(null);
  const usable = source !== null && source.status !== 'failed';
  const patch = (p: Partial<AdvancedForm>) => setForm((f) => ({ ...f, ...p }));
  const badInt = (text: string) => text.trim() !== '' && positiveInt(text) === undefined;
  const invalid = badInt(form.lookback) || badInt(form.horizon) || badInt(form.epochs) || (form.seed.trim() !== '' && !Number.isInteger(Number(form.seed)));
  return (
    <section className="panel">
      <h3>
        Forecast
        <span className="muted" style={{ fontWeight: 'normal' }}>
          {source === null ? 'select a source on the left' : `on ${source.displayName}`}
        </span>
        <span className="right">
          <button
            className="primary"
            data-testid="train-forecast"
            disabled={!usable || starting}
            title="Train an LSTM forecaster of the throughput (or an imported series’ value) with defaults chosen from the data"
            onClick={() => source !== null && void train({ task: 'forecast', sourceId: source.id })}
          >
            Train forecast
          </button>
          <button data-testid="train-advanced" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            Advanced…
          </button>
        </span>
      </h3>
      {source !== null && source.kind !== 'series' && (
        <div className="inline" style={{ marginBottom: 8 }}>
          <label htmlFor="tr-by">Capacity by</label>
          <select id="tr-by" data-testid="capacity-by" value={by} onChange={(e) => setBy(e.target.value === 'service' ? 'service' : 'traffic_type')}>
            <option value="traffic_type">traffic type</option>
            <option value="service">service (SNI/DNS name)</option>
          </select>
          <button
            data-testid="train-capacity"
            disabled={!usable || starting}
            title="One forecast of the bytes of each traffic type or top service of this source, drawn stacked"
            onClick={() => void trainCapacity(advancedRequest(source.id, form, range), by, train, setQueued)}
          >
            Train per-type forecasts
          </button>
          <span className="muted">(uses the Advanced… settings where set)</span>
          {queued !== null && <span className="muted" data-testid="capacity-queued">{queued}</span>}
        </div>
      )}
      {open && (
        <form
          className="train-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (source !== null && !invalid) void train(advancedRequest(source.id, form, range));
          }}
        >
          <label htmlFor="tr-target">Target</label>
          <select id="tr-target" data-testid="train-target" value={form.target} onChange={(e) => patch({ target: e.target.value })}>
            <option value="">default (throughput; an imported series’ own column)</option>
            {source?.kind === 'series' && <option value="value">value (the series’ column)</option>}
            {WINDOW_METRICS.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>
          <label htmlFor="tr-res">Resolution</label>
          <select id="tr-res" data-testid="train-resolution" value={form.resolution} onChange={(e) => patch({ resolution: e.target.value })}>
            <option value="">auto (from the data)</option>
            {WINDOW_RESOLUTIONS.map((r) => (
              <option key={r} value={String(r)}>
                {r} s
              </option>
            ))}
          </select>
          <label htmlFor="tr-lookback">Lookback</label>
          <span className="inline">
            <input id="tr-lookback" data-testid="train-lookback" inputMode="numeric" placeholder="auto" value={form.lookback} onChange={(e) => patch({ lookback: e.target.value })} />
            <span className="muted">windows</span>
            <label htmlFor="tr-horizon">Horizon</label>
            <input id="tr-horizon" data-testid="train-horizon" inputMode="numeric" placeholder="auto" value={form.horizon} onChange={(e) => patch({ horizon: e.target.value })} />
            <span className="muted">windows</span>
          </span>
          <label htmlFor="tr-epochs">Epochs</label>
          <span className="inline">
            <input id="tr-epochs" data-testid="train-epochs" inputMode="numeric" placeholder="auto" value={form.epochs} onChange={(e) => patch({ epochs: e.target.value })} />
            <label htmlFor="tr-seed">Seed</label>
            <input id="tr-seed" data-testid="train-seed" inputMode="numeric" placeholder="default" value={form.seed} onChange={(e) => patch({ seed: e.target.value })} />
          </span>
          <span />
          <label className="check">
            <input type="checkbox" checked={form.useRange} disabled={range === null} onChange={(e) => patch({ useRange: e.target.checked })} />
            only the zoomed time range {range === null ? '(zoom in the Overview first)' : ''}
          </label>
          <span />
          <span className="inline">
            <button type="submit" className="primary" data-testid="train-submit" disabled={!usable || starting || invalid}>
              Train with these settings
            </button>
            {invalid && <span className="muted">Lookback, horizon and epochs are positive whole numbers; the seed a whole number.</span>}
          </span>
        </form>
      )}
    </section>
  );
}

/**
 * Lists the source's type (or service) series and queues one forecast per series, with the
 * advanced form's settings where set (its target aside: each series is bytes).
 */
async function trainCapacity(
  settings: ForecastTrainRequest,
  by: 'traffic_type' | 'service',
  train: (req: ForecastTrainRequest) => Promise<void>,
  say: (text: string) => void,
): Promise<void> {
  const { target: _target, ...base } = settings;
  const sourceId = base.sourceId;
  const list = await call('models.typeSeries', { sourceId, by, ...(base.resolution === undefined ? {} : { resolution: base.resolution }) });
  if (!list.ok) {
    reportError(list.error.message);
    return;
  }
  const names = list.value.series.filter((s) => s.bytes > 0).map((s) => s.name);
  if (names.length === 0) {
    reportError(`This source has no ${by === 'service' ? 'service' : 'traffic type'} bytes to forecast.`);
    return;
  }
  for (const name of names) await train({ ...base, series: { by, name } });
  say(`${names.length} forecasts queued: ${names.join(', ')}`);
}
