/**
 * Human forms of sizes, rates, durations and counts for the renderer (and any CLI that wants
 * them). SI prefixes (kB = 1000 B), as Wireshark and capinfos print them. Pure: no DOM, no node.
 */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;
const BIT_RATE_UNITS = ['b/s', 'kb/s', 'Mb/s', 'Gb/s', 'Tb/s'] as const;
const COUNT_RATE_UNITS = ['pkt/s', 'kpkt/s', 'Mpkt/s', 'Gpkt/s'] as const;

/** Scales by 1000 and keeps three significant digits: 1234567 with BYTE_UNITS → "1.23 MB". */
function scaled(n: number, units: readonly string[]): string {
  if (!Number.isFinite(n)) return '–';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const a = Math.abs(v);
  const digits = u === 0 && Number.isInteger(v) ? 0 : a < 9.995 ? 2 : a < 99.95 ? 1 : 0;
  return `${v.toFixed(digits)} ${units[u] ?? ''}`;
}

/** Bytes: 999 → "999 B", 1234567 → "1.23 MB". */
export function formatBytes(n: number): string {
  return scaled(n, BYTE_UNITS);
}

/** Bits per second: 12345678 → "12.3 Mb/s". */
export function formatBitRate(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, BIT_RATE_UNITS);
}

/** Bytes per second shown as bits per second (×8). */
export function formatByteRateAsBits(bytesPerSecond: number): string {
  return formatBitRate(bytesPerSecond * 8);
}

/** Packets per second: 1234 → "1.23 kpkt/s", 12.5 → "12.5 pkt/s". */
export function formatPacketRate(pps: number): string {
  return scaled(pps, COUNT_RATE_UNITS);
}

/** An exact count with thousands separators: 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** A compact count for axes and headlines: 1234567 → "1.23 M". */
export function formatCompactCount(n: number): string {
  return scaled(n, ['', 'k', 'M', 'G', 'T']).trimEnd();
}

/** Milliseconds: 0.0123 → "12.3 µs", 12.34 → "12.3 ms", 1234 → "1.23 s". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${sig3(ms * 1000)} µs`;
  if (a < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1000)} s`;
}

/** Seconds as latency/RTT: 0.0123 → "12.3 ms". */
export function formatSecondsAsMs(seconds: number | null): string {
  return seconds === null ? '–' : formatMs(seconds * 1000);
}

/** A duration: 0.128 → "128 ms", 89.9 → "1 min 29.9 s", 7500 → "2 h 5 min", 200000 → "2 d 7 h". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 1) return sign + formatMs(s * 1000);
  if (s < 60) return `${sign}${sig3(s)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${(s % 60).toFixed(1)} s`;
  if (s < 86400) return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${sign}${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A percentage of a fraction: 0.4567 → "45.7 %". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '–';
}

/** Epoch seconds as UTC calendar time with milliseconds: "2010-07-04 20:24:16.274 UTC". */
export function formatEpoch(epochSeconds: number | null): string {
  if (epochSeconds === null || !Number.isFinite(epochSeconds)) return '–';
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

/**
 * An epoch-seconds decimal string ("1278275056.274870000") as UTC time keeping the full
 * fraction: "2010-07-04 20:24:16.274870000 UTC"; the string itself when it does not parse.
 */
export function formatEpochString(epoch: string | null): string {
  if (epoch === null) return '–';
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(epoch);
  if (m === null) return epoch;
  const ms = Number(m[1]) * 1000;
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) return epoch;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${m[2] === undefined ? '' : `.${m[2]}`} UTC`;
}

/** Clock time of day for chart axes: "20:24:16" (UTC). */
export function formatClock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(11, 19);
}

function sig3(v: number): string {
  const a = Math.abs(v);
  return v.toFixed(a < 9.995 ? 2 : a < 99.95 ? 1 : 0);
}
