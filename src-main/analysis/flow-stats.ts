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

/** Series kept per flow, in this order: sizes (fwd, bwd; all packets is merged from the two
 * at the end), then inter-arrivals (all, fwd, bwd). */
const S_LEN_FWD = 0;
const S_IAT = 2;
const SERIES = 5;
/** Per series: n, mean, m2, min, max. */
const SW = 5;

// Scalar fields per slot in `f`, then the series. Times are (whole seconds relative to the
// capture, nanoseconds) pairs so inter-arrival times are exact to the ns whatever the span.
const F_FIRST = 0; // sec, ns
const F_LAST = 2; // sec, ns
const F_PREV = 4; // sec, ns
const F_PREV_DIR = 6; // + 2 * dir: sec, ns
const F_PACKETS = 10; // + dir
const F_BYTES = 12; // + dir
const F_HDR = 14; // + dir
const F_SERIES = 16;
const FW = F_SERIES + SERIES * SW;

/** TCP flags counted per flow, in FlowRecord order: SYN FIN RST PSH ACK URG (RFC 9293 §3.1). */
const FLAGS = 6;

/** The statistics part of a FlowRecord. */
export interface FlowStatsFields {
  /** First and last packet times: whole seconds relative to the capture, and nanoseconds. */
  readonly first: readonly [sec: number, ns: number];
  readonly last: readonly [sec: number, ns: number];
  /** last − first, seconds exact to the ns. */
  readonly duration: number;
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

  /** Starts a flow (or a new segment of one) in `slot` at time (sec, ns), before its first packet. */
  reset(slot: number, sec: number, ns: number): void {
    const f = this.f;
    const b = slot * FW;
    f.fill(0, b, b + FW);
    f[b + F_FIRST] = sec;
    f[b + F_FIRST + 1] = ns;
    f[b + F_LAST] = sec;
    f[b + F_LAST + 1] = ns;
    f[b + F_PREV_DIR] = Number.NaN;
    f[b + F_PREV_DIR + 2] = Number.NaN;
    this.flags.fill(0, slot * FLAGS, slot * FLAGS + FLAGS);
    this.earlyBwd[slot] = 0;
  }

  /**
   * Adds one packet: direction `dir` (Dir), time (sec relative to the capture, ns), wire
   * length, header bytes (IP + transport) and TCP flags (0 for other transports).
   */
  add(slot: number, dir: number, sec: number, ns: number, len: number, headerBytes: number, tcpFlags: number): void {
    const f = this.f;
    const b = slot * FW;
    const n = f[b + F_PACKETS]! + f[b + F_PACKETS + 1]!;
    // Seconds and nanoseconds apart, so the span of the capture costs no precision.
    const iat = n === 0 ? 0 : sec - f[b + F_PREV]! + (ns - f[b + F_PREV + 1]!) * 1e-9;
    if (n < EARLY_PACKETS) {
      const e = slot * EARLY_PACKETS + n;
      this.earlySize[e] = len;
      this.earlyIat[e] = iat;
      if (dir === Dir.BWD) this.earlyBwd[slot]! |= 1 << n;
    }
    if (n > 0) welford(f, b + F_SERIES + S_IAT * SW, iat);
    const pd = b + F_PREV_DIR + 2 * dir;
    const prevDir = f[pd]!;
    if (prevDir === prevDir) {
      welford(f, b + F_SERIES + (S_IAT + 1 + dir) * SW, sec - prevDir + (ns - f[pd + 1]!) * 1e-9);
    }
    // The all-packets size series is merged from the two directions at the end (fields()).
    welford(f, b + F_SERIES + (S_LEN_FWD + dir) * SW, len);
    f[b + F_PREV] = sec;
    f[b + F_PREV + 1] = ns;
    f[pd] = sec;
    f[pd + 1] = ns;
    const ls = f[b + F_LAST]!;
    if (sec > ls || (sec === ls && ns > f[b + F_LAST + 1]!)) {
      f[b + F_LAST] = sec;
      f[b + F_LAST + 1] = ns;
    }
    const fs = f[b + F_FIRST]!;
    if (sec < fs || (sec === fs && ns < f[b + F_FIRST + 1]!)) {
      f[b + F_FIRST] = sec;
      f[b + F_FIRST + 1] = ns;
    }
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

  /** Earliest timestamp of the segment, seconds relative to the capture. */
  firstTs(slot: number): number {
    const b = slot * FW + F_FIRST;
    return this.f[b]! + this.f[b + 1]! * 1e-9;
  }

  /** Latest timestamp of the segment, seconds relative to the capture. */
  lastTs(slot: number): number {
    const b = slot * FW + F_LAST;
    return this.f[b]! + this.f[b + 1]! * 1e-9;
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
    const first = [f[b + F_FIRST]!, f[b + F_FIRST + 1]!] as const;
    const last = [f[b + F_LAST]!, f[b + F_LAST + 1]!] as const;
    return {
      first,
      last,
      duration: Math.round((last[0] - first[0]) * 1e9 + (last[1] - first[1])) / 1e9,
      fwd_packets: f[b + F_PACKETS]!,
      bwd_packets: f[b + F_PACKETS + 1]!,
      fwd_bytes: f[b + F_BYTES]!,
      bwd_bytes: f[b + F_BYTES + 1]!,
      fwd_header_bytes: f[b + F_HDR]!,
      bwd_header_bytes: f[b + F_HDR + 1]!,
      pkt_len: mergedStats(f, b + F_SERIES + S_LEN_FWD * SW, b + F_SERIES + (S_LEN_FWD + 1) * SW),
      fwd_pkt_len: s(S_LEN_FWD),
      bwd_pkt_len: s(S_LEN_FWD + 1),
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

/** Statistics of the union of two series (Chan et al.'s pairwise combination of n, mean, M2). */
function mergedStats(f: Float64Array, o1: number, o2: number): SeriesStats {
  const n1 = f[o1]!;
  const n2 = f[o2]!;
  if (n1 === 0) return seriesStats(f, o2);
  if (n2 === 0) return seriesStats(f, o1);
  const n = n1 + n2;
  const d = f[o2 + 1]! - f[o1 + 1]!;
  const mean = f[o1 + 1]! + (d * n2) / n;
  const m2 = f[o1 + 2]! + f[o2 + 2]! + (d * d * n1 * n2) / n;
  return {
    min: Math.min(f[o1 + 3]!, f[o2 + 3]!),
    mean,
    max: Math.max(f[o1 + 4]!, f[o2 + 4]!),
    std: m2 > 0 ? Math.sqrt(m2 / n) : 0,
  };
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
