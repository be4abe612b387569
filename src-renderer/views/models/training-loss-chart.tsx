/** The newest training run: loss and validation loss per epoch (log scale), elapsed, ETA, Cancel. */
import { useMemo } from 'react';
import type { JSX } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDuration } from '../../format/units.js';
import { useJobs } from '../../stores/jobs-store.js';
import { useCurrentRun, useModels } from '../../stores/models-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';

/** A loss in 3 significant digits (losses are unitless, on scaled targets). */
export function formatLoss(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 0.01 || v === 0 ? v.toPrecision(3) : v.toExponential(2);
}

/** The live loss chart of the current run (nothing before a run starts). */
export function TrainingLossChart(): JSX.Element | null {
  const { run, phase } = useCurrentRun();
  const cancel = useJobs((s) => s.cancel);
  const model = useModels((s) => (run === null ? undefined : s.models.find((m) => m.id === run.modelId)));
  const palette = usePalette();
  const rows = useMemo(() => (run === null ? [] : run.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, valLoss: e.valLoss }))), [run]);
  if (run === null) return null;
  const last = run.epochs[run.epochs.length - 1];
  const active = phase === 'running' || phase === 'queued' || (phase === null && model?.status === 'training');
  const positive = rows.every((r) => r.loss > 0 && (r.valLoss === null || r.valLoss > 0));
  const tip = tooltipStyle(palette);
  return (
    <section className="panel" data-testid="training-loss-chart" data-job-id={run.jobId} data-model-id={run.modelId} data-active={active}>
      <h3>
        Training {model !== undefined ? <span>{model.name}</span> : null}
        <span className="muted" style={{ fontWeight: 'normal' }}>{active ? 'running' : (phase ?? model?.status ?? '')}</span>
        <span className="right">
          {active && (
            <button className="danger" data-testid="training-cancel" onClick={() => void cancel(run.jobId)} title="Stop training and keep the best model so far">
              Cancel
            </button>
          )}
        </span>
      </h3>
      <div className="stat-row" data-testid="training-epoch" data-epoch={last?.epoch ?? 0} data-epochs={last?.epochs ?? ''}>
        <span>
          epoch <b>{last === undefined ? '–' : `${last.epoch} / ${last.epochs}`}</b>
        </span>
        <span>
          loss <b>{formatLoss(last?.loss)}</b>
        </span>
        <span>
          val loss <b>{formatLoss(last?.valLoss)}</b>
        </span>
        <span>
          elapsed <b>{formatDuration(last?.elapsedSeconds ?? null)}</b>
        </span>
        {active && (
          <span>
            ETA <b>{last?.etaSeconds === null || last === undefined ? 'unknown' : formatDuration(last.etaSeconds)}</b>
          </span>
        )}
        {model?.backend != null && (
          <span>
            backend <b>{model.backend}</b>
          </span>
        )}
      </div>
      {model?.status === 'failed' && model.error !== null && <div className="muted">{model.error}</div>}
      <div className="chart-wrap" style={{ height: 180 }}>
        {rows.length === 0 ? (
          <div className="empty-chart">{active ? 'Waiting for the first epoch…' : 'No epochs reported'}</div>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
              <XAxis type="number" dataKey="epoch" domain={[1, Math.max(last?.epochs ?? 1, 2)]} allowDecimals={false} stroke={palette.axis} fontSize={11} />
              <YAxis scale={positive ? 'log' : 'auto'} domain={['auto', 'auto']} tickFormatter={(v: number) => formatLoss(v)} stroke={palette.axis} fontSize={11} width={64} />
              <Tooltip {...tip} labelFormatter={(e) => `epoch ${String(e)}`} formatter={(v, name) => [formatLoss(Number(v)), name === 'loss' ? 'loss' : 'val loss']} />
              <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => (v === 'loss' ? 'loss (train)' : 'val loss')} />
              <Line dataKey="loss" stroke={palette.line1} dot={rows.length < 40} isAnimationActive={false} />
              <Line dataKey="valLoss" stroke={palette.line4} dot={rows.length < 40} isAnimationActive={false} connectNulls />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
