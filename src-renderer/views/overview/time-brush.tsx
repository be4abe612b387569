/**
 * The brush under the volume chart: the whole source's traffic in miniature with the current
 * range highlighted; drag across it to pick a new range (released = applied to every view).
 */
import { useMemo, useRef, useState } from 'react';
import type { JSX, PointerEvent as ReactPointerEvent } from 'react';
import { Area, AreaChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useSelection } from '../../stores/selection-store.js';
import { usePalette } from '../chart-palette.js';
import { toRows } from './chart-rows.js';
import { HEAVY_REFRESH_MS, useSourceQueryInputs } from './source-query.js';

/** Drag-to-zoom strip over the source's whole extent (`metric` drawn: bytes, or a model's target). */
export function TimeBrush({ metric = 'bytes' }: { metric?: string }): JSX.Element {
  const { sourceId, range, version } = useSourceQueryInputs(HEAVY_REFRESH_MS);
  const setRange = useSelection((s) => s.setRange);
  const palette = usePalette();
  const q = useApiQuery('charts.series', sourceId === null ? null : { sourceId, metrics: [metric], maxPoints: 300 }, version);
  const rows = useMemo(() => (q.data === null ? [] : toRows(q.data, [{ metric, key: 'v', agg: 'avg' }], true)), [q.data, metric]);
  const data = q.data;
  const extent = data !== null && data.to > data.from ? ([data.from, data.to] as const) : null;
  // The miniature is rebuilt only when its data changed (not while dragging or loading).
  const plot = useMemo(
    () => (
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 2, right: 0, bottom: 2, left: 0 }} accessibilityLayer={false}>
          <XAxis hide type="number" dataKey="t" domain={data === null || data.to <= data.from ? ['dataMin', 'dataMax'] : [data.from, data.to]} allowDataOverflow />
          <YAxis hide domain={[0, 'auto']} />
          <Area dataKey="v" type="linear" stroke={palette.line1} fill={palette.line1} fillOpacity={0.25} isAnimationActive={false} dot={false} activeDot={false} />
        </AreaChart>
      </ResponsiveContainer>
    ),
    [rows, data, palette],
  );
  const box = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);

  const fracAt = (e: ReactPointerEvent): number => {
    const r = box.current?.getBoundingClientRect();
    if (r === undefined || r.width === 0) return 0;
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  };
  const shown = drag !== null
    ? { left: Math.min(drag.a, drag.b), right: Math.max(drag.a, drag.b) }
    : extent !== null && range !== null
      ? { left: (range[0] - extent[0]) / (extent[1] - extent[0]), right: (range[1] - extent[0]) / (extent[1] - extent[0]) }
      : null;

  return (
    <div
      ref={box}
      className="brush"
      data-testid="brush"
      data-from={range?.[0] ?? ''}
      data-to={range?.[1] ?? ''}
      title="Drag to zoom every chart and table to a time range"
      onPointerDown={(e) => {
        if (extent === null) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        const f = fracAt(e);
        setDrag({ a: f, b: f });
      }}
      onPointerMove={(e) => {
        if (drag !== null) setDrag({ a: drag.a, b: fracAt(e) });
      }}
      onPointerUp={(e) => {
        if (drag === null || extent === null) return;
        const b = fracAt(e);
        setDrag(null);
        const lo = Math.min(drag.a, b);
        const hi = Math.max(drag.a, b);
        if (hi - lo < 0.003) return;
        const span = extent[1] - extent[0];
        setRange([extent[0] + lo * span, extent[0] + hi * span]);
      }}
      onPointerCancel={() => setDrag(null)}
    >
      {plot}
      {shown !== null && <div className="sel" style={{ left: `${shown.left * 100}%`, width: `${(shown.right - shown.left) * 100}%` }} />}
    </div>
  );
}
