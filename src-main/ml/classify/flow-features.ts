/**
 * Behaviour-only features of a flow for the classifier: flow statistics and the early-packet
 * sequence. NEVER ports, addresses, SNI or DNS names — the model must label encrypted flows and
 * flows on odd ports, and must not learn the rules back. Pure.
 *
 * Layout of one row (FEATURE_NAMES is the documented order, preprocessing.json stores it):
 * 1. STAT_FEATURES (raw values; scaled by per-feature scalers fitted on training rows only,
 *    log1p first for byte/count/time-like ones);
 * 2. the early-packet sequence, EARLY_PACKETS × 3 fixed transforms that need no fitting:
 *    signed size / 1514 (+ client→server, − server→client), log1p(iat in ms) / 10, and 1 where
 *    a packet exists (0 pads short flows).
 */
import { EARLY_PACKETS } from '../../../src-shared/flow-record.js';
import type { EarlyPacket, FlowRecord, SeriesStats } from '../../../src-shared/flow-record.js';
import { fitScaler } from '../scalers.js';
import type { Scaler } from '../scalers.js';

/** Version of this extractor (preprocessing.json `extractor`). */
export const FLOW_FEATURES_VERSION = 'flow-features/2';

/** A flow as the extractor reads it: FlowRecord without ports, addresses or names. */
export type BehaviourInput = Omit<FlowRecord, 'client_addr' | 'server_addr' | 'client_port' | 'server_port' | 'sni' | 'dns_query' | 'dns_answers'>;

/** One statistics feature: its name, and whether log1p applies before scaling. */
interface StatFeature {
  readonly name: string;
  readonly log1p: boolean;
  readonly get: (f: BehaviourInput) => number;
}

const SERIES = ['pkt_len', 'fwd_pkt_len', 'bwd_pkt_len', 'iat', 'fwd_iat', 'bwd_iat'] as const;
const STATS = ['min', 'mean', 'max', 'std'] as const;

/**
 * Summaries of the early-packet sequence that do not depend on where a packet sits: how many,
 * which way, how often the direction turns, sizes per direction, sizes relative to the smallest
 * packet (which cancels the link-layer and header overhead a capture adds to every packet), and
 * the share of packets per size band.
 */
const EARLY_SUMMARY = [
  'early_count', 'early_fwd_share', 'early_turns', 'early_first_size', 'early_first_bwd_size', 'early_fwd_size_mean', 'early_bwd_size_mean',
  'early_fwd_size_max', 'early_bwd_size_max', 'early_rel_size_mean', 'early_rel_size_max', 'early_iat_mean_ms', 'early_iat_max_ms',
  'early_band_0_127', 'early_band_128_255', 'early_band_256_511', 'early_band_512_1023', 'early_band_1024_up',
] as const;
const EARLY_SUMMARY_LOG1P = [
  true, false, true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, false,
];

/** EARLY_SUMMARY of a sequence, written at out[k …]; returns k past them. */
function writeEarlySummary(seq: readonly EarlyPacket[], out: Float32Array | number[], k: number): number {
  const m = Math.min(EARLY_PACKETS, seq.length);
  let fwd = 0;
  let turns = 0;
  let fwdSum = 0;
  let bwdSum = 0;
  let fwdMax = 0;
  let bwdMax = 0;
  let firstBwd = 0;
  let minSize = Infinity;
  let iatSum = 0;
  let iatMax = 0;
  let sizeSum = 0;
  let sizeMax = 0;
  const bands = [0, 0, 0, 0, 0];
  for (let i = 0; i < m; i++) {
    const p = seq[i] as EarlyPacket;
    const size = p[0];
    if (p[1] === 1) {
      fwd++;
      fwdSum += size;
      if (size > fwdMax) fwdMax = size;
    } else {
      bwdSum += size;
      if (size > bwdMax) bwdMax = size;
      if (firstBwd === 0) firstBwd = size;
    }
    if (i > 0 && p[1] !== (seq[i - 1] as EarlyPacket)[1]) turns++;
    if (size < minSize) minSize = size;
    sizeSum += size;
    if (size > sizeMax) sizeMax = size;
    if (i > 0) {
      const ms = Math.max(0, p[2]) * 1000;
      iatSum += ms;
      if (ms > iatMax) iatMax = ms;
    }
    const band = size < 128 ? 0 : size < 256 ? 1 : size < 512 ? 2 : size < 1024 ? 3 : 4;
    bands[band] = (bands[band] ?? 0) + 1;
  }
  const bwd = m - fwd;
  out[k++] = m;
  out[k++] = m === 0 ? 0 : fwd / m;
  out[k++] = turns;
  out[k++] = m === 0 ? 0 : (seq[0] as EarlyPacket)[0];
  out[k++] = firstBwd;
  out[k++] = fwd === 0 ? 0 : fwdSum / fwd;
  out[k++] = bwd === 0 ? 0 : bwdSum / bwd;
  out[k++] = fwdMax;
  out[k++] = bwdMax;
  out[k++] = m === 0 ? 0 : sizeSum / m - minSize;
  out[k++] = m === 0 ? 0 : sizeMax - minSize;
  out[k++] = m <= 1 ? 0 : iatSum / (m - 1);
  out[k++] = iatMax;
  for (const b of bands) out[k++] = m === 0 ? 0 : b / m;
  return k;
}

