/**
 * Capacity forecast per traffic type or per service: the bytes of each traffic type (the
 * flow's shown label: the user's, else a model's where the rules say unknown, else the label
 * rules') or of each top service (the flow's SNI, else its DNS query, else the name its server
 * address was resolved from) per window, each forecast by its own LSTM with the same
 * baselines and metrics as the throughput forecast.
 *
 * The store keeps bytes per window and bytes per flow, not bytes per window per type, so the
 * per-type series are derived, with this approximation: each flow's bytes are spread evenly
 * over its lifetime [first_ts, last_ts] (a flow of one instant falls in its window); in each
 * window the window's measured bytes are split between the types in proportion to their
 * flows' spread bytes there; window bytes no flow overlaps go to "unattributed" (non-IP
 * frames, flows' idle gaps). The types beyond the TOP largest are summed as "other". So the
 * series add up to the window's bytes exactly; within a window the split is an estimate
 * (exact when every flow lies inside one window).
 */
import type Database from 'better-sqlite3';
import type { ForecastEvaluation } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { shownLabel } from '../workbench/flow-labeller.js';
import { LabelsRepo } from '../store/labels-repo.js';
import { compileRules, resolvedNames, RULE_FLOW_COLUMNS } from './classify/traffic-rules.js';
import type { StoredRuleFlow } from './classify/traffic-rules.js';
import type { RawSeries } from './forecast-dataset.js';
import { runForecastTraining } from './forecast-train.js';
import type { ForecastTrainSpec, TrainHooks } from './forecast-train.js';
import { readSourceSeries } from './source-series.js';
import type { SourceSeries } from './source-series.js';
import { SourcesRepo } from '../store/sources-repo.js';
import type { SeriesSelector } from './forecast-dataset.js';

/** What the series are split by. */
export type SplitBy = 'traffic_type' | 'service';
/** Series kept by name (the rest are summed as "other"). */
export const TOP = 5;
const TARGET = 'bytes_per_second';

/** Per-window bytes/s of each type, on the source's stored windows. */
export interface TypeSeries {
  readonly by: SplitBy;
  readonly resolution: number;
  readonly t: readonly number[];
  /** Window bytes/s as stored. */
  readonly total: readonly number[];
  /** Name → bytes/s per window (largest first; "other", "unattributed" last when present). */
  readonly series: ReadonlyMap<string, Float64Array>;
}

interface FlowSpan extends StoredRuleFlow {
  readonly first: number;
  readonly last: number;
  readonly bytes: number;
}

/** Splits a source's window bytes by traffic type or service (module comment). */
export function typeSeries(db: Database.Database, sourceId: number, by: SplitBy, opts: { resolution?: number; top?: number } = {}): Result<TypeSeries> {
  const read = readSourceSeries(db, sourceId, { ...(opts.resolution === undefined ? {} : { resolution: opts.resolution }), target: TARGET, metrics: [TARGET] });
  if (!read.ok) return read;
  const { raw } = read.value;
  const res = raw.resolution;
  const t = raw.t;
  const total = (raw.columns[TARGET] ?? []).map((v) => v ?? 0);
  const slot = new Map(t.map((x, i) => [x, i]));
  const flows = db
    .prepare<[number], FlowSpan>(
      `SELECT first_ts AS first, last_ts AS last, fwd_bytes + bwd_bytes AS bytes, ${RULE_FLOW_COLUMNS}
       FROM flows WHERE source_id = ? ORDER BY first_ts, id`,
    )
    .all(sourceId);
  const nameOf = namer(db, sourceId, by, flows);
  // Spread bytes per window and type.
  const spread = new Map<string, Float64Array>();
  const flowTotal = new Map<string, number>();
  for (const f of flows) {
    const name = nameOf(f);
    let col = spread.get(name);
    if (col === undefined) {
      col = new Float64Array(t.length);
      spread.set(name, col);
    }
    flowTotal.set(name, (flowTotal.get(name) ?? 0) + f.bytes);
    const w0 = Math.floor(f.first / res) * res;
    const w1 = Math.floor(f.last / res) * res;
    const span = f.last - f.first;
    for (let w = w0; w <= w1; w += res) {
      const i = slot.get(w);
      if (i === undefined) continue;
      const share = span <= 0 ? 1 : (Math.min(f.last, w + res) - Math.max(f.first, w)) / span;
      col[i] = (col[i] ?? 0) + f.bytes * share;
    }
  }
  const top = opts.top ?? TOP;
  const ranked = [...flowTotal.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([n]) => n);
  const kept = ranked.slice(0, top);
  const rest = ranked.slice(top);
  const series = new Map<string, Float64Array>(kept.map((n) => [n, new Float64Array(t.length)]));
  if (rest.length > 0) series.set('other', new Float64Array(t.length));
  const unattributed = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) {
    let sum = 0;
    for (const col of spread.values()) sum += col[i] ?? 0;
    const bps = total[i] ?? 0;
    if (sum <= 0) {
      unattributed[i] = bps;
      continue;
    }
    for (const [name, col] of spread) {
      const target = series.get(kept.includes(name) ? name : 'other');
      if (target !== undefined) target[i] = (target[i] ?? 0) + (bps * (col[i] ?? 0)) / sum;
    }
  }
  if (unattributed.some((v) => v > 0)) series.set('unattributed', unattributed);
  return ok({ by, resolution: res, t, total, series });
}

