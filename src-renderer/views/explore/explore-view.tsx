/**
 * The Explore view (5): the selected source's window features over the Overview's brushed range
 * (or the whole source) at a chosen resolution — summary statistics, histograms, the Pearson or
 * Spearman heat map, PCA (scree and the projection coloured by time or anomaly flag) and which
 * features to keep — with CSV and PNG exports. One `features.explore` call per choice.
 */
import { useRef, useState } from 'react';
import type { JSX, RefObject } from 'react';
import type { CorrelationMethod, FeatureExploreRequest, FeatureExploreResult } from '../../../src-shared/explore-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { reportError } from '../../stores/notices-store.js';
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import { useSelectedSource, useSources } from '../../stores/sources-store.js';
import { useTheme } from '../../stores/theme-store.js';
import { usePalette } from '../chart-palette.js';
import type { Palette } from '../chart-palette.js';
import { correlationCsv, pcaComponentsCsv, pcaProjectionCsv, saveCsv, saveSvgAsPng, statsCsv } from './explore-export.js';
import { CorrelationHeatMap, Histograms, ProjectionScatter, ScreePlot, short } from './explore-figures.js';

/** Resolutions offered; 'auto' lets the workbench pick (a series' own step). */
const RESOLUTIONS = ['auto', 1, 10, 60] as const;

/** The view; its state starts over for each source. */
export function ExploreView(): JSX.Element {
  const source = useSelectedSource();
  if (source === null) {
    return (
      <div className="content">
        <p className="muted">Select a source on the left.</p>
      </div>
    );
  }
  return <SourceExplore key={source.id} sourceId={source.id} name={source.displayName} />;
}

function SourceExplore({ sourceId, name }: { sourceId: number; name: string }): JSX.Element {
  const range = useSelection((s) => s.range);
  const version = useSources((s) => s.version);
  const [resolution, setResolution] = useState<(typeof RESOLUTIONS)[number]>('auto');
  const [features, setFeatures] = useState<readonly string[] | null>(null);
  const req: FeatureExploreRequest = {
    sourceId, ...rangeFields(range), ...(resolution === 'auto' ? {} : { resolution }), ...(features === null ? {} : { features }),
  };
  const q = useApiQuery('features.explore', req, version);
  const r = q.data;
  return (
    <div className="content" data-testid="explore" data-loading={q.loading ? 'true' : 'false'}>
      <section className="panel">
        <h3>
          Explore features of {name}
          <span className="muted" style={{ fontWeight: 'normal' }}>
            {range === null ? 'whole source' : `brushed range ${new Date(range[0] * 1000).toISOString().slice(11, 19)}–${new Date(range[1] * 1000).toISOString().slice(11, 19)} (Esc in the Overview resets it)`}
          </span>
        </h3>
        <div className="form-row">
          <label>
            Resolution{' '}
            <select data-testid="explore-resolution" value={String(resolution)}
              onChange={(e) => setResolution(e.currentTarget.value === 'auto' ? 'auto' : (Number(e.currentTarget.value) as 1 | 10 | 60))}>
              {RESOLUTIONS.map((x) => <option key={x} value={String(x)}>{x === 'auto' ? 'auto' : `${x} s`}</option>)}
            </select>
          </label>
          {r !== null && <FeaturePicker result={r} chosen={features} onChange={setFeatures} />}
          {q.loading && <span className="muted" data-testid="explore-loading">computing…</span>}
        </div>
        {q.error !== null && <ErrorMessage message={q.error} />}
        {r !== null && (
          <p className="muted" data-testid="explore-summary" data-windows={r.windows} data-resolution={r.resolution} data-features={r.features.length}>
            {r.windows.toLocaleString('en-US')} windows of {r.resolution} s, {r.features.length} features, computed in {Math.round(r.elapsedMs)} ms.
            {r.skipped.length > 0 && ` Left out (no values): ${r.skipped.map((s) => s.feature).join(', ')}.`}
          </p>
        )}
      </section>
      {r !== null && <Figures r={r} sourceId={sourceId} />}
    </div>
  );
}

