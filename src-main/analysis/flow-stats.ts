/**
 * CICFlowMeter-style running statistics per flow slot, as struct-of-arrays: per-direction
 * packet, byte and header-byte counts, packet-size and inter-arrival min/mean/max/std
 * (Welford's online algorithm, population std), TCP flag counts and the early-packet sequence
 * (first EARLY_PACKETS packets as size, direction, inter-arrival). O(1) and allocation-free
 * per packet; memory is proportional to the slot capacity (the live flows).
 */
import { EARLY_PACKETS } from '../../src-shared/flow-record.js';
import type { EarlyPacket, SeriesStats } from '../../src-shared/flow-record.js';

/** Packet direction relative to the flow's client. */
export const Dir = { FWD: 0, BWD: 1 } as const;

/** Series kept per flow, in this order: sizes (all, fwd, bwd), then inter-arrivals. */
const S_LEN = 0;
const S_IAT = 3;
const SERIES = 6;
/** Per series: n, mean, m2, min, max. */
const SW = 5;

// Scalar fields per slot in `f`, then the series.
const F_FIRST = 0;
const F_LAST = 1;
const F_PREV = 2;
const F_PREV_DIR = 3; // + dir (2 fields)
const F_PACKETS = 5; // + dir
const F_BYTES = 7; // + dir
const F_HDR = 9; // + dir
const F_SERIES = 11;
const FW = F_SERIES + SERIES * SW;

/** TCP flags counted per flow, in FlowRecord order: SYN FIN RST PSH ACK URG (RFC 9293 §3.1). */
const FLAGS = 6;

/** The statistics part of a FlowRecord. */
export interface FlowStatsFields {
  readonly first_ts_rel: number;
  readonly last_ts_rel: number;
  readonly fwd_packets: number;
  readonly bwd_packets: number;
  readonly fwd_bytes: number;
  readonly bwd_bytes: number;
  readonly fwd_header_bytes: number;
  readonly bwd_header_bytes: number;
  readonly pkt_len: SeriesStats;
  readonly fwd_pkt_len: SeriesStats;
  readonly bwd_pkt_len: SeriesStats;
  readonly iat: SeriesStats;
  readonly fwd_iat: SeriesStats;
  readonly bwd_iat: SeriesStats;
  readonly syn_count: number;
  readonly fin_count: number;
  readonly rst_count: number;
  readonly psh_count: number;
  readonly ack_count: number;
  readonly urg_count: number;
  readonly early_packets: readonly EarlyPacket[];
}

/** Running statistics of every live flow slot. */
export class FlowStats {
  private capacity = 0;
  private f = new Float64Array(0);
  private flags = new Uint32Array(0);
  private earlySize = new Uint32Array(0);
  private earlyIat = new Float64Array(0);
  /** Bit k set: early packet k went server→client. */
  private earlyBwd = new Uint32Array(0);

  constructor(capacity: number) {
    this.ensureCapacity(capacity);
  }

