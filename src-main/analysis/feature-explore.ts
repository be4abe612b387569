/**
 * Feature exploration (pure): a source's windows → the feature columns models read → summary
 * statistics, histograms, Pearson and Spearman matrices, PCA and keep/drop suggestions.
 *
 * Features: the window metrics (WINDOW_METRICS), the flight metrics (bif_mean, bif_max and the
 * stored rtt_gradient / bif_gradient), and first differences `<metric>_diff` = the window's
 * value minus the previous window's on the regular grid (the forecast's "gradient" inputs,
 * without its log1p). tcp_rtt_ms and bif_mean have no `_diff`: rtt_gradient and bif_gradient
 * are those. An imported series offers its named values and their `_diff`.
 *
 * Missing values: a capture stores only windows that saw packets, so the grid gets an idle
 * window for each missing step: counts and rates that mean 0 there (ZERO_WHEN_IDLE) are 0,
 * every ratio, latency, RTT and flight value is missing (NaN), as is a difference with a
 * missing side. An imported series is not gap-filled. Statistics use each feature's valued
 * windows; correlations are pairwise complete; PCA uses the windows complete in all its
 * features and leaves out features missing in more than half of the windows.
 */
import {
  EXPLORE_CORRELATED_R, EXPLORE_HISTOGRAM_BINS, EXPLORE_MAX_WINDOWS, EXPLORE_NEAR_CONSTANT_SHARE,
} from '../../src-shared/explore-api.js';
import type { CorrelationMatrix, FeatureDropSuggestion, FeatureExploreResult, FeatureStats, PcaResult } from '../../src-shared/explore-api.js';
import { FLIGHT_METRICS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import { ZERO_WHEN_IDLE, type WindowValues } from '../ml/anomaly/window-features.js';
import { correlationMatrices, featureStats, histogram, sortedValues } from './feature-explore-stats.js';
import { principalComponents } from './feature-explore-pca.js';

/** Window metrics whose difference is already stored under another name. */
const DIFF_STORED: Readonly<Record<string, string>> = { tcp_rtt_ms: 'rtt_gradient', bif_mean: 'bif_gradient' };

/** Differences in the default set (the throughput pair; the rest can be picked). */
const DEFAULT_DIFFS = ['bytes_per_second_diff', 'packets_per_second_diff'];

/** Windows at or below which a run stays on the workbench's thread (~50 ms; measured in explore-handlers.ts). */
export const INLINE_MAX_WINDOWS = 2_000;

/** Which windows a source offers and how its gaps are read. */
export interface ExploreSourceShape {
  readonly resolution: number;
  /** Captures: a missing step is an idle window; series: nothing is inserted. */
  readonly fillGaps: boolean;
  /** Named values of an imported series (none for captures). */
  readonly seriesColumns: readonly string[];
  /**
   * With fillGaps: the grid's first window start and end (exclusive), so idle windows at the
   * edges of a chosen range count too; default the first and last stored row.
   */
  readonly gridFrom?: number;
  readonly gridTo?: number;
}

/** Every feature a source of this shape offers, in canonical order. */
export function availableFeatures(shape: ExploreSourceShape): string[] {
  if (shape.seriesColumns.length > 0) return [...shape.seriesColumns, ...shape.seriesColumns.map((c) => `${c}_diff`)];
  return [...WINDOW_METRICS, ...FLIGHT_METRICS, ...WINDOW_METRICS.filter((m) => DIFF_STORED[m] === undefined).map((m) => `${m}_diff`), 'bif_max_diff'];
}

/** Windows on the grid with their feature columns. */
export interface FeatureTable {
  readonly t: Float64Array;
  readonly names: string[];
  readonly columns: Float64Array[];
  readonly skipped: { feature: string; reason: string }[];
}

/**
 * The feature columns of `rows` (any order). `features` default: every value feature with at
 * least one value plus DEFAULT_DIFFS (a series: its values and their differences). Throws on an
 * unknown feature name or a grid past EXPLORE_MAX_WINDOWS.
 */
export function buildFeatureTable(rows: readonly WindowValues[], shape: ExploreSourceShape, features?: readonly string[]): FeatureTable {
  const available = availableFeatures(shape);
  for (const f of features ?? []) {
    if (!available.includes(f)) throw new Error(`features: unknown feature ${JSON.stringify(f)} (this source offers ${available.join(', ')})`);
  }
  const grid = alignGrid(rows, shape);
  const base = (name: string): string => (name.endsWith('_diff') ? name.slice(0, -5) : name);
  const raw = new Map<string, Float64Array>();
  const column = (c: string): Float64Array => {
    let col = raw.get(c);
    if (col === undefined) {
      const idle = shape.fillGaps && ZERO_WHEN_IDLE.includes(c) ? 0 : Number.NaN;
      col = new Float64Array(grid.rows.length);
      for (let i = 0; i < col.length; i++) {
        const r = grid.rows[i];
        col[i] = r === null || r === undefined ? idle : num(r[c]);
      }
      raw.set(c, col);
    }
    return col;
  };
  const hasValue = (c: string): boolean => column(c).some((v) => !Number.isNaN(v));
  const wanted = features ?? available.filter((f) =>
    shape.seriesColumns.length > 0 ? true : !f.endsWith('_diff') || DEFAULT_DIFFS.includes(f));
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const skipped: { feature: string; reason: string }[] = [];
  for (const f of wanted) {
    if (!hasValue(base(f))) {
      skipped.push({ feature: f, reason: `no window has a value of ${base(f)}` });
      continue;
    }
    names.push(f);
    columns.push(f.endsWith('_diff') ? difference(column(base(f))) : column(f));
  }
  return { t: grid.t, names, columns, skipped };
}

function num(v: number | null | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/** x[i] − x[i−1]; NaN for the first window and where either side is missing. */
function difference(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let i = 1; i < x.length; i++) out[i] = x[i]! - x[i - 1]!;
  return out;
}

/** Rows sorted by t; with fillGaps a null (idle window) for every missing step. */
function alignGrid(rows: readonly WindowValues[], shape: ExploreSourceShape): { t: Float64Array; rows: (WindowValues | null)[] } {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  if (!shape.fillGaps || sorted.length === 0) {
    checkCap(sorted.length, shape.resolution);
    return { t: Float64Array.from(sorted, (r) => r.t), rows: sorted };
  }
  const first = Math.min(shape.gridFrom ?? Infinity, sorted[0]!.t);
  const end = Math.max(shape.gridTo ?? -Infinity, sorted[sorted.length - 1]!.t + shape.resolution);
  const count = Math.ceil((end - first) / shape.resolution - 1e-9);
  checkCap(count, shape.resolution);
  const t = new Float64Array(count);
  const out: (WindowValues | null)[] = new Array<WindowValues | null>(count).fill(null);
  for (let i = 0; i < count; i++) t[i] = first + i * shape.resolution;
  for (const r of sorted) {
    const i = Math.round((r.t - first) / shape.resolution);
    if (i >= 0 && i < count) out[i] = r;
  }
  return { t, rows: out };
}

function checkCap(count: number, resolution: number): void {
  if (count > EXPLORE_MAX_WINDOWS) {
    throw new Error(`resolution: ${count} windows of ${resolution} s in the range, more than the ${EXPLORE_MAX_WINDOWS} one exploration reads: choose a coarser resolution or a shorter range`);
  }
}

/** Everything of the result but the source fields and timing. */
export type ExploreFigures = Pick<FeatureExploreResult, 'windows' | 'features' | 'skipped' | 'stats' | 'histograms' | 'pearson' | 'spearman' | 'pca' | 'pcaNote' | 'suggestions'>;

/** Statistics, correlations, PCA and suggestions of a feature table. */
export function exploreFeatures(table: FeatureTable): ExploreFigures {
  const sorted = table.columns.map(sortedValues);
  const stats = table.names.map((f, j) => featureStats(f, table.columns[j]!, sorted[j]!));
  const histograms = table.names.map((f, j) => histogram(f, sorted[j]!, EXPLORE_HISTOGRAM_BINS));
  const { pearson, spearman } = correlationMatrices(table.columns);
  const { pca, note } = runPca(table, stats);
  return {
    windows: table.t.length, features: table.names, skipped: table.skipped, stats, histograms, pearson, spearman,
    pca, pcaNote: note, suggestions: suggestFeatures(table.names, stats, pearson),
  };
}

function runPca(table: FeatureTable, stats: readonly FeatureStats[]): { pca: PcaResult | null; note: string | null } {
  const excluded: { feature: string; reason: string }[] = [];
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const n = table.t.length;
  table.names.forEach((f, j) => {
    const s = stats[j]!;
    if (s.count < n / 2) excluded.push({ feature: f, reason: `missing in ${s.missing} of ${n} windows (more than half)` });
    else if (s.std === null || s.std === 0) excluded.push({ feature: f, reason: 'constant: cannot be standardised' });
    else {
      names.push(f);
      columns.push(table.columns[j]!);
    }
  });
  // A feature constant over the listwise-complete windows cannot be standardised either.
  for (;;) {
    const complete = completeRows(columns, n);
    const flat = columns.findIndex((c) => isConstantOn(c, complete));
    if (flat < 0 || complete.length < 3) break;
    excluded.push({ feature: names[flat]!, reason: 'constant over the windows where every PCA feature has a value' });
    names.splice(flat, 1);
    columns.splice(flat, 1);
  }
  const complete = completeRows(columns, n).length;
  if (names.length < 2) return { pca: null, note: `PCA needs two usable features; ${names.length} left after leaving out ${excluded.map((e) => e.feature).join(', ') || 'none'}` };
  if (complete < 3) return { pca: null, note: `PCA needs 3 windows with a value in every feature; ${complete} have one` };
  return { pca: { ...principalComponents({ names, columns, t: table.t }), excluded }, note: null };
}

function completeRows(columns: readonly Float64Array[], n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (columns.every((c) => !Number.isNaN(c[i]!))) out.push(i);
  return out;
}

function isConstantOn(c: Float64Array, rows: readonly number[]): boolean {
  return rows.length > 0 && rows.every((i) => c[i] === c[rows[0]!]);
}

/** Least windows a pair needs before its correlation can mark one side redundant. */
const MIN_PAIR_WINDOWS = 10;

/**
 * Keep/drop suggestions: a near-constant feature (std 0, or one value in ≥ 99 % of its windows)
 * is dropped; then pairs with |Pearson r| ≥ 0.95 over ≥ 10 shared windows, strongest first,
 * drop one side: the one with more missing windows, else the one more correlated with the other
 * kept features (mean |r|), else the later in feature order.
 */
export function suggestFeatures(names: readonly string[], stats: readonly FeatureStats[], pearson: CorrelationMatrix): { keep: string[]; drop: FeatureDropSuggestion[] } {
  const drop: FeatureDropSuggestion[] = [];
  const dropped = new Set<number>();
  stats.forEach((s, j) => {
    if (s.count === 0) return;
    const share = s.topShare ?? 0;
    if (s.std === null || s.std === 0) {
      drop.push({ feature: names[j]!, kind: 'near_constant', reason: `constant: every one of its ${s.count} windows is ${fmt(s.min ?? 0)}` });
      dropped.add(j);
    } else if (share >= EXPLORE_NEAR_CONSTANT_SHARE) {
      drop.push({ feature: names[j]!, kind: 'near_constant', reason: `near-constant: ${pct(share)} of its ${s.count} windows hold one value` });
      dropped.add(j);
    }
  });
  const pairs: { i: number; j: number; r: number }[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const r = pearson.values[i]![j];
      if (r !== null && r !== undefined && Math.abs(r) >= EXPLORE_CORRELATED_R && (pearson.n[i]![j] ?? 0) >= MIN_PAIR_WINDOWS) pairs.push({ i, j, r });
    }
  }
  pairs.sort((a, b) => Math.abs(b.r) - Math.abs(a.r) || a.i - b.i || a.j - b.j);
  const meanAbs = (k: number): number => {
    let s = 0;
    let c = 0;
    names.forEach((_, m) => {
      const r = pearson.values[k]![m];
      if (m === k || dropped.has(m) || r === null || r === undefined) return;
      s += Math.abs(r);
      c++;
    });
    return c === 0 ? 0 : s / c;
  };
  for (const { i, j, r } of pairs) {
    if (dropped.has(i) || dropped.has(j)) continue;
    const mi = stats[i]!.missing;
    const mj = stats[j]!.missing;
    let loser: number;
    let why: string;
    if (mi !== mj) {
      loser = mi > mj ? i : j;
      why = `it has more missing windows (${Math.max(mi, mj)} against ${Math.min(mi, mj)})`;
    } else {
      const ai = meanAbs(i);
      const aj = meanAbs(j);
      loser = ai > aj ? i : aj > ai ? j : j;
      why = ai === aj ? 'it comes later in the feature order' : `it is more correlated with the other features (mean |r| ${fmt(Math.max(ai, aj))} against ${fmt(Math.min(ai, aj))})`;
    }
    const kept = loser === i ? j : i;
    drop.push({
      feature: names[loser]!, kind: 'correlated', keptInstead: names[kept]!, r,
      reason: `Pearson r = ${r.toFixed(3)} with ${names[kept]!} over ${pearson.n[i]![j]} windows; dropped rather than ${names[kept]!} because ${why}`,
    });
    dropped.add(loser);
  }
  return { keep: names.filter((_, k) => !dropped.has(k)), drop };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
