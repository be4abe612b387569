/**
 * Traffic volume over time, stacked by transport: bits/s from the per-window byte sums
 * (avg per window × 8 / resolution) or packets/s from the packet sums; brush below, reset.
 * An imported series (no packets) draws its `value` column instead. Flagged anomaly windows of
 * the source (anomalies store) are marked.
 */
import { useMemo, useState } from 'react';
import type { JSX } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBitRate, formatCompactCount, formatDuration, formatEpoch, formatPacketRate } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useAnomalyResult } from '../../stores/anomalies-store.js';
import { useSelection } from '../../stores/selection-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';
import { anomalyMarkers } from './anomaly-markers.js';
import { eventBands, useSourceEvents } from './event-bands.js';
import { toRows } from './chart-rows.js';
import type { SeriesPick } from './chart-rows.js';
import { axisTime, LIVE_MAX_POINTS, useSourceQueryInputs } from './source-query.js';
import { TimeBrush } from './time-brush.js';

type Mode = 'bps' | 'pps';
const PROTOS = ['tcp', 'udp', 'icmp', 'other'] as const;
/** The column an imported series (NAB's `timestamp,value` CSV) is drawn from. */
const SERIES_METRIC = 'value';
const MAX_POINTS = 800;

/** The volume panel. */
export function VolumeChart({ height = 240, series = false }: { height?: number; series?: boolean }): JSX.Element {
  const { sourceId, range, rangeReq, version, live } = useSourceQueryInputs();
  const resetRange = useSelection((s) => s.resetRange);
  const [mode, setMode] = useState<Mode>('bps');
  const palette = usePalette();
  const anomalies = useAnomalyResult(sourceId);
  const events = useSourceEvents(sourceId);
  const suffix = mode === 'bps' ? '_bytes' : '_packets';
  const metrics = series ? [SERIES_METRIC] : PROTOS.map((p) => p + suffix);
  const q = useApiQuery(
    'charts.series',
    sourceId === null ? null : { sourceId, metrics, maxPoints: live ? LIVE_MAX_POINTS : MAX_POINTS, ...rangeReq },
    version,
  );
  const rows = useMemo(() => {
    const d = q.data;
    if (d === null || d.resolution <= 0) return [];
    if (series) return toRows(d, [{ metric: SERIES_METRIC, key: SERIES_METRIC, agg: 'max' }], false);
    const scale = (mode === 'bps' ? 8 : 1) / d.resolution;
    const picks: SeriesPick[] = PROTOS.map((p) => ({ metric: p + suffix, key: p, agg: 'avg', scale }));
    return toRows(d, picks, true);
  }, [q.data, mode, suffix, series]);
  // Only transports with traffic get an area (an all-zero layer would outline the stack).
  const present = useMemo(
    () => (series ? [SERIES_METRIC] : PROTOS.filter((p) => rows.some((r) => (r[p] ?? 0) > 0))),
    [rows, series],
  );
  const fmt = series ? formatCompactCount : mode === 'bps' ? formatBitRate : formatPacketRate;
  const data = q.data;
  // The plot is rebuilt only when what it draws changed (not when a refresh starts loading).
  const plot = useMemo(() => {
    const colorOf = (key: string): string => (key === SERIES_METRIC ? palette.line1 : palette[key as (typeof PROTOS)[number]]);
    const span = data === null ? 0 : data.to - data.from;
    const tip = tooltipStyle(palette);
    return (
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="t"
            domain={data === null ? ['dataMin', 'dataMax'] : [data.from, data.to]}
            allowDataOverflow
            tickFormatter={(t: number) => axisTime(t, span)}
            stroke={palette.axis}
            fontSize={11}
          />
          <YAxis tickFormatter={(v: number) => fmt(v)} stroke={palette.axis} fontSize={11} width={78} />
          <Tooltip
            {...tip}
            labelFormatter={(t) => formatEpoch(Number(t))}
            formatter={(v, name) => [fmt(Number(v)), String(name).toUpperCase()]}
          />
          {data !== null && eventBands(events, data.from, data.to)}
          {data !== null && anomalyMarkers(anomalies, data.from, data.to)}
          <Legend formatter={(v: string) => v.toUpperCase()} wrapperStyle={{ fontSize: 12 }} />
          {present.map((p) => (
            <Area
              key={p}
              dataKey={p}
              stackId="1"
              type="linear"
              stroke={colorOf(p)}
              fill={colorOf(p)}
              fillOpacity={0.55}
              isAnimationActive={false}
              dot={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    );
  }, [rows, present, palette, fmt, data, events, anomalies]);
  return (
    <section className="panel" data-testid="volume-chart" data-points={rows.length}>
      <h3>
        {series ? 'Series value' : 'Traffic volume'}
        <span className="muted" style={{ fontWeight: 'normal' }}>
          {q.data !== null && q.data.bucketSeconds > 0 ? `${series ? 'peak' : 'mean'} per ${formatDuration(q.data.bucketSeconds)} bucket` : ''}
        </span>
        <span className="right">
          {!series && (
            <span className="seg" role="group" aria-label="Unit">
              <button aria-pressed={mode === 'bps'} data-testid="volume-bps" onClick={() => setMode('bps')}>
                bits/s
              </button>
              <button aria-pressed={mode === 'pps'} data-testid="volume-pps" onClick={() => setMode('pps')}>
                packets/s
              </button>
            </span>
          )}
          <button data-testid="reset-zoom" disabled={range === null} onClick={resetRange} title="Show the whole source (Esc)">
            Reset zoom
          </button>
        </span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={q.loading ? 'chart-wrap loading' : 'chart-wrap'} style={{ height }}>
        {rows.length === 0 && !q.loading ? <div className="empty-chart">No traffic in this range</div> : plot}
      </div>
      <TimeBrush metric={series ? SERIES_METRIC : 'bytes'} />
    </section>
  );
}