  /** Grows the per-slot arrays to hold at least `capacity` slots (contents kept). */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.f = grow(this.f, capacity * FW);
    this.flags = grow(this.flags, capacity * FLAGS);
    this.earlySize = grow(this.earlySize, capacity * EARLY_PACKETS);
    this.earlyIat = grow(this.earlyIat, capacity * EARLY_PACKETS);
    this.earlyBwd = grow(this.earlyBwd, capacity);
    this.capacity = capacity;
  }

  /** Starts a flow (or a new segment of one) in `slot` at relative time t, before its first packet. */
  reset(slot: number, t: number): void {
    const f = this.f;
    const b = slot * FW;
    f.fill(0, b, b + FW);
    f[b + F_FIRST] = t;
    f[b + F_LAST] = t;
    f[b + F_PREV] = Number.NaN;
    f[b + F_PREV_DIR] = Number.NaN;
    f[b + F_PREV_DIR + 1] = Number.NaN;
    this.flags.fill(0, slot * FLAGS, slot * FLAGS + FLAGS);
    this.earlyBwd[slot] = 0;
  }

  /**
   * Adds one packet: direction `dir` (Dir), relative time t, wire length, header bytes
   * (IP + transport) and TCP flags (0 for other transports).
   */
  add(slot: number, dir: number, t: number, len: number, headerBytes: number, tcpFlags: number): void {
    const f = this.f;
    const b = slot * FW;
    const n = f[b + F_PACKETS]! + f[b + F_PACKETS + 1]!;
    const prev = f[b + F_PREV]!;
    const iat = n === 0 ? 0 : t - prev;
    if (n < EARLY_PACKETS) {
      const e = slot * EARLY_PACKETS + n;
      this.earlySize[e] = len;
      this.earlyIat[e] = iat;
      if (dir === Dir.BWD) this.earlyBwd[slot]! |= 1 << n;
    }
    if (n > 0) welford(f, b + F_SERIES + S_IAT * SW, iat);
    const prevDir = f[b + F_PREV_DIR + dir]!;
    if (prevDir === prevDir) welford(f, b + F_SERIES + (S_IAT + 1 + dir) * SW, t - prevDir);
    welford(f, b + F_SERIES + S_LEN * SW, len);
    welford(f, b + F_SERIES + (S_LEN + 1 + dir) * SW, len);
    f[b + F_PREV] = t;
    f[b + F_PREV_DIR + dir] = t;
    if (t > f[b + F_LAST]!) f[b + F_LAST] = t;
    if (t < f[b + F_FIRST]!) f[b + F_FIRST] = t;
    f[b + F_PACKETS + dir]! += 1;
    f[b + F_BYTES + dir]! += len;
    f[b + F_HDR + dir]! += headerBytes;
    if (tcpFlags !== 0) {
      const fl = this.flags;
      const k = slot * FLAGS;
      if (tcpFlags & 0x02) fl[k]! += 1;
      if (tcpFlags & 0x01) fl[k + 1]! += 1;
      if (tcpFlags & 0x04) fl[k + 2]! += 1;
      if (tcpFlags & 0x08) fl[k + 3]! += 1;
      if (tcpFlags & 0x10) fl[k + 4]! += 1;
      if (tcpFlags & 0x20) fl[k + 5]! += 1;
    }
  }

  /** Relative time of the segment's first packet (the earliest timestamp seen). */
  firstTs(slot: number): number {
    return this.f[slot * FW + F_FIRST]!;
  }

  /** Relative time of the latest packet timestamp seen. */
  lastTs(slot: number): number {
    return this.f[slot * FW + F_LAST]!;
  }

  /** Packets counted in the segment (both directions). */
  packets(slot: number): number {
    const b = slot * FW + F_PACKETS;
    return this.f[b]! + this.f[b + 1]!;
  }

  /** The statistics of `slot` as FlowRecord fields (allocates; called once per record). */
  fields(slot: number): FlowStatsFields {
    const f = this.f;
    const b = slot * FW;
    const fl = this.flags;
    const k = slot * FLAGS;
    const n = Math.min(EARLY_PACKETS, f[b + F_PACKETS]! + f[b + F_PACKETS + 1]!);
    const early: EarlyPacket[] = [];
    const bwdBits = this.earlyBwd[slot]!;
    for (let i = 0; i < n; i++) {
      const e = slot * EARLY_PACKETS + i;
      early.push([this.earlySize[e]!, (bwdBits >>> i) & 1 ? -1 : 1, this.earlyIat[e]!]);
    }
    const s = (series: number): SeriesStats => seriesStats(f, b + F_SERIES + series * SW);
    return {
      first_ts_rel: f[b + F_FIRST]!,
      last_ts_rel: f[b + F_LAST]!,
      fwd_packets: f[b + F_PACKETS]!,
      bwd_packets: f[b + F_PACKETS + 1]!,
      fwd_bytes: f[b + F_BYTES]!,
      bwd_bytes: f[b + F_BYTES + 1]!,
      fwd_header_bytes: f[b + F_HDR]!,
      bwd_header_bytes: f[b + F_HDR + 1]!,
      pkt_len: s(S_LEN),
      fwd_pkt_len: s(S_LEN + 1),
      bwd_pkt_len: s(S_LEN + 2),
      iat: s(S_IAT),
      fwd_iat: s(S_IAT + 1),
      bwd_iat: s(S_IAT + 2),
      syn_count: fl[k]!,
      fin_count: fl[k + 1]!,
      rst_count: fl[k + 2]!,
      psh_count: fl[k + 3]!,
      ack_count: fl[k + 4]!,
      urg_count: fl[k + 5]!,
      early_packets: early,
    };
  }
}

/** One Welford step on the series stored at f[o .. o+SW): n, mean, m2, min, max. */
function welford(f: Float64Array, o: number, x: number): void {
  const n = f[o]! + 1;
  f[o] = n;
  const mean = f[o + 1]!;
  const d = x - mean;
  const m = mean + d / n;
  f[o + 1] = m;
  f[o + 2]! += d * (x - m);
  if (n === 1) {
    f[o + 3] = x;
    f[o + 4] = x;
  } else {
    if (x < f[o + 3]!) f[o + 3] = x;
    if (x > f[o + 4]!) f[o + 4] = x;
  }
}

function seriesStats(f: Float64Array, o: number): SeriesStats {
  const n = f[o]!;
  if (n === 0) return { min: 0, mean: 0, max: 0, std: 0 };
  const m2 = f[o + 2]!;
  return { min: f[o + 3]!, mean: f[o + 1]!, max: f[o + 4]!, std: m2 > 0 ? Math.sqrt(m2 / n) : 0 };
}

function grow<T extends Float64Array | Uint32Array>(a: T, size: number): T {
  const g = new (a.constructor as new (n: number) => T)(size);
  g.set(a);
  return g;
}
