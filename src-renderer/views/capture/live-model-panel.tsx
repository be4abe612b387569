/**
 * "Run model live" during a capture: pick a ready forecast model, and the chart shows actual
 * against the one-step prediction, the next H windows dashed ahead, and windows whose residual
 * left the validation band as red dots.
 */
import { useEffect, useMemo } from 'react';
import type { JSX } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LivePrediction } from '../../../src-shared/models-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount, formatEpoch } from '../../format/units.js';
import { useLiveModel } from '../../stores/live-model-store.js';
import { useModels } from '../../stores/models-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';
import { formatMetricValue, formatResolution, metricLabel } from '../models/metric-format.js';
import { axisTime } from '../overview/source-query.js';

/** One row of the live chart. */
interface LiveRow {
  t: number;
  actual: number | null;
  predicted: number | null;
  outOfBand: number | null;
  ahead: number | null;
}

/** Rows: every prediction received, then the newest horizon joined to the last actual value. */
export function liveRows(ps: readonly LivePrediction[]): LiveRow[] {
  const rows: LiveRow[] = ps.map((p) => ({ t: p.t, actual: p.actual, predicted: p.predictedNow, outOfBand: p.outOfBand ? p.actual : null, ahead: null }));
  const last = ps[ps.length - 1];
  const lastRow = rows[rows.length - 1];
  if (last === undefined || lastRow === undefined) return rows;
  lastRow.ahead = last.actual;
  last.ahead.t.forEach((t, j) => {
    if (t > last.t) rows.push({ t, actual: null, predicted: null, outOfBand: null, ahead: last.ahead.predicted[j] ?? null });
  });
  return rows;
}

const NAMES: Readonly<Record<string, string>> = { actual: 'actual', predicted: 'predicted (1 step)', ahead: 'ahead (next H)', outOfBand: 'out of band' };

/** The live model panel (select + chart) for the capture job. */
export function LiveModelPanel({ captureJobId, running }: { captureJobId: string; running: boolean }): JSX.Element {
  const models = useModels((s) => s.models);
  const live = useLiveModel();
  const palette = usePalette();
  useEffect(() => {
    void useModels.getState().load();
  }, []);
  const ready = models.filter((m) => m.task === 'forecast' && m.status === 'ready');
  const mine = live.captureJobId === captureJobId ? live.modelId : null;
  const model = models.find((m) => m.id === mine) ?? null;
  const ps = live.captureJobId === captureJobId ? live.predictions : [];
  const rows = useMemo(() => liveRows(ps), [ps]);
  const outCount = ps.filter((p) => p.outOfBand).length;
  const fmt = (v: number) => formatMetricValue(model?.target ?? null, v);
  const first = rows[0]?.t ?? 0;
  const lastT = rows[rows.length - 1]?.t ?? 1;
  return (
    <section className="panel">
      <h3>Live forecast</h3>
      <div className="live-model">
        <label htmlFor="live-model">Run model live</label>
        <select
          id="live-model"
          data-testid="live-model-select"
          value={mine === null ? '' : String(mine)}
          disabled={!running || live.starting}
          onChange={(e) => {
            const id = Number(e.target.value);
            if (e.target.value === '') useLiveModel.getState().clear();
            else void useLiveModel.getState().start(id, captureJobId);
          }}
        >
          <option value="">{ready.length === 0 ? '(no ready forecast model — train one in Models)' : 'none'}</option>
          {ready.map((m) => (
            <option key={m.id} value={String(m.id)}>
              {m.name} · {metricLabel(m.target)}
              {m.resolution !== null ? ` · ${formatResolution(m.resolution)}` : ''}
            </option>
          ))}
        </select>
        {model !== null && (
          <span className="muted">
            {formatCount(ps.length)} windows predicted · <span style={{ color: palette.line2 }}>{formatCount(outCount)} out of band</span>
          </span>
        )}
      </div>
      {live.error !== null && live.captureJobId === captureJobId && <ErrorMessage message={live.error} />}
      {model !== null && (
        <div className="chart-wrap" style={{ height: 220 }} data-testid="live-prediction-chart" data-points={ps.length} data-out-of-band={outCount}>
          {rows.length === 0 ? (
            <div className="empty-chart">Waiting for the first prediction (the lookback fills first)…</div>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
                <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
                <XAxis type="number" dataKey="t" domain={[first, lastT]} tickFormatter={(t: number) => axisTime(t, lastT - first)} stroke={palette.axis} fontSize={11} />
                <YAxis tickFormatter={fmt} stroke={palette.axis} fontSize={11} width={78} />
                <Tooltip
                  {...tooltipStyle(palette)}
                  labelFormatter={(t) => formatEpoch(Number(t))}
                  formatter={(v, name) => [v === null || v === undefined ? '–' : fmt(Number(v)), NAMES[String(name)] ?? String(name)]}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => NAMES[v] ?? v} />
                <Line dataKey="actual" stroke={palette.line1} dot={false} isAnimationActive={false} />
                <Line dataKey="predicted" stroke={palette.line3} dot={false} isAnimationActive={false} />
                <Line dataKey="ahead" stroke={palette.line4} strokeWidth={2} strokeDasharray="5 4" dot={{ r: 2 }} isAnimationActive={false} connectNulls />
                <Line dataKey="outOfBand" stroke={palette.line2} strokeWidth={0} dot={{ r: 4, fill: palette.line2, stroke: palette.line2 }} activeDot={false} legendType="circle" isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </div>
      )}
    </section>
  );
}
