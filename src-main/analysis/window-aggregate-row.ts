/**
 * The rows the window aggregator emits: WindowRow (src-shared/window-metrics.ts) plus the
 * resolution, the per-protocol and packet-length counts, and the sums a store needs to merge
 * two rows of the same window exactly. Column names are data-column names (snake_case).
 */
import type { DecodedBatch } from '../ingest/decoded-batch.js';
import { ProtoBit } from '../ingest/decoded-batch.js';
import type { FlightMetric, PACKET_LENGTH_BUCKETS, WindowResolution, WindowRow } from '../../src-shared/window-metrics.js';

/** Transport classes that partition a window's packets (index into per-class counters). */
export const TransportClass = { TCP: 0, UDP: 1, ICMP: 2, OTHER: 3 } as const;

/** A TransportClass value. */
export type TransportClass = (typeof TransportClass)[keyof typeof TransportClass];

/** Number of transport classes. */
export const TRANSPORT_CLASSES = 4;

const ICMP_ANY = ProtoBit.ICMP | ProtoBit.ICMPV6;

/**
 * Transport class of one decoded packet: every packet gets exactly one, so tcp/udp/icmp
 * percentages are shares of a partition and never sum past 100.
 *
 * - icmp: the frame carries ICMP or ICMPv6 anywhere (ICMPv6 counts as icmp: both are the IP
 *   layer's control protocol and an analyst reading "ICMP share" means both; an ICMP error
 *   quoting a TCP/UDP header is ICMP traffic, as Wireshark's `tcp && !icmp` columns treat it).
 * - tcp / udp: otherwise, the primary (innermost) transport when the frame carries it, so a
 *   VXLAN frame with inner TCP is tcp; failing that any TCP, then any UDP layer (a tunnel whose
 *   inner transport is neither).
 * - other: everything else (ARP, non-first IP fragments, ESP, SCTP, GRE without TCP/UDP…).
 */
export function classifyTransport(protoMask: number, ipProto: number): TransportClass {
  if ((protoMask & ICMP_ANY) !== 0) return TransportClass.ICMP;
  if (ipProto === 6 && (protoMask & ProtoBit.TCP) !== 0) return TransportClass.TCP;
  if (ipProto === 17 && (protoMask & ProtoBit.UDP) !== 0) return TransportClass.UDP;
  if ((protoMask & ProtoBit.TCP) !== 0) return TransportClass.TCP;
  if ((protoMask & ProtoBit.UDP) !== 0) return TransportClass.UDP;
  return TransportClass.OTHER;
}

/** Transport class of packet `i` of a decoded batch. */
export function classifyDecoded(dec: DecodedBatch, i: number): TransportClass {
  return classifyTransport(dec.protoMask[i]!, dec.ipProto[i]!);
}

/** Column name of a packet-length bucket (`plen_0_19` … `plen_5120_plus`). */
export type PacketLengthColumn = (typeof PACKET_LENGTH_BUCKETS)[number]['column'];

/** Counts kept per transport class: `<class>_packets` and `<class>_bytes` (wire). */
export type TransportColumn =
  | 'tcp_packets' | 'tcp_bytes' | 'udp_packets' | 'udp_bytes'
  | 'icmp_packets' | 'icmp_bytes' | 'other_packets' | 'other_bytes';

/**
 * One aggregated window. Merge rule for two rows with the same (resolution, t) — what a
 * store's upsert must do with a `partial` row:
 * - add: packets, bytes, captured_bytes, every `<class>_packets/_bytes`, every `plen_*`,
 *   new_connections, rtt_sum, rtt_count, latency_sum, latency_count, and active_connections
 *   (a late partial row almost always holds other flows than the row it joins; the sum is an
 *   upper bound when a flow is in both);
 * - recompute from the merged sums: bytes_per_second, packets_per_second, avg_packet_size,
 *   tcp/udp/icmp_percent, tcp_rtt_ms = rtt_sum / rtt_count, avg_latency_ms likewise
 *   (null when the count is 0);
 * - p99 columns and bif_max: max of the non-null values (the sketches are not stored);
 * - bif_sum and bif_count add, bif_mean = bif_sum / bif_count; rtt_gradient and bif_gradient
 *   keep the stored value (a partial row has none: its neighbour is not known).
 */
export type WindowAggregateRow = WindowRow & {
  /** Window length in seconds; `t` is a multiple of it. */
  readonly resolution: WindowResolution;
  /**
   * True when a row for this (resolution, t) may already have been emitted (packets whose
   * timestamps went back to a closed window): merge additively. False guarantees the first
   * row for the window, so a plain insert is safe.
   */
  readonly partial: boolean;
  /** Sum of tcp.analysis.ack_rtt samples in the window, in milliseconds. */
  readonly rtt_sum: number;
  readonly rtt_count: number;
  /** Sum of request–response latency samples (DNS and TCP) in the window, in milliseconds. */
  readonly latency_sum: number;
  readonly latency_count: number;
  /** Sum and count of bytes-in-flight values in the window (bif_mean = sum / count). */
  readonly bif_sum: number;
  readonly bif_count: number;
} & { readonly [K in TransportColumn | PacketLengthColumn]: number } & { readonly [K in FlightMetric]: number | null };

/** The derived metrics: functions of a row's counts and sums, recomputed after a merge. */
type DerivedColumn =
  | 'bytes_per_second' | 'packets_per_second' | 'avg_packet_size' | 'avg_latency_ms'
  | 'tcp_rtt_ms' | 'tcp_percent' | 'udp_percent' | 'icmp_percent' | 'bif_mean' | 'rtt_gradient' | 'bif_gradient';

