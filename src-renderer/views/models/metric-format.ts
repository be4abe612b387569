/** Values of a window metric in its unit (forecast targets, residuals, errors). */
import { formatByteRateAsBits, formatCompactCount, formatMs, formatPacketRate } from '../../format/units.js';

/** A window metric's value with its unit: bytes_per_second → "1.23 Mb/s", *_ms → "12.3 ms". */
export function formatMetricValue(metric: string | null, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  switch (metricUnit(metric)) {
    case 'byteRate':
      return formatByteRateAsBits(v);
    case 'packetRate':
      return formatPacketRate(v);
    case 'ms':
      return formatMs(v);
    case 'percent':
      return `${v.toFixed(1)} %`;
    case 'bytes':
      return `${formatCompactCount(v)} B`;
    case 'count':
      return formatCompactCount(v);
  }
}

/** The unit family of a window metric. */
export type MetricUnit = 'byteRate' | 'packetRate' | 'ms' | 'percent' | 'bytes' | 'count';

/** Which unit a window metric is in (unknown names count as plain numbers). */
export function metricUnit(metric: string | null): MetricUnit {
  if (metric === null) return 'count';
  if (metric === 'bytes_per_second') return 'byteRate';
  if (metric === 'packets_per_second') return 'packetRate';
  if (metric.endsWith('_ms')) return 'ms';
  if (metric.endsWith('_percent')) return 'percent';
  if (metric === 'avg_packet_size') return 'bytes';
  return 'count';
}

/** A metric name for people: "bytes_per_second" → "bytes per second". */
export function metricLabel(metric: string | null): string {
  return metric === null ? '–' : metric.replaceAll('_', ' ');
}

/** A window resolution: 1 → "1 s", 300 → "5 min", 3600 → "1 h", 90 → "90 s". */
export function formatResolution(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return '–';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
