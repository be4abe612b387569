/**
 * The Explore view's figures, drawn as plain SVG (exportable as PNG as they are): the
 * correlation heat map, small-multiple histograms, the PCA scree and the 2-D projection.
 * Colours are attributes from the palette, not CSS, so a serialised SVG looks the same.
 */
import { useState } from 'react';
import type { JSX, Ref } from 'react';
import type { CorrelationMatrix, FeatureHistogram, PcaResult } from '../../../src-shared/explore-api.js';
import type { Palette } from '../chart-palette.js';

/** A number with 4 significant digits (integers in full). */
export function short(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

function mix(a: readonly number[], b: readonly number[], f: number): string {
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Diverging colour of r in [−1, 1]: blue (−1) through the neutral background to red (+1). */
export function corrColour(r: number | null, dark: boolean): string {
  if (r === null) return dark ? '#3a3f4b' : '#d4d4d8';
  const neutral = dark ? [38, 42, 52] : [250, 250, 250];
  return r >= 0 ? mix(neutral, [220, 38, 38], r) : mix(neutral, [37, 99, 235], -r);
}

/** The hovered cell of the heat map, as the readout shows it. */
interface Hovered {
  readonly i: number;
  readonly j: number;
}

/** The correlation heat map with a hover readout; cells carry their exact value in data-value. */
export function CorrelationHeatMap(props: {
  features: readonly string[];
  matrix: CorrelationMatrix;
  palette: Palette;
  dark: boolean;
  svgRef: Ref<SVGSVGElement>;
}): JSX.Element {
  const { features, matrix, palette, dark } = props;
  const [hover, setHover] = useState<Hovered | null>(null);
  const p = features.length;
  const cell = Math.max(14, Math.min(34, Math.floor(560 / Math.max(1, p))));
  const labelW = 170;
  const top = 150;
  const width = labelW + p * cell + 60;
  const height = top + p * cell + 10;
  const value = (i: number, j: number): number | null => matrix.values[i]?.[j] ?? null;
  const h = hover === null ? null : { ...hover, v: value(hover.i, hover.j), n: matrix.n[hover.i]?.[hover.j] ?? 0 };
  return (
    <div>
      <svg ref={props.svgRef} width={width} height={height} data-testid="corr-heatmap" data-method={matrix.method} data-cells={p * p} role="img"
        aria-label={`${matrix.method} correlation of ${p} features`} onMouseLeave={() => setHover(null)}>
        <rect x={0} y={0} width={width} height={height} fill={palette.tooltipBg} />
        {features.map((f, j) => (
          <text key={`c${f}`} transform={`translate(${labelW + j * cell + cell / 2 + 4}, ${top - 6}) rotate(-60)`} fontSize={11} fill={palette.text}>{f}</text>
        ))}
        {features.map((f, i) => (
          <text key={`r${f}`} x={labelW - 6} y={top + i * cell + cell / 2 + 4} fontSize={11} textAnchor="end" fill={palette.text}>{f}</text>
        ))}
        {features.map((fi, i) => features.map((fj, j) => {
          const v = value(i, j);
          return (
            <rect key={`${i}-${j}`} data-testid="corr-cell" data-i={i} data-j={j} data-value={v === null ? '' : String(v)}
              x={labelW + j * cell} y={top + i * cell} width={cell - 1} height={cell - 1} fill={corrColour(v, dark)}
              stroke={hover?.i === i && hover.j === j ? palette.text : 'none'} onMouseEnter={() => setHover({ i, j })}>
              <title>{`${fi} × ${fj}: ${v === null ? 'undefined' : v.toFixed(3)}`}</title>
            </rect>
          );
        }))}
        {/* Legend: −1 … +1. */}
        {Array.from({ length: 21 }, (_, k) => (
          <rect key={`l${k}`} x={labelW + p * cell + 20} y={top + (20 - k) * ((p * cell) / 21)} width={14} height={(p * cell) / 21 + 0.5} fill={corrColour(k / 10 - 1, dark)} />
        ))}
        <text x={labelW + p * cell + 38} y={top + 10} fontSize={10} fill={palette.axis}>+1</text>
        <text x={labelW + p * cell + 38} y={top + p * cell} fontSize={10} fill={palette.axis}>−1</text>
      </svg>
      <p className="muted" data-testid="corr-hover" data-value={h === null || h.v === null ? '' : String(h.v)} style={{ minHeight: '1.4em', margin: '4px 0 0' }}>
        {h === null
          ? 'Hover a cell for its value.'
          : `${features[h.i]} × ${features[h.j]}: ${matrix.method === 'pearson' ? 'Pearson' : 'Spearman'} ${h.v === null ? 'undefined (constant or under 3 shared windows)' : `r = ${h.v.toFixed(3)}`} over ${h.n} windows`}
      </p>
    </div>
  );
}

/** One small histogram per feature. */
export function Histograms({ histograms, palette }: { histograms: readonly FeatureHistogram[]; palette: Palette }): JSX.Element {
  const w = 180;
  const h = 70;
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 10 }}>
      {histograms.map((hist) => {
        const max = Math.max(1, ...hist.counts);
        const bw = w / hist.counts.length;
        return (
          <figure key={hist.feature} data-testid="histogram" data-feature={hist.feature} style={{ margin: 0 }}>
            <figcaption style={{ fontSize: 11 }}>{hist.feature}</figcaption>
            <svg width={w} height={h + 14}>
              {hist.counts.map((c, k) => (
                <rect key={k} x={k * bw} y={h - (c / max) * h} width={bw - 1} height={(c / max) * h} fill={palette.bar}>
                  <title>{`${short(hist.edges[k])} – ${short(hist.edges[k + 1])}: ${c} windows`}</title>
                </rect>
              ))}
              <text x={0} y={h + 12} fontSize={9} fill={palette.axis}>{short(hist.edges[0])}</text>
              <text x={w} y={h + 12} fontSize={9} textAnchor="end" fill={palette.axis}>{short(hist.edges[hist.edges.length - 1])}</text>
            </svg>
          </figure>
        );
      })}
    </div>
  );
}