/** Chooses the features (default: the workbench's default set). */
function FeaturePicker({ result, chosen, onChange }: { result: FeatureExploreResult; chosen: readonly string[] | null; onChange: (f: readonly string[] | null) => void }): JSX.Element {
  const current = new Set(chosen ?? result.features);
  const toggle = (f: string): void => {
    const next = result.available.filter((x) => (x === f ? !current.has(x) : current.has(x)));
    if (next.length > 0) onChange(next);
  };
  return (
    <details data-testid="explore-features">
      <summary>Features ({current.size} of {result.available.length})</summary>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '2px 12px', maxWidth: 820, fontSize: 12 }}>
        {result.available.map((f) => (
          <label key={f}>
            <input type="checkbox" checked={current.has(f)} onChange={() => toggle(f)} /> {f}
          </label>
        ))}
      </div>
      <button className="link" onClick={() => onChange(null)}>default set</button>
    </details>
  );
}

function Figures({ r, sourceId }: { r: FeatureExploreResult; sourceId: number }): JSX.Element {
  const palette = usePalette();
  const dark = useTheme((s) => s.theme === 'dark');
  const [method, setMethod] = useState<CorrelationMethod>('pearson');
  const [colourBy, setColourBy] = useState<'time' | 'anomaly'>('anomaly');
  const heatRef = useRef<SVGSVGElement>(null);
  const scatterRef = useRef<SVGSVGElement>(null);
  const base = `source-${sourceId}-${r.resolution}s`;
  const png = (el: SVGSVGElement | null, file: string): void => {
    if (el !== null) saveSvgAsPng(el, file, palette.tooltipBg).catch((e: unknown) => reportError(e instanceof Error ? e.message : String(e)));
  };
  const flagged = r.anomalies?.flagged ?? null;
  return (
    <>
      <section className="panel" data-testid="explore-stats">
        <h3>
          Summary statistics
          <span className="right">
            <button data-testid="export-stats-csv" onClick={() => saveCsv(statsCsv(r), `stats-${base}.csv`)}>CSV</button>
          </span>
        </h3>
        <StatsTable r={r} />
      </section>
      <section className="panel">
        <h3>Distributions <span className="muted" style={{ fontWeight: 'normal' }}>20 equal bins from min to max</span></h3>
        <Histograms histograms={r.histograms} palette={palette} />
      </section>
      <section className="panel" data-testid="explore-correlation">
        <h3>
          Correlation
          <span className="muted" style={{ fontWeight: 'normal' }}>pairwise complete windows; Spearman ranks ties at their average</span>
          <span className="right">
            <span role="radiogroup" aria-label="Correlation method">
              {(['pearson', 'spearman'] as const).map((m) => (
                <button key={m} role="radio" aria-checked={method === m} data-testid={`corr-method-${m}`} className={method === m ? 'primary' : ''} onClick={() => setMethod(m)}>
                  {m === 'pearson' ? 'Pearson' : 'Spearman'}
                </button>
              ))}
            </span>
            <button data-testid="export-corr-csv" onClick={() => saveCsv(correlationCsv(r, method), `correlation-${method}-${base}.csv`)}>CSV</button>
            <button data-testid="export-heatmap-png" onClick={() => png(heatRef.current, `correlation-${method}-${base}.png`)}>PNG</button>
          </span>
        </h3>
        <CorrelationHeatMap features={r.features} matrix={method === 'pearson' ? r.pearson : r.spearman} palette={palette} dark={dark} svgRef={heatRef} />
      </section>
      <PcaPanel r={r} base={base} palette={palette} colourBy={colourBy} setColourBy={setColourBy} flagged={flagged} scatterRef={scatterRef} onPng={png} />
      <Suggestions r={r} />
    </>
  );
}

