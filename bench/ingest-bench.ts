import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureWorkDir, repoRoot } from './bench-paths.js';
import { formatRatios, formatTable, formatTargets, type EntryResult } from './bench-report.js';
import { buildBenchCapture, DEFAULT_PACKETS, describeMix, formatBytes, parseCount, readCaptureMeta } from './build-capture.js';
import { ingestEntries, type BenchContext, type BenchEntry } from './ingest-entries.js';
import { commandExists, detectRssProbe, runMeasured, type Measured, type RssProbe } from './measure.js';

// `npm run bench:ingest`: builds (or reuses) the bench capture, warms the page cache, times each
// entry of ingest-entries.ts on it one after the other, and prints packets/s, MB/s, wall time,
// peak RSS, flowbench-to-reference ratios and the issue's targets. A benchmark, not a test:
// a MISS does not fail the run; a program that crashes or reads the wrong count does (exit 1).

interface Options {
  readonly packets: number;
  readonly file: string | null;
  readonly skipTshark: boolean;
  readonly runs: number;
}

const USAGE = `usage: npm run bench:ingest -- [--packets N] [--file PATH] [--skip-tshark] [--runs N]
  --packets N     packets in the built capture (default 20M; "150M" and 150000000 both work)
  --file PATH     bench an existing capture instead of building one
  --skip-tshark   leave tshark out (on 20 M packets it takes minutes)
  --runs N        time each program N times and keep the fastest (default 1)`;

function parseOptions(argv: readonly string[]): Options | string {
  let packets = DEFAULT_PACKETS;
  let file: string | null = null;
  let skipTshark = false;
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--skip-tshark') {
      skipTshark = true;
    } else if (arg === '--file' && value !== undefined) {
      file = resolve(value);
      i++;
    } else if ((arg === '--packets' || arg === '--runs') && value !== undefined) {
      const n = parseCount(value);
      if (n === null) return `${arg} wants a positive count, got "${value}"`;
      if (arg === '--packets') packets = n;
      else runs = n;
      i++;
    } else {
      return `unknown or incomplete option "${arg ?? ''}"`;
    }
  }
  return { packets, file, skipTshark, runs };
}

function firstLine(argv: readonly string[]): string {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : 'unavailable';
}

function describeMachine(probe: RssProbe, workDir: string): string[] {
  const cpu = cpus();
  const rssHow = probe === 'gnu-time' ? 'GNU time -f "%M %U %S"' : probe === 'python3' ? 'python3 resource.RUSAGE_CHILDREN' : 'unavailable';
  const lines = [
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${formatBytes(totalmem())} RAM, Linux ${release()}, node ${process.version}`,
    `load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine slows every figure)`,
    `peak RSS and CPU s: the child's rusage (ru_maxrss, ru_utime + ru_stime) via ${rssHow}`,
  ];
  if (commandExists('tshark')) lines.push(`tshark: ${firstLine(['tshark', '--version'])}`);
  const counter = join(workDir, 'pcap-count');
  if (existsSync(counter)) lines.push(`libpcap: ${firstLine([counter, '--version'])}`);
  return lines;
}

/** Reads the whole file once so every program is timed on a warm page cache, not on the disk. */
function warmPageCache(path: string): number {
  const started = performance.now();
  const buffer = new Uint8Array(16 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0) {
      // Reading is the point; the bytes are dropped.
    }
  } finally {
    closeSync(fd);
  }
  return (performance.now() - started) / 1000;
}

/** Runs one prepared entry `runs` times and keeps the fastest run (peak RSS: the largest seen). */
function runEntry(entry: BenchEntry, ctx: BenchContext, probe: RssProbe, runs: number): EntryResult {
  let best: Measured | null = null;
  let maxRss: number | null = null;
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`running ${entry.label}${runs > 1 ? ` (run ${i + 1}/${runs})` : ''} ...\n`);
    const m = runMeasured(entry.argv(ctx), probe, ctx.workDir, entry.id);
    if (m.exitCode !== 0) {
      return { status: 'failed', entry, reason: `FAILED: exit ${m.exitCode} after ${m.wallSeconds.toFixed(1)} s: ${m.stderrTail.replace(/\n/g, ' | ')}` };
    }
    if (m.peakRssBytes !== null) maxRss = Math.max(maxRss ?? 0, m.peakRssBytes);
    if (best === null || m.wallSeconds < best.wallSeconds) best = m;
  }
  if (best === null) return { status: 'failed', entry, reason: 'FAILED: no run' };
  return { status: 'ok', entry, measured: { ...best, peakRssBytes: maxRss }, packetsSeen: entry.packetsSeen(best.stdout) };
}

function main(argv: readonly string[]): number {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    process.stderr.write(`bench:ingest: ${options}\n${USAGE}\n`);
    return 1;
  }
  const workDir = ensureWorkDir();
  const out = (line = ''): void => {
    process.stdout.write(`${line}\n`);
  };

  let file: string;
  let packets: number | null;
  const header: string[] = [];
  if (options.file !== null) {
    if (!existsSync(options.file)) {
      process.stderr.write(`bench:ingest: no such file ${options.file}\n`);
      return 1;
    }
    file = options.file;
    packets = readCaptureMeta(file)?.packets ?? null;
    header.push(`capture: ${file} (given with --file), ${formatBytes(statSync(file).size)}`);
  } else {
    const built = buildBenchCapture({ packets: options.packets });
    file = built.path;
    packets = built.packets;
    const how = built.reused ? 'reused from cache' : `built in ${built.buildSeconds.toFixed(1)} s`;
    header.push(`capture: ${file}`, `  ${built.packets.toLocaleString('en-US')} packets, ${formatBytes(built.bytes)} (${how})`, `  mix: ${describeMix(built.mix)}`);
  }
  const fileBytes = statSync(file).size;
  const ctx: BenchContext = { repoRoot, workDir, file, skipTshark: options.skipTshark };
  const probe = detectRssProbe();
  const entries = ingestEntries();
  const prepared = new Map<string, string | null>();
  for (const entry of entries) prepared.set(entry.id, entry.prepare(ctx)); // builds pcap-count before the header names libpcap

  out(`flowbench ingest benchmark, ${new Date().toISOString()}`);
  for (const line of describeMachine(probe, workDir)) out(line);
  for (const line of header) out(line);
  const warmSeconds = warmPageCache(file);
  out(`page cache warmed: read ${formatBytes(fileBytes)} in ${warmSeconds.toFixed(1)} s`);
  out();

  const results: EntryResult[] = [];
  for (const entry of entries) {
    const skip = prepared.get(entry.id) ?? null;
    results.push(skip !== null ? { status: 'skipped', entry, reason: skip } : runEntry(entry, ctx, probe, options.runs));
  }
  // With --file on a foreign capture, the count comes from the first program that reports one.
  const count = packets ?? results.reduce<number | null>((n, r) => n ?? (r.status === 'ok' ? r.packetsSeen : null), null);
  if (count === null) {
    out('no program reported a packet count: cannot compute packets/s');
    return 1;
  }
  for (const line of formatTable(results, count, fileBytes)) out(line);
  out();
  for (const line of formatRatios(results, count, fileBytes)) out(line);
  out();
  for (const line of formatTargets(results, count, fileBytes)) out(line);
  for (const r of results) if (r.status === 'ok' && r.entry.notes !== undefined) for (const line of r.entry.notes(ctx)) out(line);
  const broken = results.some((r) => r.status === 'failed' || (r.status === 'ok' && r.packetsSeen !== null && r.packetsSeen !== count));
  return broken ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
