/**
 * Capacity forecast per traffic type or service (models trained with `series`, e.g. by
 * `flowbench train --by` or `models.train`): the selected per-type model's siblings — ready
 * forecast models of the same source split the same way — drawn as stacked areas of their
 * actual bytes (which add up to the window's bytes), with the sum of their one-step
 * predictions and their summed horizon ahead on top.
 */
import { useEffect, useMemo, useState } from 'react';
import type { JSX } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelInfo } from '../../../src-shared/models-api.js';
import { call, errorText } from '../../api/client.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatEpoch } from '../../format/units.js';
import { useModels } from '../../stores/models-store.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';
import { axisTime } from '../overview/source-query.js';
import { formatMetricValue } from './metric-format.js';
import { stackRows } from './type-stack-rows.js';
import type { StackSeries } from './type-stack-rows.js';

const MAX_POINTS = 800;
const STACK_COLOURS = ['#2563eb', '#16a34a', '#f59e0b', '#9333ea', '#0891b2', '#64748b', '#a16207'];

interface SeriesOf {
  readonly by: string;
  readonly name: string;
}

function seriesOf(report: Readonly<Record<string, unknown>>): SeriesOf | null {
  const s = report['series'] as { by?: unknown; name?: unknown } | null | undefined;
  return s !== null && s !== undefined && typeof s.by === 'string' && typeof s.name === 'string' ? { by: s.by, name: s.name } : null;
}

/** The stacked per-type panel (nothing for a model that is not per-type). */
export function TypeStackPanel({ model }: { model: ModelInfo }): JSX.Element | null {
  const models = useModels((s) => s.models);
  const version = useModels((s) => s.version);
  const palette = usePalette();
  const [state, setState] = useState<{ by: string; series: StackSeries[]; error: string | null } | null>(null);
  const siblings = useMemo(
    () => models.filter((m) => m.task === 'forecast' && m.status === 'ready' && m.sourceId !== null && m.sourceId === model.sourceId).map((m) => m.id).join(','),
    [models, model.sourceId],
  );
  useEffect(() => {
    let live = true;
    void (async () => {
      const own = await call('models.get', { modelId: model.id });
      const mine = own.ok ? seriesOf(own.value.report) : null;
      if (mine === null) {
        if (live) setState(null);
        return;
      }
      const out: StackSeries[] = [];
      let error: string | null = null;
      for (const id of siblings.split(',').filter((x) => x !== '').map(Number)) {
        const d = await call('models.get', { modelId: id });
        const s = d.ok ? seriesOf(d.value.report) : null;
        if (s === null || s.by !== mine.by || out.some((o) => o.name === s.name)) continue;
        const f = await call('models.forecast', { modelId: id });
        if (f.ok) out.push({ name: s.name, forecast: f.value });
        else error ??= errorText(f.error);
      }
      if (live) setState({ by: mine.by, series: out, error });
    })();
    return () => {
      live = false;
    };
  }, [model.id, siblings, version]);
  const rows = useMemo(() => (state === null ? [] : stackRows(state.series, MAX_POINTS)), [state]);
  if (state === null) return null;
  const first = rows[0]?.t ?? 0;
  const last = rows[rows.length - 1]?.t ?? 1;
  const fmt = (v: number) => formatMetricValue('bytes_per_second', v);
  return (
    <section className="panel">
      <h3>
        Capacity by {state.by === 'service' ? 'service' : 'traffic type'}
        <span className="muted" style={{ fontWeight: 'normal' }}> · {state.series.length} series, stacked actual vs summed prediction</span>
      </h3>
      {state.error !== null && <ErrorMessage message={state.error} />}
      <div className="chart-wrap" style={{ height: 280 }} data-testid="type-stack-chart" data-series={state.series.length} data-points={rows.length}>
        {rows.length > 0 && (
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
              <XAxis type="number" dataKey="t" domain={[first, last]} allowDataOverflow tickFormatter={(t: number) => axisTime(t, last - first)} stroke={palette.axis} fontSize={11} />
              <YAxis tickFormatter={fmt} stroke={palette.axis} fontSize={11} width={78} />
              <Tooltip {...tooltipStyle(palette)} labelFormatter={(t) => formatEpoch(Number(t))} formatter={(v, name) => [v === null || v === undefined ? '–' : fmt(Number(v)), String(name).replace(/^a:/, '')]} />
              <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => v.replace(/^a:/, '')} />
              {state.series.map((s, i) => (
                <Area key={s.name} dataKey={`a:${s.name}`} stackId="actual" stroke="none" fill={STACK_COLOURS[i % STACK_COLOURS.length]} fillOpacity={0.55} isAnimationActive={false} />
              ))}
              <Line dataKey="predicted" name="predicted (sum, 1 step)" stroke={palette.line2} strokeWidth={1.4} dot={false} isAnimationActive={false} />
              <Line dataKey="ahead" name="ahead (sum, next H)" stroke={palette.line4} strokeWidth={2} strokeDasharray="5 4" dot={{ r: 2 }} connectNulls isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