function earlySummary(seq: readonly EarlyPacket[]): number[] {
  const out: number[] = [];
  writeEarlySummary(seq, out, 0);
  return out;
}

/** Statistics features, in model input order. */
export const STAT_FEATURES: readonly StatFeature[] = [
  { name: 'is_tcp', log1p: false, get: (f) => (f.proto === 6 ? 1 : 0) },
  { name: 'is_udp', log1p: false, get: (f) => (f.proto === 17 ? 1 : 0) },
  { name: 'duration', log1p: true, get: (f) => f.duration },
  { name: 'fwd_packets', log1p: true, get: (f) => f.fwd_packets },
  { name: 'bwd_packets', log1p: true, get: (f) => f.bwd_packets },
  { name: 'fwd_bytes', log1p: true, get: (f) => f.fwd_bytes },
  { name: 'bwd_bytes', log1p: true, get: (f) => f.bwd_bytes },
  { name: 'fwd_header_bytes', log1p: true, get: (f) => f.fwd_header_bytes },
  { name: 'bwd_header_bytes', log1p: true, get: (f) => f.bwd_header_bytes },
  { name: 'down_up_byte_ratio', log1p: false, get: (f) => Math.log((f.bwd_bytes + 1) / (f.fwd_bytes + 1)) },
  { name: 'bytes_per_second', log1p: true, get: (f) => (f.fwd_bytes + f.bwd_bytes) / Math.max(f.duration, 1e-3) },
  { name: 'packets_per_second', log1p: true, get: (f) => (f.fwd_packets + f.bwd_packets) / Math.max(f.duration, 1e-3) },
  ...SERIES.flatMap((s) =>
    STATS.map((st): StatFeature => ({ name: `${s}_${st}`, log1p: true, get: (f) => f[s][st] })),
  ),
  { name: 'syn_count', log1p: true, get: (f) => f.syn_count },
  { name: 'fin_count', log1p: true, get: (f) => f.fin_count },
  { name: 'rst_count', log1p: true, get: (f) => f.rst_count },
  { name: 'psh_count', log1p: true, get: (f) => f.psh_count },
  { name: 'ack_count', log1p: true, get: (f) => f.ack_count },
  { name: 'urg_count', log1p: true, get: (f) => f.urg_count },
  { name: 'has_handshake', log1p: false, get: (f) => (f.handshake_rtt === null ? 0 : 1) },
  { name: 'handshake_rtt', log1p: true, get: (f) => (f.handshake_rtt ?? 0) * 1000 },
  ...EARLY_SUMMARY.map((name, i): StatFeature => ({ name, log1p: EARLY_SUMMARY_LOG1P[i] === true, get: (f) => earlySummary(f.early_packets)[i] ?? 0 })),
];

/**
 * Number of leading statistics computed over the whole flow (before the early-packet summaries).
 * The forest splits on these only: on the corpus the whole-flow statistics alone cross files
 * better than with the per-packet columns (bench/classify-ndpi.ts; chosen on the CV folds).
 */
export const FLOW_STATISTICS_COUNT = STAT_FEATURES.length - EARLY_SUMMARY.length;

/** Names of the early-packet features, in order. */
export const SEQUENCE_FEATURES: readonly string[] = Array.from({ length: EARLY_PACKETS }, (_, i) => [`p${i}_signed_size`, `p${i}_log_iat_ms`, `p${i}_present`]).flat();

/** Every input feature, in model input order. */
export const FEATURE_NAMES: readonly string[] = [...STAT_FEATURES.map((f) => f.name), ...SEQUENCE_FEATURES];

/** Width of one feature row. */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/**
 * Raw feature rows of flows (statistics unscaled, sequence already in its fixed transform),
 * row-major [flows.length × FEATURE_COUNT].
 */
export function rawFeatures(flows: readonly BehaviourInput[]): Float32Array {
  const out = new Float32Array(flows.length * FEATURE_COUNT);
  const nStat = STAT_FEATURES.length;
  for (let r = 0; r < flows.length; r++) {
    const f = flows[r] as BehaviourInput;
    const o = r * FEATURE_COUNT;
    writeStats(f, out, o);
    const seq = f.early_packets;
    const m = Math.min(EARLY_PACKETS, seq.length);
    for (let i = 0; i < m; i++) {
      const p = seq[i] as EarlyPacket;
      const k = o + nStat + i * 3;
      out[k] = (p[0] * p[1]) / 1514;
      out[k + 1] = Math.log1p(Math.max(0, p[2]) * 1000) / 10;
      out[k + 2] = 1;
    }
  }
  return out;
}

