/**
 * Drift between two distributions (a reference A and a comparison B: two sources or two time
 * ranges) of traffic type, TLS SNI names, DNS names, packet-size buckets and protocol mix.
 *
 * - Shares are smoothed additively: p_i = (count_i / total + ε) / (1 + kε) with ε = 1e-4 and k
 *   the number of categories in either side, so a category present on one side only gives a
 *   large but finite term (ln(share / 1e-4)), and identical inputs give exactly 0.
 * - KL(B ‖ A) = Σ b_i ln(b_i / a_i): how surprising B is under A (asymmetric, ≥ 0).
 * - PSI = Σ (b_i − a_i) ln(b_i / a_i) (= KL(B‖A) + KL(A‖B), symmetric, ≥ 0), with the usual
 *   bands: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant shift.
 * - Name distributions keep the 50 names most frequent over both sides; the rest pool as
 *   "(other names)", so a long tail does not make every comparison look "significant".
 *
 * `compareDistributions` is pure; `sourceDistributions` reads them from the workspace.
 */
import type Database from 'better-sqlite3';
import { PACKET_LENGTH_BUCKETS } from '../../src-shared/window-metrics.js';
import { trafficTypeOf } from './traffic-type-rules.js';
import { RULE_FLOW_COLUMNS } from '../ml/classify/traffic-rules.js';
import type { StoredRuleFlow } from '../ml/classify/traffic-rules.js';

/** Additive smoothing of shares (see the file comment). */
export const DRIFT_EPSILON = 1e-4;
/** Names kept per name distribution before pooling. */
export const TOP_NAMES = 50;
/** PSI bands. */
export const PSI_BANDS = { moderate: 0.1, significant: 0.25 } as const;

/** Counts per category. */
export type Distribution = Readonly<Record<string, number>>;

/** The distributions drift compares. */
export const DRIFT_DIMENSIONS = ['traffic_type', 'sni', 'dns', 'packet_size', 'protocol'] as const;

/** One compared dimension. */
export type DriftDimension = (typeof DRIFT_DIMENSIONS)[number];

/** A verdict from the PSI bands; 'no data' when a side has no counts. */
export type DriftVerdict = 'stable' | 'moderate shift' | 'significant shift' | 'no data';

/** One category's part of the comparison. */
export interface CategoryDrift {
  readonly category: string;
  readonly countA: number;
  readonly countB: number;
  /** Smoothed shares. */
  readonly shareA: number;
  readonly shareB: number;
  readonly psi: number;
  readonly kl: number;
}

/** The comparison of one distribution. */
export interface DriftResult {
  readonly totalA: number;
  readonly totalB: number;
  readonly psi: number;
  /** KL(B ‖ A), nats. */
  readonly kl: number;
  readonly verdict: DriftVerdict;
  /** One plain sentence. */
  readonly summary: string;
  /** Largest PSI contribution first. */
  readonly categories: readonly CategoryDrift[];
}

/** Compares B against the reference A. */
export function compareDistributions(a: Distribution, b: Distribution, epsilon: number = DRIFT_EPSILON): DriftResult {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => (a[k] ?? 0) > 0 || (b[k] ?? 0) > 0);
  const totalA = keys.reduce((s, k) => s + (a[k] ?? 0), 0);
  const totalB = keys.reduce((s, k) => s + (b[k] ?? 0), 0);
  if (totalA <= 0 || totalB <= 0 || keys.length === 0) {
    const which = totalA <= 0 && totalB <= 0 ? 'Neither side has' : totalA <= 0 ? 'The reference has' : 'The compared side has';
    return { totalA, totalB, psi: 0, kl: 0, verdict: 'no data', summary: `${which} no data to compare (${totalA} vs ${totalB} counts).`, categories: [] };
  }
  const norm = 1 + keys.length * epsilon;
  const categories = keys.map((category): CategoryDrift => {
    const countA = a[category] ?? 0;
    const countB = b[category] ?? 0;
    const shareA = (countA / totalA + epsilon) / norm;
    const shareB = (countB / totalB + epsilon) / norm;
    const log = Math.log(shareB / shareA);
    return { category, countA, countB, shareA, shareB, psi: (shareB - shareA) * log, kl: shareB * log };
  });
  categories.sort((x, y) => y.psi - x.psi || x.category.localeCompare(y.category));
  const psi = categories.reduce((s, c) => s + c.psi, 0);
  // Sum of b ln(b/a) over smoothed shares is ≥ 0 in exact arithmetic; clamp rounding.
  const kl = Math.max(0, categories.reduce((s, c) => s + c.kl, 0));
  const verdict: DriftVerdict = psi < PSI_BANDS.moderate ? 'stable' : psi <= PSI_BANDS.significant ? 'moderate shift' : 'significant shift';
  return { totalA, totalB, psi, kl, verdict, summary: summarize(verdict, psi, categories), categories };
}

