import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { commandExists } from './measure.js';

// The programs `bench:ingest` times, in run order. Adding one (issue 3: "full ingest with
// SQLite writes") is one more object in ingestEntries(): the runner times it, checks its
// packet count, prints its row, its ratios to the references and its targets.

/** What an entry needs to know about the run. */
export interface BenchContext {
  readonly repoRoot: string;
  readonly workDir: string;
  readonly file: string;
  readonly skipTshark: boolean;
}

/** Figures an entry is held to (a benchmark verdict, never a test failure). */
export interface BenchTargets {
  readonly minPacketsPerSecond: number;
  readonly maxPeakRssBytes: number;
}

/** One timed program. */
export interface BenchEntry {
  readonly id: string;
  /** The command as a person would type it, for the report. */
  readonly label: string;
  /** Flowbench entries are compared with every reference entry. */
  readonly kind: 'flowbench' | 'reference';
  readonly targets: BenchTargets | null;
  /** Null when the entry can run (building a helper if needed), else a one-line reason it is skipped. */
  prepare(ctx: BenchContext): string | null;
  argv(ctx: BenchContext): string[];
  /** Packets the program says it read, to prove it read the whole file; null when it does not say. */
  packetsSeen(stdout: string): number | null;
  /** Extra report lines about what the run left behind (e.g. a workspace's size and rows). */
  notes?(ctx: BenchContext): string[];
}

/** Issue 3's targets for the full ingest with SQLite writes: >= 2.5 M packets/s, peak RSS <= 300 MB. */
export const INGEST_TARGETS: BenchTargets = { minPacketsPerSecond: 2.5e6, maxPeakRssBytes: 300e6 };

function ingestDb(ctx: BenchContext): string {
  return join(ctx.workDir, 'ingest-bench.db');
}

/** Size of the workspace the ingest entry wrote (with its WAL) and its rows per table. */
function workspaceNotes(ctx: BenchContext): string[] {
  const db = ingestDb(ctx);
  if (!existsSync(db)) return ['workspace: not written'];
  const size = ['', '-wal', '-shm'].reduce((n, s) => n + (existsSync(db + s) ? statSync(db + s).size : 0), 0);
  const tables = ['sources', 'windows', 'flows', 'conversations', 'source_stats', 'source_names'];
  const sql = tables.map((t) => `SELECT '${t}', count(*) FROM ${t}`).join(' UNION ALL ');
  const r = spawnSync(process.execPath, ['-e', `
    const D = require(${JSON.stringify(join(ctx.repoRoot, 'node_modules', 'better-sqlite3'))});
    const d = new D(${JSON.stringify(db)}, { readonly: true });
    console.log(d.prepare(${JSON.stringify(sql)}).raw().all().map(([t, n]) => t + ' ' + n).join(', '));`], { encoding: 'utf8' });
  const rows = r.status === 0 ? r.stdout.trim() : `(could not count rows: ${(r.stderr || '').trim().split('\n')[0] ?? ''})`;
  return [`flowbench ingest workspace: ${(size / 1e6).toFixed(1)} MB; rows: ${rows}`];
}

/** Issue 2's targets for `flowbench summary`: >= 5 M packets/s on one core, peak RSS <= 300 MB. */
export const SUMMARY_TARGETS: BenchTargets = { minPacketsPerSecond: 5e6, maxPeakRssBytes: 300e6 };

function pcapCountBinary(ctx: BenchContext): string {
  return join(ctx.workDir, 'pcap-count');
}