/** Explained variance per component (bars) and cumulative (line). */
export function ScreePlot({ pca, palette }: { pca: PcaResult; palette: Palette }): JSX.Element {
  const ratios = pca.explainedVarianceRatio;
  const w = 360;
  const h = 180;
  const left = 34;
  const top = 10;
  const bw = (w - left) / Math.max(1, ratios.length);
  let cum = 0;
  const points = ratios.map((r, k) => {
    cum += r;
    return `${left + k * bw + bw / 2},${top + h - cum * h}`;
  });
  return (
    <svg width={w} height={top + h + 20} data-testid="pca-scree" data-components={ratios.length}>
      {[0, 0.5, 1].map((y) => (
        <g key={y}>
          <line x1={left} x2={w} y1={top + h - y * h} y2={top + h - y * h} stroke={palette.grid} />
          <text x={left - 4} y={top + h - y * h + 4} fontSize={9} textAnchor="end" fill={palette.axis}>{`${y * 100}%`}</text>
        </g>
      ))}
      {ratios.map((r, k) => (
        <rect key={k} data-testid="scree-bar" data-value={String(r)} x={left + k * bw + 1} y={top + h - r * h} width={bw - 2} height={r * h} fill={palette.bar}>
          <title>{`PC${k + 1}: ${(100 * r).toFixed(1)} % (eigenvalue ${short(pca.eigenvalues[k])})`}</title>
        </rect>
      ))}
      <polyline points={points.join(' ')} fill="none" stroke={palette.line2} strokeWidth={1.5} />
      <text x={left} y={top + h + 16} fontSize={10} fill={palette.axis}>components 1–{ratios.length}; line: cumulative</text>
    </svg>
  );
}

/** Colour of a point by time: early blue → late amber. */
function timeColour(f: number): string {
  return `hsl(${Math.round(220 - 180 * f)}, 75%, 50%)`;
}

/** The projection on PC1 × PC2, coloured by time or by anomaly flag. */
export function ProjectionScatter(props: {
  pca: PcaResult;
  flagged: readonly boolean[] | null;
  colourBy: 'time' | 'anomaly';
  palette: Palette;
  svgRef: Ref<SVGSVGElement>;
}): JSX.Element {
  const { pca, flagged, colourBy, palette } = props;
  const { t, pc1, pc2 } = pca.projection;
  const w = 520;
  const h = 360;
  const m = 36;
  const ext = (a: readonly number[]): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of a) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  };
  const [x0, x1] = ext(pc1);
  const [y0, y1] = ext(pc2);
  const [t0, t1] = ext(t);
  const sx = (x: number): number => m + ((x - x0) / (x1 - x0)) * (w - 2 * m);
  const sy = (y: number): number => h - m - ((y - y0) / (y1 - y0)) * (h - 2 * m);
  const byAnomaly = colourBy === 'anomaly' && flagged !== null;
  const order = t.map((_, k) => k);
  // Flagged points last, so they sit on top.
  if (byAnomaly) order.sort((a, b) => Number(flagged[a] === true) - Number(flagged[b] === true));
  const pct = (k: number): string => `${(100 * (pca.explainedVarianceRatio[k] ?? 0)).toFixed(1)} %`;
  return (
    <svg ref={props.svgRef} width={w} height={h} data-testid="pca-scatter" data-points={t.length} data-colour={byAnomaly ? 'anomaly' : 'time'}>
      <rect x={0} y={0} width={w} height={h} fill={palette.tooltipBg} />
      <line x1={m} x2={w - m} y1={h - m} y2={h - m} stroke={palette.grid} />
      <line x1={m} x2={m} y1={m} y2={h - m} stroke={palette.grid} />
      <text x={w / 2} y={h - 8} fontSize={11} textAnchor="middle" fill={palette.axis}>{`PC1 (${pct(0)})`}</text>
      <text transform={`translate(12, ${h / 2}) rotate(-90)`} fontSize={11} textAnchor="middle" fill={palette.axis}>{`PC2 (${pct(1)})`}</text>
      {order.map((k) => (
        <circle key={k} cx={sx(pc1[k]!)} cy={sy(pc2[k]!)} r={byAnomaly && flagged[k] === true ? 3.5 : 2.5}
          fill={byAnomaly ? (flagged[k] === true ? '#dc2626' : palette.axis) : timeColour((t[k]! - t0) / (t1 - t0))}
          fillOpacity={byAnomaly && flagged[k] !== true ? 0.45 : 0.8} />
      ))}
      {byAnomaly ? (
        <text x={w - m} y={m - 10} fontSize={10} textAnchor="end" fill={palette.axis}>red: flagged window · grey: not flagged</text>
      ) : (
        <text x={w - m} y={m - 10} fontSize={10} textAnchor="end" fill={palette.axis}>colour: time, blue (early) → amber (late)</text>
      )}
    </svg>
  );
}
