/**
 * Exports of the Explore view: CSV text of the statistics, a correlation matrix, the PCA
 * components and projection (numbers at full precision, empty cells for null), and PNG of an
 * SVG figure (serialised, drawn on a canvas at 2×). Files are saved by a download: a browser
 * saves it as its downloads do; inside Electron a download opens the native Save dialog (the
 * shell sets no download path of its own).
 */
import type { CorrelationMethod, FeatureExploreResult } from '../../../src-shared/explore-api.js';

/** One CSV field: numbers as JavaScript prints them (round-trip exact), text quoted when needed. */
function field(v: number | string | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function lines(rows: readonly (readonly (number | string | boolean | null | undefined)[])[]): string {
  return rows.map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** The statistics table: one row per feature. */
export function statsCsv(r: FeatureExploreResult): string {
  const head = ['feature', 'count', 'missing', 'mean', 'std', 'min', 'p5', 'p25', 'median', 'p75', 'p95', 'max', 'skew'];
  return lines([head, ...r.stats.map((s) => [s.feature, s.count, s.missing, s.mean, s.std, s.min, s.p5, s.p25, s.median, s.p75, s.p95, s.max, s.skew])]);
}

/** A correlation matrix: header `feature,<f1>,…`, one row per feature. */
export function correlationCsv(r: FeatureExploreResult, method: CorrelationMethod): string {
  const m = method === 'pearson' ? r.pearson : r.spearman;
  return lines([['feature', ...r.features], ...r.features.map((f, i) => [f, ...(m.values[i] ?? [])])]);
}

/** PCA components: eigenvalue, explained variance ratio and loadings per component. */
export function pcaComponentsCsv(r: FeatureExploreResult): string {
  const p = r.pca;
  if (p === null) return lines([['note'], [r.pcaNote ?? 'no PCA']]);
  return lines([
    ['component', 'eigenvalue', 'explained_variance_ratio', ...p.features],
    ...p.eigenvalues.map((e, k) => [`PC${k + 1}`, e, p.explainedVarianceRatio[k], ...(p.loadings[k] ?? [])]),
  ]);
}

/** The PCA projection: window start, PC1, PC2 (and the anomaly flag when a detection is stored). */
export function pcaProjectionCsv(r: FeatureExploreResult): string {
  const p = r.pca;
  if (p === null) return lines([['note'], [r.pcaNote ?? 'no PCA']]);
  const flags = r.anomalies?.flagged;
  return lines([
    ['t', 'pc1', 'pc2', ...(flags === undefined ? [] : ['anomaly'])],
    ...p.projection.t.map((t, k) => [t, p.projection.pc1[k], p.projection.pc2[k], ...(flags === undefined ? [] : [flags[k] === true ? 1 : 0])]),
  ]);
}

/** Saves a blob under a file name (a download; Electron asks where with its Save dialog). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the download has taken the blob (the click starts it asynchronously).
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves CSV text. */
export function saveCsv(text: string, name: string): void {
  saveBlob(new Blob([text], { type: 'text/csv;charset=utf-8' }), name);
}

/** Renders an SVG element to a PNG (2× its size, on `background`) and saves it. */
export async function saveSvgAsPng(svg: SVGSVGElement, name: string, background: string): Promise<void> {
  const width = Number(svg.getAttribute('width')) || svg.clientWidth;
  const height = Number(svg.getAttribute('height')) || svg.clientHeight;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const text = new XMLSerializer().serializeToString(clone);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error(`${name}: the figure could not be drawn as an image`));
      img.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const g = canvas.getContext('2d');
    if (g === null) throw new Error(`${name}: no 2-D canvas in this browser`);
    g.fillStyle = background;
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.scale(scale, scale);
    g.drawImage(img, 0, 0, width, height);
    const png = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b === null ? reject(new Error(`${name}: PNG encoding failed`)) : resolve(b)), 'image/png'));
    saveBlob(png, name);
  } finally {
    URL.revokeObjectURL(url);
  }
}
