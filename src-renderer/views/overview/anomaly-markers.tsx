/**
 * Anomaly markers for the Overview's time charts: one full-height ReferenceArea per flagged
 * window inside the chart's domain, coloured by severity, at least 3 px wide so a 1 s window on
 * a day-long axis stays visible. Returned as an element list (recharts finds reference elements
 * among a chart's direct children).
 */
import type { JSX } from 'react';
import { ReferenceArea } from 'recharts';
import type { AnomalyDetectResult, AnomalyWindow } from '../../../src-shared/anomaly-api.js';
import { SEVERITY_COLORS } from '../../stores/anomalies-store.js';

/** Most markers drawn per chart (the highest scores win when more are in view). */
const MAX_MARKERS = 400;

/** The flagged windows overlapping [from, to), highest score first when capped. */
export function markersInView(result: AnomalyDetectResult | null, from: number, to: number): AnomalyWindow[] {
  if (result === null) return [];
  const inView = result.anomalies.filter((a) => a.t + result.resolution > from && a.t < to);
  return inView.length <= MAX_MARKERS ? inView : [...inView].sort((a, b) => b.score - a.score).slice(0, MAX_MARKERS);
}

interface MarkerShapeProps {
  readonly x?: number;
  readonly y?: number;
  readonly width?: number;
  readonly height?: number;
}

/** ReferenceArea elements for the flagged windows in [from, to). */
export function anomalyMarkers(result: AnomalyDetectResult | null, from: number, to: number): JSX.Element[] {
  if (result === null) return [];
  return markersInView(result, from, to).map((a) => {
    const color = SEVERITY_COLORS[a.severity];
    const shape = (p: MarkerShapeProps): JSX.Element => {
      const w = Math.max(3, p.width ?? 0);
      const x = (p.x ?? 0) - (w - (p.width ?? 0)) / 2;
      return (
        <rect data-testid="anomaly-marker" data-t={a.t} data-severity={a.severity} x={x} y={p.y ?? 0} width={w} height={p.height ?? 0} fill={color} fillOpacity={a.severity === 'low' ? 0.18 : 0.3} stroke={a.severity === 'low' ? 'none' : color} strokeOpacity={0.8}>
          <title>{a.message}</title>
        </rect>
      );
    };
    return (
      <ReferenceArea key={`anomaly-${a.t}`} x1={Math.max(a.t, from)} x2={Math.min(a.t + result.resolution, to)} ifOverflow="hidden" shape={shape} />
    );
  });
}