/** Compiles bench/pcap-count.c when the binary is missing or older than its source. */
function preparePcapCount(ctx: BenchContext): string | null {
  const source = join(ctx.repoRoot, 'bench', 'pcap-count.c');
  const binary = pcapCountBinary(ctx);
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return null;
  if (!commandExists('cc')) return 'skipped: no C compiler (cc) on this machine';
  const r = spawnSync('cc', ['-O2', '-o', binary, source, '-lpcap'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n')[0] ?? '';
    return `skipped: cc could not build pcap-count (libpcap-dev missing?): ${why}`;
  }
  return null;
}

function jsonPackets(stdout: string): number | null {
  try {
    const packets = (JSON.parse(stdout) as { packets?: unknown }).packets;
    return typeof packets === 'number' ? packets : null;
  } catch {
    return null;
  }
}

/** Sums the Frames column of tshark's io,stat table (rows like `| 0 <> 10 | 1234 | 56789 |`). */
function ioStatPackets(stdout: string): number | null {
  let total = 0;
  let rows = 0;
  for (const m of stdout.matchAll(/^\|\s*\d+\s*<>\s*(?:\d+|Dur)\s*\|\s*(\d+)\s*\|/gm)) {
    total += Number(m[1]);
    rows++;
  }
  return rows > 0 ? total : null;
}

/** The entries of `bench:ingest`, in run order (slowest last, so a Ctrl-C still leaves figures). */
export function ingestEntries(): BenchEntry[] {
  return [
    {
      id: 'pcap-count',
      label: 'C pcap_loop counter (bench/pcap-count.c)',
      kind: 'reference',
      targets: null,
      prepare: preparePcapCount,
      argv: (ctx) => [pcapCountBinary(ctx), ctx.file],
      packetsSeen: (stdout) => {
        const m = /packets=(\d+)/.exec(stdout);
        return m === null ? null : Number(m[1]);
      },
    },
    {
      id: 'capinfos',
      label: 'capinfos -M FILE',
      kind: 'reference',
      targets: null,
      prepare: () => (commandExists('capinfos') ? null : 'skipped: capinfos not installed'),
      argv: (ctx) => ['capinfos', '-M', ctx.file],
      packetsSeen: (stdout) => {
        const m = /^Number of packets:\s+(\d+)\s*$/m.exec(stdout);
        return m === null ? null : Number(m[1]);
      },
    },
    {
      id: 'flowbench-summary',
      label: 'bin/flowbench summary FILE --json',
      kind: 'flowbench',
      targets: SUMMARY_TARGETS,
      prepare: (ctx) => {
        const bin = join(ctx.repoRoot, 'bin', 'flowbench');
        if (!existsSync(bin)) return 'skipped: bin/flowbench does not exist yet (the CLI has not landed)';
        return commandExists(bin) ? null : 'skipped: bin/flowbench is not executable';
      },
      argv: (ctx) => [join(ctx.repoRoot, 'bin', 'flowbench'), 'summary', ctx.file, '--json'],
      packetsSeen: jsonPackets,
    },
    {
      id: 'flowbench-ingest',
      label: 'flowbench ingest (SQLite): bin/flowbench ingest FILE --db DB --json (fresh DB)',
      kind: 'flowbench',
      targets: INGEST_TARGETS,
      prepare: (ctx) => {
        const bin = join(ctx.repoRoot, 'bin', 'flowbench');
        if (!existsSync(join(ctx.repoRoot, 'dist', 'src-main', 'cli', 'ingest-command.js'))) return 'skipped: dist/ has no ingest command (npm run build)';
        return commandExists(bin) ? null : 'skipped: bin/flowbench is not executable';
      },
      // A fresh workspace per run: otherwise the second run would reuse the analysed source.
      argv: (ctx) => {
        const db = ingestDb(ctx);
        const bin = join(ctx.repoRoot, 'bin', 'flowbench');
        return ['sh', '-c', 'rm -f "$1" "$1-wal" "$1-shm" && exec "$2" ingest "$3" --db "$1" --json', 'sh', db, bin, ctx.file];
      },
      packetsSeen: jsonPackets,
      notes: workspaceNotes,
    },
    {
      id: 'tshark-iostat',
      label: 'tshark -n -q -r FILE -z io,stat,10',
      kind: 'reference',
      targets: null,
      prepare: (ctx) => {
        if (ctx.skipTshark) return 'skipped: --skip-tshark';
        return commandExists('tshark') ? null : 'skipped: tshark not installed';
      },
      argv: (ctx) => ['tshark', '-n', '-q', '-r', ctx.file, '-z', 'io,stat,10'],
      packetsSeen: ioStatPackets,
    },
  ];
}
