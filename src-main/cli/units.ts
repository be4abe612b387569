/**
 * Human forms of counts, sizes, rates and durations for tables and progress lines.
 * SI units (kB = 1000 bytes), as capinfos and Wireshark print them.
 */

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1234567 → "1.23 MB"; below 1000 → "999 B". */
export function formatBytes(n: number): string {
  return scaled(n, ['B', 'kB', 'MB', 'GB', 'TB', 'PB']);
}

/** Bits per second with SI prefixes: 12345678 → "12.3 Mbit/s". */
export function formatBitRate(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s']);
}

function scaled(n: number, units: readonly string[]): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 999.5 && u < units.length - 1) { v /= 1000; u++; }
  const digits = u === 0 ? 0 : Math.abs(v) < 9.995 ? 2 : Math.abs(v) < 99.95 ? 1 : 0;
  return `${v.toFixed(digits)} ${units[u]!}`;
}

/** Seconds as a short span: "0.128 s", "1 min 29.9 s", "2 h 5 min", "2132 d 21 h", "5.8 years". */
export function formatSpan(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${s.toFixed(s < 10 ? 3 : 1)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${(s % 60).toFixed(0)} s`;
  if (s < 86400) return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s < 365.25 * 86400) return `${sign}${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  return `${sign}${(s / (365.25 * 86400)).toFixed(1)} years`;
}

/** A percentage with one decimal: 0.4567 → "45.7 %". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '-';
}

/**
 * An epoch-seconds string ("1278275056.274870000") as UTC calendar time with the full
 * fraction, "2010-07-04 20:24:16.274870000 UTC"; the string itself when out of Date's range.
 */
export function formatUtc(epoch: string): string {
  const m = /^(-?\d+)\.(\d+)$/.exec(epoch);
  if (m === null) return epoch;
  const ms = Number(m[1]) * 1000;
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) return epoch;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${m[2]!} UTC`;
}
