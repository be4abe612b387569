/**
 * Column layout of the `windows` table and the one definition of how window metrics derive
 * from a window's additive sums (DESIGN.md, Definitions). The SQL expressions and the TS
 * function below must agree; window-columns.test.ts checks that they do.
 */
import { FLIGHT_METRICS, PACKET_LENGTH_BUCKETS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import type { WindowMetric } from '../../src-shared/window-metrics.js';

/** Packet-length bucket columns, in PACKET_LENGTH_BUCKETS order. */
export const PLEN_COLUMNS: readonly PlenColumn[] = PACKET_LENGTH_BUCKETS.map((b) => b.column);

/** Per-protocol packets and bytes (primary transport of the frame; `other` = the rest). */
export const PROTO_COLUMNS = [
  'tcp_packets',
  'tcp_bytes',
  'udp_packets',
  'udp_bytes',
  'icmp_packets',
  'icmp_bytes',
  'other_packets',
  'other_bytes',
] as const;

/** A per-protocol column name. */
export type ProtoColumn = (typeof PROTO_COLUMNS)[number];

/**
 * Additive sums kept beside the metrics so a late (out-of-order) part of a window can be merged
 * into the stored row: RTT and latency sums are in milliseconds, as the aggregator emits them.
 */
export const SUM_COLUMNS = ['rtt_sum', 'rtt_count', 'latency_sum', 'latency_count'] as const;

/**
 * Bytes-in-flight sums and the flight metrics (schema v5): bif_mean derives from the sums,
 * bif_max and the gradients are stored as the aggregator gives them.
 */
export const FLIGHT_COLUMNS = ['bif_sum', 'bif_count', ...FLIGHT_METRICS] as const;

/** Every value column of `windows`, in table order (after source_id, resolution, t). */
export const WINDOW_VALUE_COLUMNS: readonly string[] = [
  'packets',
  'bytes',
  'captured_bytes',
  ...WINDOW_METRICS,
  ...PLEN_COLUMNS,
  ...PROTO_COLUMNS,
  ...SUM_COLUMNS,
  ...FLIGHT_COLUMNS,
];

/** Columns a chart may ask for: counts, metrics, buckets and protocol figures. */
export const CHARTABLE_COLUMNS: ReadonlySet<string> = new Set([
  'packets',
  'bytes',
  'captured_bytes',
  ...WINDOW_METRICS,
  ...PLEN_COLUMNS,
  ...PROTO_COLUMNS,
  ...FLIGHT_METRICS,
]);

/** A packet-length bucket column name. */
export type PlenColumn = (typeof PACKET_LENGTH_BUCKETS)[number]['column'];

/**
 * One window as the aggregator hands it to the store: counts, sums and p99s (the aggregator's
 * WindowAggregateRow fits this type). The store derives the other metrics itself (see
 * `metricSql`), so a merged row is recomputed from its merged sums.
 */
export type WindowSums = {
  /** Window start, epoch seconds, aligned on the resolution. */
  readonly t: number;
  readonly packets: number;
  /** Wire bytes (`len` sum). */
  readonly bytes: number;
  /** `caplen` sum. */
  readonly captured_bytes: number;
  /** Sum and count of ack_rtt samples; the sum in milliseconds. */
  readonly rtt_sum: number;
  readonly rtt_count: number;
  /** Sum and count of request→response latency samples; the sum in milliseconds. */
  readonly latency_sum: number;
  readonly latency_count: number;
  /** p99 of the window's ack_rtt samples, ms; null without samples. */
  readonly tcp_rtt_p99_ms: number | null;
  /** p99 of the window's latency samples, ms; null without samples. */
  readonly latency_p99_ms: number | null;
  /** Flows with a packet in the window. */
  readonly active_connections: number | null;
  /** Flows whose first packet is in the window. */
  readonly new_connections: number | null;
  /** Sum and count of bytes-in-flight values (bytes). */
  readonly bif_sum: number;
  readonly bif_count: number;
  /** Largest bytes-in-flight value, null without values. */
  readonly bif_max: number | null;
  /** Differences to the previous window's tcp_rtt_ms and bif_mean; null when unknown. */
  readonly rtt_gradient: number | null;
  readonly bif_gradient: number | null;
} & { readonly [K in ProtoColumn | PlenColumn]: number };

/** The WindowSums fields after `t`, in the order the store binds them. */
export const WINDOW_SUMS_FIELDS = [
  'packets',
  'bytes',
  'captured_bytes',
  ...PLEN_COLUMNS,
  ...PROTO_COLUMNS,
  ...SUM_COLUMNS,
  'tcp_rtt_p99_ms',
  'latency_p99_ms',
  'active_connections',
  'new_connections',
  'bif_sum',
  'bif_count',
  'bif_max',
  'rtt_gradient',
  'bif_gradient',
] as const;

/** A WindowSums being filled in (tests, importers). */
export type MutableWindowSums = { -readonly [K in keyof WindowSums]: WindowSums[K] };

/**
 * SQL expression per derived metric, written over columns named like WindowSums (plus the
 * resolution `res`). Percentages are 0–100 shares of the window's packets; RTT and latency
 * are milliseconds; bif_mean is bytes.
 */
export function metricSql(col: (name: string) => string, res: string): Record<WindowMetric | 'bif_mean', string> {
  const pk = col('packets');
  const share = (c: string) => `CASE WHEN ${pk} > 0 THEN 100.0 * ${col(c)} / ${pk} END`;
  return {
    bytes_per_second: `1.0 * ${col('bytes')} / ${res}`,
    packets_per_second: `1.0 * ${pk} / ${res}`,
    avg_packet_size: `CASE WHEN ${pk} > 0 THEN 1.0 * ${col('bytes')} / ${pk} END`,
    avg_latency_ms: `CASE WHEN ${col('latency_count')} > 0 THEN 1.0 * ${col('latency_sum')} / ${col('latency_count')} END`,
    latency_p99_ms: col('latency_p99_ms'),
    tcp_rtt_ms: `CASE WHEN ${col('rtt_count')} > 0 THEN 1.0 * ${col('rtt_sum')} / ${col('rtt_count')} END`,
    tcp_rtt_p99_ms: col('tcp_rtt_p99_ms'),
    active_connections: col('active_connections'),
    new_connections: col('new_connections'),
    tcp_percent: share('tcp_packets'),
    udp_percent: share('udp_packets'),
    icmp_percent: share('icmp_packets'),
    bif_mean: `CASE WHEN ${col('bif_count')} > 0 THEN 1.0 * ${col('bif_sum')} / ${col('bif_count')} END`,
  };
}

/** The window metrics of one window, computed exactly as the store's SQL does. */
export function deriveWindowMetrics(w: WindowSums, resolution: number): Record<WindowMetric, number | null> {
  const share = (n: number) => (w.packets > 0 ? (100 * n) / w.packets : null);
  return {
    bytes_per_second: w.bytes / resolution,
    packets_per_second: w.packets / resolution,
    avg_packet_size: w.packets > 0 ? w.bytes / w.packets : null,
    avg_latency_ms: w.latency_count > 0 ? w.latency_sum / w.latency_count : null,
    latency_p99_ms: w.latency_p99_ms,
    tcp_rtt_ms: w.rtt_count > 0 ? w.rtt_sum / w.rtt_count : null,
    tcp_rtt_p99_ms: w.tcp_rtt_p99_ms,
    active_connections: w.active_connections,
    new_connections: w.new_connections,
    tcp_percent: share(w.tcp_packets),
    udp_percent: share(w.udp_packets),
    icmp_percent: share(w.icmp_packets),
  };
}

/** An all-zero window at `t` (for aggregators, importers and tests to fill in). */
export function emptyWindowSums(t: number): MutableWindowSums {
  const w: Record<string, number | null> = {
    t,
    packets: 0,
    bytes: 0,
    captured_bytes: 0,
    rtt_sum: 0,
    rtt_count: 0,
    latency_sum: 0,
    latency_count: 0,
    tcp_rtt_p99_ms: null,
    latency_p99_ms: null,
    active_connections: 0,
    new_connections: 0,
    bif_sum: 0,
    bif_count: 0,
    bif_max: null,
    rtt_gradient: null,
    bif_gradient: null,
  };
  for (const c of PROTO_COLUMNS) w[c] = 0;
  for (const c of PLEN_COLUMNS) w[c] = 0;
  return w as MutableWindowSums;
}
