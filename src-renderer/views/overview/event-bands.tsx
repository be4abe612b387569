/**
 * Labelled events of the selected source (a simulated capture's label file, `sources.events`):
 * bands on the volume chart with the event's kind, and a list whose rows zoom the brush to the
 * event. Sources without events show neither.
 */
import type { JSX } from 'react';
import { ReferenceArea } from 'recharts';
import type { SourceEvent } from '../../../src-shared/api.js';
import { formatDuration, formatEpoch } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useSelection } from '../../stores/selection-store.js';
import { useSources } from '../../stores/sources-store.js';

/** Band colour per event kind (others: grey). */
const KIND_COLORS: Readonly<Record<string, string>> = {
  syn_flood: '#d9485f', udp_flood: '#e8590c', quiet: '#1c7ed6', spike: '#ae3ec9', port_scan: '#f08c00', dns_tunnel: '#0ca678',
};
const NO_EVENTS: readonly SourceEvent[] = [];

/** The source's events; re-read when the source or its status changes (events are stored once the source exists). */
export function useSourceEvents(sourceId: number | null): readonly SourceEvent[] {
  const status = useSources((s) => s.sources.find((x) => x.id === sourceId)?.status ?? null);
  const q = useApiQuery('sources.events', sourceId === null ? null : { sourceId }, status);
  return q.data ?? NO_EVENTS;
}

interface BandShapeProps {
  readonly x?: number;
  readonly y?: number;
  readonly width?: number;
  readonly height?: number;
}

/** ReferenceArea elements for the events overlapping [from, to) (recharts wants them as direct children). */
export function eventBands(events: readonly SourceEvent[], from: number, to: number): JSX.Element[] {
  return events
    .filter((e) => e.to > from && e.from < to)
    .map((e) => {
      const color = KIND_COLORS[e.kind] ?? '#868e96';
      const shape = (p: BandShapeProps): JSX.Element => (
        <g data-testid="event-band" data-kind={e.kind} data-from={e.from} data-to={e.to}>
          <rect x={p.x ?? 0} y={p.y ?? 0} width={Math.max(2, p.width ?? 0)} height={p.height ?? 0} fill={color} fillOpacity={0.14} stroke={color} strokeOpacity={0.6} strokeDasharray="4 3" />
          <text x={(p.x ?? 0) + 3} y={(p.y ?? 0) + 11} fontSize={10} fill={color}>{e.kind}</text>
          <title>{`${e.kind}: ${formatEpoch(e.from)} – ${formatEpoch(e.to)}`}</title>
        </g>
      );
      return <ReferenceArea key={`event-${e.kind}-${e.from}`} x1={Math.max(e.from, from)} x2={Math.min(e.to, to)} ifOverflow="hidden" shape={shape} />;
    });
}

/** The list of labelled events; a row zooms every chart and table to the event. */
export function SourceEventsPanel({ sourceId }: { sourceId: number }): JSX.Element | null {
  const events = useSourceEvents(sourceId);
  const setRange = useSelection((s) => s.setRange);
  if (events.length === 0) return null;
  return (
    <section className="panel" data-testid="source-events" data-count={events.length}>
      <h3>
        Labelled events <span className="muted" style={{ fontWeight: 'normal' }}>from the scenario&apos;s label file</span>
      </h3>
      <table>
        <thead>
          <tr><th>Kind</th><th>From</th><th>To</th><th className="num">Length</th></tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr
              key={`${e.kind}-${e.from}`}
              data-testid="event-row"
              data-kind={e.kind}
              data-from={e.from}
              data-to={e.to}
              style={{ cursor: 'pointer' }}
              title="Zoom to this event"
              onClick={() => setRange([e.from, e.to])}
            >
              <td><span style={{ color: KIND_COLORS[e.kind] ?? 'inherit' }}>■</span> {e.kind}</td>
              <td className="mono">{formatEpoch(e.from)}</td>
              <td className="mono">{formatEpoch(e.to)}</td>
              <td className="num">{formatDuration(e.to - e.from)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