function namer(db: Database.Database, sourceId: number, by: SplitBy, flows: readonly FlowSpan[]): (f: FlowSpan) => string {
  const names = resolvedNames(flows.map((f) => ({ dns_query: f.dns_query, dns_answers: f.dns_answers === null ? [] : (JSON.parse(f.dns_answers) as string[]) })));
  if (by === 'service') return (f) => f.sni ?? f.dns_query ?? names.get(f.server_addr) ?? 'unnamed';
  const labels = new LabelsRepo(db);
  const match = compileRules(labels.rules());
  const stored = labels.sourceLabels(sourceId);
  return (f) => shownLabel(match({ ...f, resolved_name: names.get(f.server_addr) ?? null }).label, stored.get(f.id) ?? []).label;
}

/**
 * A source's bytes/s of one traffic type or service (a name `typeSeries` lists, "other" and
 * "unattributed" included) as the series a forecast trains on or predicts.
 */
export function derivedSeries(db: Database.Database, sourceId: number, sel: SeriesSelector, resolution?: number): Result<SourceSeries> {
  const split = typeSeries(db, sourceId, sel.by, { ...(resolution === undefined ? {} : { resolution }), ...(sel.top === undefined ? {} : { top: sel.top }) });
  if (!split.ok) return split;
  const col = split.value.series.get(sel.name);
  if (col === undefined) {
    return err({ code: 'invalid_argument', message: `series.name: source ${sourceId} has no ${sel.by} "${sel.name}" (it has: ${[...split.value.series.keys()].join(', ')})` });
  }
  const source = new SourcesRepo(db).get(sourceId);
  if (source === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
  return ok({ source, raw: { kind: source.kind, resolution: split.value.resolution, t: split.value.t, columns: { [TARGET]: Array.from(col) } }, target: TARGET });
}

/** One series' forecast. */
export interface TypeForecast {
  readonly name: string;
  /** Share of the source's bytes. */
  readonly share: number;
  readonly dir: string | null;
  readonly evaluation: ForecastEvaluation | null;
  /** Why no model (too few windows with traffic, training error). */
  readonly error: string | null;
}

/** Trains one forecast per series of `typeSeries` into `<dir>/<n>-<name>/`. */
export async function runTypeForecasts(
  db: Database.Database,
  spec: Omit<ForecastTrainSpec, 'target' | 'features'> & { readonly by: SplitBy; readonly top?: number },
  hooks: TrainHooks = {},
): Promise<Result<{ split: TypeSeries; forecasts: TypeForecast[] }>> {
  const split = typeSeries(db, spec.sourceId, spec.by, { ...(spec.resolution === undefined ? {} : { resolution: spec.resolution }), ...(spec.top === undefined ? {} : { top: spec.top }) });
  if (!split.ok) return split;
  const s = split.value;
  const base = readSourceSeries(db, spec.sourceId, { resolution: s.resolution, target: TARGET, metrics: [TARGET] });
  if (!base.ok) return base;
  const all = s.total.reduce((a, v) => a + v, 0);
  const forecasts: TypeForecast[] = [];
  let k = 0;
  for (const [name, col] of s.series) {
    k++;
    const raw: RawSeries = { kind: base.value.raw.kind, resolution: s.resolution, t: s.t, columns: { [TARGET]: Array.from(col) } };
    const dir = `${spec.dir}/${k}-${name.replace(/[^\w.-]+/g, '_').slice(0, 60)}`;
    const share = all > 0 ? col.reduce((a, v) => a + v, 0) / all : 0;
    const series = { by: spec.by, name, ...(spec.top === undefined ? {} : { top: spec.top }) };
    const r = await runForecastTraining(db, { ...spec, dir, target: TARGET, series }, hooks, { ...base.value, raw, target: TARGET });
    forecasts.push(r.ok ? { name, share, dir, evaluation: r.value.evaluation, error: null } : { name, share, dir: null, evaluation: null, error: r.error.message });
  }
  if (forecasts.every((f) => f.evaluation === null)) return err({ code: 'invalid_argument', message: `source ${spec.sourceId}: no series could be forecast: ${forecasts[0]?.error ?? 'no flows'}` });
  return ok({ split: s, forecasts });
}
