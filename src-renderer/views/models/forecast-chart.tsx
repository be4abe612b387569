/**
 * Actual vs predicted (one step ahead) for the selected model, the residual below it with the
 * validation residual band shaded, train/validation/test boundaries as reference lines, and
 * the next H windows drawn dashed ahead of the last actual point. Follows the shared time
 * range when the model's source is the selected one.
 */
import { useMemo } from 'react';
import type { JSX } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelInfo } from '../../../src-shared/models-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatEpoch } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useModels } from '../../stores/models-store.js';
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';
import type { Palette } from '../chart-palette.js';
import { axisTime } from '../overview/source-query.js';
import { TimeBrush } from '../overview/time-brush.js';
import { forecastRows, outOfBandRows } from './forecast-rows.js';
import { formatMetricValue, formatResolution, metricLabel } from './metric-format.js';

const MAX_POINTS = 1000;
/** Most out-of-band markers drawn on the residual chart. */
const MAX_RESIDUAL_MARKERS = 300;
const SERIES_NAMES: Readonly<Record<string, string>> = { actual: 'actual', predicted: 'predicted (1 step)', ahead: 'ahead (next H)', residual: 'residual' };

function boundaryLines(p: Palette, trainEnd: number, valEnd: number, labels: boolean): JSX.Element[] {
  const label = (value: string) => (labels ? { value, position: 'insideTopLeft' as const, fill: p.axis, fontSize: 11 } : undefined);
  return [
    <ReferenceLine key="train" x={trainEnd} stroke={p.axis} strokeDasharray="4 3" label={label('validation →')} ifOverflow="hidden" />,
    <ReferenceLine key="val" x={valEnd} stroke={p.axis} strokeDasharray="4 3" label={label('test →')} ifOverflow="hidden" />,
  ];
}

/** The forecast panel of a ready model. */
export function ForecastPanel({ model }: { model: ModelInfo }): JSX.Element {
  const selectedSource = useSelection((s) => s.sourceId);
  const range = useSelection((s) => s.range);
  const version = useModels((s) => s.version);
  const palette = usePalette();
  const follows = model.sourceId !== null && model.sourceId === selectedSource;
  const q = useApiQuery('models.forecast', { modelId: model.id, ...(follows ? rangeFields(range) : {}) }, version);
  const f = q.data;
  const rows = useMemo(() => (f === null ? [] : forecastRows(f, MAX_POINTS)), [f]);
  // The residual detector's rule (anomalies.residual): a residual outside the validation band.
  // Computed on the drawn rows, each a real window, so no second forecast run is needed. Drawn
  // as the dots of one series (hundreds of ReferenceDots froze the page for seconds per render).
  const outOfBand = useMemo(() => (f === null ? [] : outOfBandRows(rows, f.band, MAX_RESIDUAL_MARKERS)), [rows, f]);
  const residualRows = useMemo(() => {
    const marked = new Set(outOfBand.map((r) => r.t));
    return rows.map((r) => ({ ...r, outside: marked.has(r.t) ? r.residual : null }));
  }, [rows, outOfBand]);
  const first = rows[0]?.t ?? 0;
  const lastT = rows[rows.length - 1]?.t ?? 1;
  const span = lastT - first;
  // Where the horizon starts (the last actual point), shaded so H windows show even at full range.
  const aheadFrom = rows.find((r) => r.ahead !== null)?.t ?? null;
  const fmt = (v: number) => formatMetricValue(model.target, v);
  const tip = tooltipStyle(palette);
  const tooltip = (
    <Tooltip
      {...tip}
      labelFormatter={(t) => formatEpoch(Number(t))}
      formatter={(v, name) => [v === null || v === undefined ? '–' : fmt(Number(v)), SERIES_NAMES[String(name)] ?? String(name)]}
    />
  );
  const xAxis = (
    <XAxis type="number" dataKey="t" domain={[first, lastT]} allowDataOverflow tickFormatter={(t: number) => axisTime(t, span)} stroke={palette.axis} fontSize={11} />
  );
  return (
    <section className="panel">
      <h3>
        Actual vs predicted
        <span className="muted" style={{ fontWeight: 'normal' }}>
          {metricLabel(model.target)}
          {f !== null ? ` · ${formatResolution(f.resolution)} windows · next ${f.ahead.t.length} ahead` : ''}
          {follows && range !== null ? ' · zoomed' : ''}
        </span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={q.loading ? 'chart-wrap loading' : 'chart-wrap'} style={{ height: 260 }} data-testid="forecast-chart" data-points={rows.length} data-ahead={f?.ahead.t.length ?? 0}>
        {rows.length === 0 ? (
          <div className="empty-chart">{q.loading ? 'Predicting…' : 'No forecast in this range'}</div>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} syncId="forecast" margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
              {xAxis}
              <YAxis tickFormatter={fmt} stroke={palette.axis} fontSize={11} width={78} />
              {tooltip}
              <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => SERIES_NAMES[v] ?? v} />
              {f !== null && boundaryLines(palette, f.trainEnd, f.valEnd, true)}
              {aheadFrom !== null && (
                <ReferenceArea x1={aheadFrom} x2={lastT} fill={palette.line4} fillOpacity={0.12} stroke="none" ifOverflow="hidden" label={{ value: 'ahead', position: 'insideTopRight', fill: palette.axis, fontSize: 11 }} />
              )}
              <Line dataKey="actual" stroke={palette.line1} strokeWidth={1.2} dot={false} isAnimationActive={false} />
              <Line dataKey="predicted" stroke={palette.line2} strokeWidth={1.2} dot={false} isAnimationActive={false} />
              <Line dataKey="ahead" stroke={palette.line4} strokeWidth={2} strokeDasharray="5 4" dot={{ r: 2 }} isAnimationActive={false} connectNulls />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      <div className="chart-wrap" style={{ height: 120 }} data-testid="residual-chart" data-band-low={f?.band.low ?? ''} data-band-high={f?.band.high ?? ''} data-out-of-band={outOfBand.length}>
        {rows.length > 0 && f !== null && (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={residualRows} syncId="forecast" margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
              {xAxis}
              <YAxis tickFormatter={fmt} stroke={palette.axis} fontSize={11} width={78} />
              {tooltip}
              <ReferenceArea y1={f.band.low} y2={f.band.high} fill={palette.line3} fillOpacity={0.15} stroke="none" ifOverflow="extendDomain" />
              <ReferenceLine y={0} stroke={palette.axis} />
              {boundaryLines(palette, f.trainEnd, f.valEnd, false)}
              <Line dataKey="residual" stroke={palette.line3} strokeWidth={1} dot={false} isAnimationActive={false} />
              <Line dataKey="outside" stroke="none" dot={{ r: 3, fill: palette.line2, stroke: 'none' }} activeDot={false} tooltipType="none" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      <p className="muted legend-note">
        Residual = actual − predicted; the shaded band is the validation residuals’ band
        {f !== null ? ` (${fmt(f.band.low)} to ${fmt(f.band.high)})` : ''}; red dots: windows outside it (residual anomalies). Dashed lines: train | validation | test.
      </p>
      {follows && <TimeBrush metric={model.target ?? 'bytes'} />}
    </section>
  );
}