/** A row without its derived metrics: what is counted, summed or sketched per window. */
export type WindowCounts = Omit<WindowAggregateRow, DerivedColumn>;

/**
 * Completes counts into a row, deriving the metrics exactly as DESIGN.md Definitions say. The
 * gradients need the previous window: they are null here and set by the aggregator
 * (`withGradients`).
 */
export function buildWindowRow(c: WindowCounts): WindowAggregateRow {
  const packets = c.packets;
  const share = packets > 0 ? 100 / packets : 0;
  return {
    t: c.t,
    resolution: c.resolution,
    partial: c.partial,
    packets,
    bytes: c.bytes,
    captured_bytes: c.captured_bytes,
    bytes_per_second: c.bytes / c.resolution,
    packets_per_second: packets / c.resolution,
    avg_packet_size: packets > 0 ? c.bytes / packets : null,
    avg_latency_ms: c.latency_count > 0 ? c.latency_sum / c.latency_count : null,
    latency_p99_ms: c.latency_p99_ms,
    tcp_rtt_ms: c.rtt_count > 0 ? c.rtt_sum / c.rtt_count : null,
    tcp_rtt_p99_ms: c.tcp_rtt_p99_ms,
    active_connections: c.active_connections,
    new_connections: c.new_connections,
    tcp_percent: c.tcp_packets * share,
    udp_percent: c.udp_packets * share,
    icmp_percent: c.icmp_packets * share,
    tcp_packets: c.tcp_packets,
    tcp_bytes: c.tcp_bytes,
    udp_packets: c.udp_packets,
    udp_bytes: c.udp_bytes,
    icmp_packets: c.icmp_packets,
    icmp_bytes: c.icmp_bytes,
    other_packets: c.other_packets,
    other_bytes: c.other_bytes,
    plen_0_19: c.plen_0_19,
    plen_20_39: c.plen_20_39,
    plen_40_79: c.plen_40_79,
    plen_80_159: c.plen_80_159,
    plen_160_319: c.plen_160_319,
    plen_320_639: c.plen_320_639,
    plen_640_1279: c.plen_640_1279,
    plen_1280_2559: c.plen_1280_2559,
    plen_2560_5119: c.plen_2560_5119,
    plen_5120_plus: c.plen_5120_plus,
    rtt_sum: c.rtt_sum,
    rtt_count: c.rtt_count,
    latency_sum: c.latency_sum,
    latency_count: c.latency_count,
    bif_sum: c.bif_sum,
    bif_count: c.bif_count,
    bif_mean: c.bif_count > 0 ? c.bif_sum / c.bif_count : null,
    bif_max: c.bif_max,
    rtt_gradient: null,
    bif_gradient: null,
  };
}

/** The row with its gradients: differences to the previous window's tcp_rtt_ms and bif_mean. */
export function withGradients(row: WindowAggregateRow, prev: WindowAggregateRow | null): WindowAggregateRow {
  if (prev === null || prev.t + row.resolution !== row.t) return row;
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  return { ...row, rtt_gradient: diff(row.tcp_rtt_ms, prev.tcp_rtt_ms), bif_gradient: diff(row.bif_mean, prev.bif_mean) };
}

/** Columns a merge adds (see WindowAggregateRow). */
const ADDITIVE_COLUMNS = [
  'packets', 'bytes', 'captured_bytes',
  'tcp_packets', 'tcp_bytes', 'udp_packets', 'udp_bytes',
  'icmp_packets', 'icmp_bytes', 'other_packets', 'other_bytes',
  'plen_0_19', 'plen_20_39', 'plen_40_79', 'plen_80_159', 'plen_160_319',
  'plen_320_639', 'plen_640_1279', 'plen_1280_2559', 'plen_2560_5119', 'plen_5120_plus',
  'rtt_sum', 'rtt_count', 'latency_sum', 'latency_count', 'bif_sum', 'bif_count',
] as const satisfies readonly (keyof WindowCounts)[];

/**
 * Merges two rows of the same window (resolution and t) by the rule on WindowAggregateRow:
 * the reference for a store's upsert. The result is partial only when both were. bif_max is
 * the larger; a gradient keeps the first row's value when it has one (the late part's
 * neighbour is unknown).
 */
export function mergeWindowRows(a: WindowAggregateRow, b: WindowAggregateRow): WindowAggregateRow {
  if (a.t !== b.t || a.resolution !== b.resolution) {
    throw new RangeError(`cannot merge window ${a.resolution}s@${a.t} with ${b.resolution}s@${b.t}`);
  }
  const sums: Record<(typeof ADDITIVE_COLUMNS)[number], number> = { ...a };
  for (const k of ADDITIVE_COLUMNS) sums[k] = a[k] + b[k];
  const merged = buildWindowRow({
    ...sums,
    t: a.t,
    resolution: a.resolution,
    partial: a.partial && b.partial,
    active_connections: addNullable(a.active_connections, b.active_connections),
    new_connections: addNullable(a.new_connections, b.new_connections),
    tcp_rtt_p99_ms: maxNullable(a.tcp_rtt_p99_ms, b.tcp_rtt_p99_ms),
    latency_p99_ms: maxNullable(a.latency_p99_ms, b.latency_p99_ms),
    bif_max: maxNullable(a.bif_max, b.bif_max),
  });
  return { ...merged, rtt_gradient: a.rtt_gradient ?? b.rtt_gradient, bif_gradient: a.bif_gradient ?? b.bif_gradient };
}

function addNullable(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : a + b;
}

function maxNullable(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
