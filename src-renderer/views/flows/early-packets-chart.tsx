/**
 * A flow's first packets: one bar per packet at its time since the flow's first packet
 * (cumulative inter-arrival), up for client→server, down for server→client, height = size.
 */
import { useMemo } from 'react';
import type { JSX } from 'react';
import type { EarlyPacket } from '../../../src-shared/flow-record.js';
import { formatBytes, formatDuration } from '../../format/units.js';
import { usePalette } from '../chart-palette.js';

const W = 380;
const H = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

/** The early-packet sequence drawn as signed bars over time. */
export function EarlyPacketsChart({ packets }: { packets: readonly EarlyPacket[] }): JSX.Element {
  const p = usePalette();
  const pts = useMemo(() => {
    let t = 0;
    return packets.map(([size, dir, iat], i) => {
      if (i > 0) t += iat;
      return { t, size, dir, i };
    });
  }, [packets]);
  if (pts.length === 0) return <p className="muted">No packets recorded.</p>;
  const tMax = Math.max(pts[pts.length - 1]?.t ?? 0, 1e-6);
  const sMax = Math.max(...pts.map((x) => x.size), 1);
  const plotW = W - PAD.left - PAD.right;
  const half = (H - PAD.top - PAD.bottom) / 2;
  const mid = PAD.top + half;
  const x = (t: number) => PAD.left + (t / tMax) * plotW;
  const bw = Math.max(2, Math.min(8, plotW / pts.length / 2));
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="First packets: size by direction over time" data-testid="early-packets-chart">
      <line x1={PAD.left} x2={W - PAD.right} y1={mid} y2={mid} stroke={p.axis} strokeWidth={1} />
      <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" fontSize={10} fill={p.axis}>
        {formatBytes(sMax)}
      </text>
      <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" fontSize={10} fill={p.axis}>
        {formatBytes(sMax)}
      </text>
      <text x={PAD.left - 4} y={mid - 4} textAnchor="end" fontSize={9} fill={p.up}>
        c→s
      </text>
      <text x={PAD.left - 4} y={mid + 11} textAnchor="end" fontSize={9} fill={p.down}>
        s→c
      </text>
      <text x={PAD.left} y={H - 4} fontSize={10} fill={p.axis}>
        0
      </text>
      <text x={W - PAD.right} y={H - 4} textAnchor="end" fontSize={10} fill={p.axis}>
        {formatDuration(tMax)}
      </text>
      {pts.map((pt) => {
        const h = (pt.size / sMax) * half;
        return (
          <rect
            key={pt.i}
            x={x(pt.t) - bw / 2}
            y={pt.dir === 1 ? mid - h : mid}
            width={bw}
            height={Math.max(h, 1)}
            fill={pt.dir === 1 ? p.up : p.down}
            opacity={0.85}
          >
            <title>{`#${pt.i + 1} ${pt.dir === 1 ? 'client→server' : 'server→client'} ${pt.size} B at +${formatDuration(pt.t)}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
