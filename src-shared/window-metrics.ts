/**
 * Window metrics: one snake_case name each, the same in SQLite columns, JSON rows, CSV/Parquet
 * and model features (DESIGN.md, Definitions).
 */

/** The ten-plus metrics every window carries, in canonical feature order. */
export const WINDOW_METRICS = [
  'bytes_per_second',
  'packets_per_second',
  'avg_packet_size',
  'avg_latency_ms',
  'latency_p99_ms',
  'tcp_rtt_ms',
  'tcp_rtt_p99_ms',
  'active_connections',
  'new_connections',
  'tcp_percent',
  'udp_percent',
  'icmp_percent',
] as const;

/** A window metric name. */
export type WindowMetric = (typeof WINDOW_METRICS)[number];

/**
 * TCP flight metrics per window (schema v5), model features beside WINDOW_METRICS:
 * - bif_mean / bif_max: mean and max of the tcp.analysis.bytes_in_flight values carried by the
 *   window's TCP data segments (all connections pooled), bytes; null without such segments;
 * - rtt_gradient: tcp_rtt_ms minus the previous window's (the window just before, same
 *   resolution), ms; bif_gradient likewise for bif_mean, bytes; null when either is null.
 */
export const FLIGHT_METRICS = ['bif_mean', 'bif_max', 'rtt_gradient', 'bif_gradient'] as const;

/** A flight metric name. */
export type FlightMetric = (typeof FLIGHT_METRICS)[number];

/** Wireshark's Packet Lengths buckets (`tshark -z plen,tree`), as column names. */
export const PACKET_LENGTH_BUCKETS = [
  { column: 'plen_0_19', range: '0-19', min: 0, max: 19 },
  { column: 'plen_20_39', range: '20-39', min: 20, max: 39 },
  { column: 'plen_40_79', range: '40-79', min: 40, max: 79 },
  { column: 'plen_80_159', range: '80-159', min: 80, max: 159 },
  { column: 'plen_160_319', range: '160-319', min: 160, max: 319 },
  { column: 'plen_320_639', range: '320-639', min: 320, max: 639 },
  { column: 'plen_640_1279', range: '640-1279', min: 640, max: 1279 },
  { column: 'plen_1280_2559', range: '1280-2559', min: 1280, max: 2559 },
  { column: 'plen_2560_5119', range: '2560-5119', min: 2560, max: 5119 },
  { column: 'plen_5120_plus', range: '5120 and greater', min: 5120, max: Number.POSITIVE_INFINITY },
] as const;

/** Index of the packet-length bucket for a frame length (wire bytes). */
export function packetLengthBucket(len: number): number {
  if (len < 20) return 0;
  if (len >= 5120) return 9;
  // 20..39 → 1, 40..79 → 2, … doubling: floor(log2(len / 20)) + 1.
  return 31 - Math.clz32(Math.floor(len / 20)) + 1;
}

/** Window resolutions stored: 1 s base, 10 s and 60 s rollups. */
export const WINDOW_RESOLUTIONS = [1, 10, 60] as const;

/** A window resolution in seconds. */
export type WindowResolution = (typeof WINDOW_RESOLUTIONS)[number];

/** One window as rows carry it (JSON/CSV/SQLite): start time plus counts and metrics. */
export type WindowRow = {
  /** Window start, epoch seconds (aligned on the resolution). */
  readonly t: number;
  readonly packets: number;
  /** Wire bytes. */
  readonly bytes: number;
  readonly captured_bytes: number;
} & { readonly [K in WindowMetric]: number | null };