function StatsTable({ r }: { r: FeatureExploreResult }): JSX.Element {
  const cols = ['count', 'missing', 'mean', 'std', 'min', 'p5', 'p25', 'median', 'p75', 'p95', 'max', 'skew'] as const;
  return (
    <div className="table-scroll">
      <table className="data">
        <thead>
          <tr><th>feature</th>{cols.map((c) => <th key={c} style={{ textAlign: 'right' }}>{c}</th>)}</tr>
        </thead>
        <tbody>
          {r.stats.map((s) => (
            <tr key={s.feature} data-testid="stats-row" data-feature={s.feature} data-mean={s.mean === null ? '' : String(s.mean)}>
              <td>{s.feature}</td>
              {cols.map((c) => <td key={c} style={{ textAlign: 'right' }}>{short(s[c])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PcaPanel(props: {
  r: FeatureExploreResult; base: string; palette: Palette; colourBy: 'time' | 'anomaly'; setColourBy: (c: 'time' | 'anomaly') => void;
  flagged: readonly boolean[] | null; scatterRef: RefObject<SVGSVGElement | null>; onPng: (el: SVGSVGElement | null, file: string) => void;
}): JSX.Element {
  const { r, base, palette, flagged } = props;
  const pca = r.pca;
  return (
    <section className="panel" data-testid="explore-pca">
      <h3>
        PCA
        <span className="muted" style={{ fontWeight: 'normal' }}>standardised features, windows complete in all of them</span>
        {pca !== null && (
          <span className="right">
            <label>
              Colour{' '}
              <select data-testid="pca-colour" value={flagged === null ? 'time' : props.colourBy} onChange={(e) => props.setColourBy(e.currentTarget.value as 'time' | 'anomaly')}>
                <option value="time">by time</option>
                <option value="anomaly" disabled={flagged === null}>by anomaly flag{flagged === null ? ' (none stored)' : ''}</option>
              </select>
            </label>
            <button data-testid="export-pca-csv" onClick={() => saveCsv(pcaProjectionCsv(r), `pca-projection-${base}.csv`)}>Projection CSV</button>
            <button data-testid="export-pca-components-csv" onClick={() => saveCsv(pcaComponentsCsv(r), `pca-components-${base}.csv`)}>Components CSV</button>
            <button data-testid="export-scatter-png" onClick={() => props.onPng(props.scatterRef.current, `pca-projection-${base}.png`)}>PNG</button>
          </span>
        )}
      </h3>
      {pca === null ? (
        <p className="muted" data-testid="pca-note">{r.pcaNote}</p>
      ) : (
        <>
          <p className="muted" data-testid="pca-summary" data-windows={pca.windows}>
            {pca.windows.toLocaleString('en-US')} complete windows, {pca.features.length} features
            {pca.projection.total > pca.projection.t.length ? ` (${pca.projection.t.length.toLocaleString('en-US')} points drawn, evenly spaced in time)` : ''}.
            {pca.excluded.length > 0 && ` Left out: ${pca.excluded.map((e) => `${e.feature} (${e.reason})`).join('; ')}.`}
          </p>
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'flex-start' }}>
            <ScreePlot pca={pca} palette={palette} />
            <ProjectionScatter pca={pca} flagged={flagged} colourBy={props.colourBy} palette={palette} svgRef={props.scatterRef} />
          </div>
          <p className="muted" data-testid="anomaly-note">{r.anomalyNote}</p>
          <Loadings r={r} />
        </>
      )}
    </section>
  );
}

function Loadings({ r }: { r: FeatureExploreResult }): JSX.Element | null {
  const pca = r.pca;
  if (pca === null) return null;
  const shown = Math.min(3, pca.loadings.length);
  return (
    <details>
      <summary>Loadings of PC1–PC{shown}</summary>
      <table className="data">
        <thead><tr><th>feature</th>{Array.from({ length: shown }, (_, k) => <th key={k} style={{ textAlign: 'right' }}>PC{k + 1}</th>)}</tr></thead>
        <tbody>
          {pca.features.map((f, j) => (
            <tr key={f}><td>{f}</td>{Array.from({ length: shown }, (_, k) => <td key={k} style={{ textAlign: 'right' }}>{(pca.loadings[k]?.[j] ?? 0).toFixed(3)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Suggestions({ r }: { r: FeatureExploreResult }): JSX.Element {
  const { keep, drop } = r.suggestions;
  return (
    <section className="panel" data-testid="explore-suggestions">
      <h3>Which features to keep <span className="muted" style={{ fontWeight: 'normal' }}>|Pearson r| ≥ 0.95 pairs keep one; one value in ≥ 99 % of windows is near-constant</span></h3>
      <p data-testid="suggest-keep">Keep ({keep.length}): {keep.join(', ') || 'none'}</p>
      {drop.length === 0 ? (
        <p className="muted">Nothing to drop.</p>
      ) : (
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          {drop.map((d) => (
            <li key={d.feature} data-testid="suggestion" data-feature={d.feature} data-kind={d.kind}>
              <b>Drop {d.feature}</b>: {d.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