function summarize(verdict: DriftVerdict, psi: number, categories: readonly CategoryDrift[]): string {
  const top = categories.slice(0, 2).filter((c) => c.psi > 0);
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const moved = top.map((c) => `${c.category} ${pct(c.shareA)} → ${pct(c.shareB)}`).join(', ');
  const head = verdict === 'stable' ? 'Stable' : verdict === 'moderate shift' ? 'Moderate shift' : 'Significant shift';
  return `${head} (PSI ${psi.toFixed(3)})${moved === '' ? '' : `; largest changes: ${moved}`}.`;
}

/** Keeps the `top` categories by combined share and pools the rest as `(other names)`. */
export function poolTail(a: Distribution, b: Distribution, top: number = TOP_NAMES): [Distribution, Distribution] {
  const ta = Object.values(a).reduce((s, v) => s + v, 0) || 1;
  const tb = Object.values(b).reduce((s, v) => s + v, 0) || 1;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort((x, y) => ((b[y] ?? 0) / tb + (a[y] ?? 0) / ta) - ((b[x] ?? 0) / tb + (a[x] ?? 0) / ta) || x.localeCompare(y));
  if (keys.length <= top) return [a, b];
  const keep = new Set(keys.slice(0, top));
  const pool = (d: Distribution): Distribution => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(d)) {
      const key = keep.has(k) ? k : '(other names)';
      out[key] = (out[key] ?? 0) + v;
    }
    return out;
  };
  return [pool(a), pool(b)];
}

/** A source or a time range of it. */
export interface DriftSide {
  readonly sourceId: number;
  readonly from?: number;
  readonly to?: number;
}

/** The flow columns drift reads. */
export type DriftFlow = StoredRuleFlow;

/** Per source, the traffic type of each of its flows. */
export type TypeOf = (sourceId: number) => (f: DriftFlow) => string;

const defaultTypeOf: TypeOf = () => (f) => trafficTypeOf(f.server_port, f.sni, f.dns_query);

/**
 * The distributions of a source (or range) from the workspace: packet-size buckets and the
 * protocol mix (packets) from the 1 s windows (they partition the packets); traffic type (by
 * `typeOf`: the workbench passes the label each flow shows under the workspace's label rules;
 * by default the fixed rules of traffic-type-rules.ts), SNI and DNS names from the flows
 * starting in the range, one count per flow.
 */
export function sourceDistributions(db: Database.Database, side: DriftSide, typeOf: TypeOf = defaultTypeOf): Record<DriftDimension, Distribution> {
  const from = side.from ?? -1e300;
  const to = side.to ?? 1e300;
  const buckets = PACKET_LENGTH_BUCKETS.map((b) => b.column);
  const protos = ['tcp', 'udp', 'icmp', 'other'] as const;
  const cols = [...buckets, ...protos.map((p) => `${p}_packets`)];
  const sums = db
    .prepare<unknown[], Record<string, number>>(
      `SELECT ${cols.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(', ')} FROM windows WHERE source_id = ? AND resolution = 1 AND t >= ? AND t < ?`,
    )
    .get(side.sourceId, from, to) ?? {};
  const packetSize: Record<string, number> = {};
  PACKET_LENGTH_BUCKETS.forEach((b) => { packetSize[b.range] = sums[b.column] ?? 0; });
  const protocol: Record<string, number> = {};
  for (const p of protos) protocol[p] = sums[`${p}_packets`] ?? 0;
  const trafficType: Record<string, number> = {};
  const sni: Record<string, number> = {};
  const dns: Record<string, number> = {};
  const flows = db.prepare<unknown[], DriftFlow>(
    `SELECT ${RULE_FLOW_COLUMNS} FROM flows WHERE source_id = ? AND first_ts >= ? AND first_ts < ?`,
  );
  const label = typeOf(side.sourceId);
  for (const f of flows.iterate(side.sourceId, from, to)) {
    const type = label(f);
    trafficType[type] = (trafficType[type] ?? 0) + 1;
    if (f.sni !== null && f.sni !== '') sni[f.sni] = (sni[f.sni] ?? 0) + 1;
    if (f.dns_query !== null && f.dns_query !== '') dns[f.dns_query] = (dns[f.dns_query] ?? 0) + 1;
  }
  return { traffic_type: trafficType, sni, dns, packet_size: packetSize, protocol };
}

/** Drift of B against A on every dimension (names pooled beyond the top 50). */
export function compareSources(db: Database.Database, a: DriftSide, b: DriftSide, typeOf: TypeOf = defaultTypeOf): Record<DriftDimension, DriftResult> {
  const da = sourceDistributions(db, a, typeOf);
  const db2 = sourceDistributions(db, b, typeOf);
  const out = {} as Record<DriftDimension, DriftResult>;
  for (const dim of DRIFT_DIMENSIONS) {
    const [x, y] = dim === 'sni' || dim === 'dns' ? poolTail(da[dim], db2[dim]) : [da[dim], db2[dim]];
    out[dim] = compareDistributions(x, y);
  }
  return out;
}
