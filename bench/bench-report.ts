import type { BenchEntry } from './ingest-entries.js';
import type { Measured } from './measure.js';

// Turns timed runs into the printed report: one row per entry, flowbench-to-reference ratios,
// and each flowbench entry's targets with PASS/MISS. Units: MB = 10^6 bytes for both file
// throughput and peak RSS (so "300 MB" is the stricter reading of the target).

/** What happened to one entry. */
export type EntryResult =
  | { readonly status: 'skipped'; readonly entry: BenchEntry; readonly reason: string }
  | { readonly status: 'failed'; readonly entry: BenchEntry; readonly reason: string }
  | {
      readonly status: 'ok';
      readonly entry: BenchEntry;
      readonly measured: Measured;
      readonly packetsSeen: number | null;
    };

/** Figures of one successful run, given the capture's packet count and size. */
export interface Rates {
  readonly packetsPerSecond: number;
  readonly megabytesPerSecond: number;
}

/** Packets/s and MB/s (file bytes) of one run. */
export function ratesOf(measured: Measured, packets: number, fileBytes: number): Rates {
  return {
    packetsPerSecond: packets / measured.wallSeconds,
    megabytesPerSecond: fileBytes / 1e6 / measured.wallSeconds,
  };
}

function mb(bytes: number | null): string {
  return bytes === null ? 'n/a' : (bytes / 1e6).toFixed(1);
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

/** The results table; packets is the capture's count, used for every entry's packets/s. */
export function formatTable(results: readonly EntryResult[], packets: number, fileBytes: number): string[] {
  const widths = [42, 8, 8, 8, 12, 8, 12, 14];
  const lines = [row(['program', 'wall s', 'CPU s', 'M pkt/s', 'M pkt/CPU-s', 'MB/s', 'peak RSS MB', 'packets read'], widths)];
  for (const r of results) {
    if (r.status !== 'ok') {
      lines.push(`${r.entry.label.padEnd(widths[0] ?? 0)}  ${r.reason}`);
      continue;
    }
    const rates = ratesOf(r.measured, packets, fileBytes);
    const seen = r.packetsSeen === null ? 'not reported' : r.packetsSeen.toLocaleString('en-US');
    const flag = r.packetsSeen !== null && r.packetsSeen !== packets ? ' (!)' : '';
    lines.push(row([
      r.entry.label,
      r.measured.wallSeconds.toFixed(2),
      r.measured.cpuSeconds === null ? 'n/a' : r.measured.cpuSeconds.toFixed(2),
      (rates.packetsPerSecond / 1e6).toFixed(3),
      r.measured.cpuSeconds === null ? 'n/a' : (packets / r.measured.cpuSeconds / 1e6).toFixed(3),
      rates.megabytesPerSecond.toFixed(1),
      mb(r.measured.peakRssBytes),
      seen + flag,
    ], widths));
  }
  if (results.some((r) => r.status === 'ok' && r.packetsSeen !== null && r.packetsSeen !== packets)) {
    lines.push(`(!) read a different packet count than the capture holds (${packets.toLocaleString('en-US')})`);
  }
  return lines;
}

/** Speed and RSS ratios of every flowbench entry to every reference that ran. */
export function formatRatios(results: readonly EntryResult[], packets: number, fileBytes: number): string[] {
  const ok = results.filter((r): r is Extract<EntryResult, { status: 'ok' }> => r.status === 'ok');
  const subjects = ok.filter((r) => r.entry.kind === 'flowbench');
  const lines: string[] = subjects.length === 0 ? ['ratios: no flowbench program ran, nothing to compare'] : [];
  for (const subject of subjects) {
    const speed = ratesOf(subject.measured, packets, fileBytes).packetsPerSecond;
    lines.push(`${subject.entry.label}, relative to each reference (speed = its packets/s / theirs; >1 is faster):`);
    const refs = ok.filter((r) => r.entry.kind === 'reference');
    if (refs.length === 0) lines.push('  no reference ran');
    for (const ref of refs) {
      const refSpeed = ratesOf(ref.measured, packets, fileBytes).packetsPerSecond;
      const rss = subject.measured.peakRssBytes !== null && ref.measured.peakRssBytes !== null
        ? `${(subject.measured.peakRssBytes / ref.measured.peakRssBytes).toFixed(2)}x`
        : 'n/a';
      lines.push(`  vs ${ref.entry.label}: speed ${(speed / refSpeed).toFixed(2)}x, peak RSS ${rss}`);
    }
  }
  return lines;
}

/** PASS/MISS lines for every entry that has targets (a skipped one says so). */
export function formatTargets(results: readonly EntryResult[], packets: number, fileBytes: number): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const t = r.entry.targets;
    if (t === null) continue;
    const wantSpeed = `>= ${(t.minPacketsPerSecond / 1e6).toFixed(1)} M packets/s`;
    const wantRss = `peak RSS <= ${(t.maxPeakRssBytes / 1e6).toFixed(0)} MB`;
    lines.push(`targets for ${r.entry.label}:`);
    if (r.status !== 'ok') {
      lines.push(`  ${wantSpeed}: not measured (${r.reason})`, `  ${wantRss}: not measured`);
      continue;
    }
    const speed = ratesOf(r.measured, packets, fileBytes).packetsPerSecond;
    lines.push(`  ${wantSpeed}: ${(speed / 1e6).toFixed(2)} M/s  ${speed >= t.minPacketsPerSecond ? 'PASS' : 'MISS'}`);
    const cpu = r.measured.cpuSeconds;
    if (cpu !== null && cpu > r.measured.wallSeconds * 1.15) {
      // The target is per core: a program that spreads over cores must say so.
      lines.push(`    note: ${cpu.toFixed(2)} CPU s in ${r.measured.wallSeconds.toFixed(2)} s wall (more than one core busy); per CPU second: ${(packets / cpu / 1e6).toFixed(2)} M packets`);
    }
    const rss = r.measured.peakRssBytes;
    lines.push(rss === null
      ? `  ${wantRss}: unknown (no RSS probe on this machine)`
      : `  ${wantRss}: ${mb(rss)} MB  ${rss <= t.maxPeakRssBytes ? 'PASS' : 'MISS'}`);
  }
  return lines;
}
