/**
 * Latency over time: TCP ack RTT mean and p99, request→response latency mean and p99 (ms,
 * per window); below it the whole-source handshake RTT, ack RTT and DNS latency (stats.get).
 * Flagged anomaly windows of the source are marked.
 */
import { useMemo } from 'react';
import type { JSX } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StatSummary } from '../../../src-shared/api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount, formatEpoch, formatMs, formatSecondsAsMs } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useAnomalyResult } from '../../stores/anomalies-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';
import { anomalyMarkers } from './anomaly-markers.js';
import { toRows } from './chart-rows.js';
import type { SeriesPick } from './chart-rows.js';
import { axisTime, HEAVY_REFRESH_MS, LIVE_MAX_POINTS, useSourceQueryInputs } from './source-query.js';

const LINES = [
  { metric: 'tcp_rtt_ms', key: 'rtt', name: 'TCP RTT mean', agg: 'avg' },
  { metric: 'tcp_rtt_p99_ms', key: 'rttP99', name: 'TCP RTT p99', agg: 'max' },
  { metric: 'avg_latency_ms', key: 'lat', name: 'Req→resp latency mean', agg: 'avg' },
  { metric: 'latency_p99_ms', key: 'latP99', name: 'Req→resp latency p99', agg: 'max' },
] as const;

/** The latency panel. */
export function LatencyChart({ finished }: { finished: boolean }): JSX.Element {
  const { sourceId, rangeReq, version, live } = useSourceQueryInputs(HEAVY_REFRESH_MS);
  const palette = usePalette();
  const anomalies = useAnomalyResult(sourceId);
  const q = useApiQuery(
    'charts.series',
    sourceId === null ? null : { sourceId, metrics: LINES.map((l) => l.metric), maxPoints: live ? LIVE_MAX_POINTS : 600, ...rangeReq },
    version,
  );
  // Whole-source figures exist once the analysis has finished.
  const stats = useApiQuery('stats.get', sourceId === null || !finished ? null : { sourceId }, version);
  const rows = useMemo(() => (q.data === null ? [] : toRows(q.data, LINES as readonly SeriesPick[], false)), [q.data]);
  const hasValues = rows.some((r) => LINES.some((l) => r[l.key] !== null && r[l.key] !== undefined));
  const span = q.data === null ? 0 : q.data.to - q.data.from;
  const data = q.data;
  // The plot is rebuilt only when what it draws changed (not when a refresh starts loading).
  const plot = useMemo(() => {
    const colors = [palette.line1, palette.line2, palette.line3, palette.line4];
    return (
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
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
          <YAxis tickFormatter={(v: number) => formatMs(v)} stroke={palette.axis} fontSize={11} width={64} />
          <Tooltip {...tooltipStyle(palette)} labelFormatter={(t) => formatEpoch(Number(t))} formatter={(v) => formatMs(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {data !== null && anomalyMarkers(anomalies, data.from, data.to)}
          {LINES.map((l, i) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.name}
              stroke={colors[i]}
              strokeDasharray={l.agg === 'max' ? '4 3' : undefined}
              dot={rows.length < 60}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    );
  }, [rows, data, span, palette, anomalies]);
  return (
    <section className="panel" data-testid="latency-chart">
      <h3>
        Latency <span className="muted" style={{ fontWeight: 'normal' }}>per window (p99: highest window p99 of each bucket)</span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={q.loading ? 'chart-wrap loading' : 'chart-wrap'} style={{ height: 200 }}>
        {!hasValues ? (
          <div className="empty-chart">{q.loading ? 'Loading…' : 'No RTT or latency samples in this range'}</div>
        ) : (
          plot
        )}
      </div>
      {!finished && <p className="muted">Whole-source RTT and DNS figures appear when the analysis finishes.</p>}
      {stats.error !== null && <ErrorMessage message={stats.error} />}
      {stats.data !== null && (
        <div className="stat-row" data-testid="latency-figures">
          <Figure label="Handshake RTT (whole source)" s={stats.data.handshake_rtt} />
          <Figure label="ACK RTT" s={stats.data.ack_rtt} />
          <Figure label="DNS latency" s={stats.data.dns_latency} />
        </div>
      )}
    </section>
  );
}

function Figure({ label, s }: { label: string; s: StatSummary }): JSX.Element {
  return (
    <span>
      <span className="muted">{label}: </span>
      {s.count === 0 ? (
        <span className="muted">no samples</span>
      ) : (
        <>
          mean <b>{formatSecondsAsMs(s.mean)}</b> · p50 <b>{formatSecondsAsMs(s.p50)}</b> · p99 <b>{formatSecondsAsMs(s.p99)}</b> · max{' '}
          <b>{formatSecondsAsMs(s.max)}</b> <span className="muted">({formatCount(s.count)} samples)</span>
        </>
      )}
    </span>
  );
}