/**
 * The statistics of one flow written at out[o …], exactly as STAT_FEATURES' getters give them
 * (non-finite values as 0) but without a call per feature: batch scoring spends most of its
 * time here. classify.test.ts checks both agree on corpus flows.
 */
function writeStats(f: BehaviourInput, out: Float32Array, o: number): void {
  const dur = f.duration;
  const rate = Math.max(dur, 1e-3);
  let k = o;
  out[k++] = f.proto === 6 ? 1 : 0;
  out[k++] = f.proto === 17 ? 1 : 0;
  out[k++] = dur;
  out[k++] = f.fwd_packets;
  out[k++] = f.bwd_packets;
  out[k++] = f.fwd_bytes;
  out[k++] = f.bwd_bytes;
  out[k++] = f.fwd_header_bytes;
  out[k++] = f.bwd_header_bytes;
  out[k++] = Math.log((f.bwd_bytes + 1) / (f.fwd_bytes + 1));
  out[k++] = (f.fwd_bytes + f.bwd_bytes) / rate;
  out[k++] = (f.fwd_packets + f.bwd_packets) / rate;
  k = writeSeries(f.pkt_len, out, k);
  k = writeSeries(f.fwd_pkt_len, out, k);
  k = writeSeries(f.bwd_pkt_len, out, k);
  k = writeSeries(f.iat, out, k);
  k = writeSeries(f.fwd_iat, out, k);
  k = writeSeries(f.bwd_iat, out, k);
  out[k++] = f.syn_count;
  out[k++] = f.fin_count;
  out[k++] = f.rst_count;
  out[k++] = f.psh_count;
  out[k++] = f.ack_count;
  out[k++] = f.urg_count;
  out[k++] = f.handshake_rtt === null ? 0 : 1;
  out[k++] = (f.handshake_rtt ?? 0) * 1000;
  k = writeEarlySummary(f.early_packets, out, k);
  // Float32Array stores NaN as NaN and ±Infinity as ±Infinity: zero them like the getters' contract.
  for (let j = o; j < k; j++) if (!Number.isFinite(out[j] as number)) out[j] = 0;
}

function writeSeries(s: SeriesStats, out: Float32Array, k: number): number {
  out[k] = s.min;
  out[k + 1] = s.mean;
  out[k + 2] = s.max;
  out[k + 3] = s.std;
  return k + 4;
}

/** Fitted scalers of the statistics features (fit on training rows only). */
export type StatScalers = readonly Scaler[];

/** Fits one scaler per statistics feature on the rows listed in `rows` of a raw matrix. */
export function fitStatScalers(raw: Float32Array, rows: ArrayLike<number>): StatScalers {
  return STAT_FEATURES.map((f, j) => {
    const col = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) col[i] = raw[(rows[i] ?? 0) * FEATURE_COUNT + j] ?? 0;
    return fitScaler(col, f.log1p);
  });
}

/**
 * Scaled copy of the listed rows (all rows when `rows` is omitted), clipped to ±10; into `into`
 * when given (at least n × FEATURE_COUNT long: batch scoring reuses one buffer per chunk).
 */
export function scaleRows(raw: Float32Array, scalers: StatScalers, rows?: ArrayLike<number>, into?: Float32Array): Float32Array {
  const n = rows === undefined ? raw.length / FEATURE_COUNT : rows.length;
  const out = into ?? new Float32Array(n * FEATURE_COUNT);
  const nStat = STAT_FEATURES.length;
  // The scalers as flat arrays: one object lookup per feature per row is most of the time otherwise.
  const center = Float64Array.from(scalers, (s) => s.center);
  const inv = Float64Array.from(scalers, (s) => 1 / s.scale);
  const log = Uint8Array.from(scalers, (s) => (s.log1p ? 1 : 0));
  for (let i = 0; i < n; i++) {
    const src = (rows === undefined ? i : (rows[i] ?? 0)) * FEATURE_COUNT;
    const dst = i * FEATURE_COUNT;
    for (let j = 0; j < nStat; j++) {
      const v = raw[src + j] as number;
      const t = log[j] === 1 ? Math.log1p(v > 0 ? v : 0) : v;
      const z = (t - (center[j] as number)) * (inv[j] as number);
      out[dst + j] = z > 10 ? 10 : z < -10 ? -10 : z;
    }
    for (let j = nStat; j < FEATURE_COUNT; j++) out[dst + j] = raw[src + j] as number;
  }
  return out;
}
