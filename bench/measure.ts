import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Wall clock, CPU time and peak RSS of one child process. Peak RSS comes from the kernel's rusage of the
// reaped child (ru_maxrss, which also covers the grandchildren it waited for), read through
// GNU time when the machine has it (Debian's `time` package, on this image by default), else
// through python3's resource module; with neither, RSS is reported as unknown. The forked child
// counts its pre-exec image in ru_maxrss: about 2 MB under GNU time, about 12 MB under python3,
// which only matters for the tiny C counter.

/** How the child's peak RSS is read. */
export type RssProbe = 'gnu-time' | 'python3' | 'none';

/** One timed run of a child process. */
export interface Measured {
  readonly wallSeconds: number;
  /** Peak resident set size in bytes, or null when no probe could read it. */
  readonly peakRssBytes: number | null;
  /** User + system CPU seconds of the child (and the children it waited for), or null without a probe. */
  readonly cpuSeconds: number | null;
  readonly exitCode: number;
  readonly stdout: string;
  /** Last lines of stderr, for failure reports. */
  readonly stderrTail: string;
}

const GNU_TIME = '/usr/bin/time';
/** GNU time's report: max RSS in KiB, user and system CPU seconds. */
const GNU_TIME_FORMAT = '%M %U %S';
/** Runs argv[2:], then writes the same three figures as GNU_TIME_FORMAT to argv[1]; keeps the exit code. */
const PYTHON_PROBE = [
  'import resource, subprocess, sys',
  'rc = subprocess.call(sys.argv[2:])',
  'u = resource.getrusage(resource.RUSAGE_CHILDREN)',
  "open(sys.argv[1], 'w').write('%d %.2f %.2f' % (u.ru_maxrss, u.ru_utime, u.ru_stime))",
  'sys.exit(rc if rc >= 0 else 128 - rc)',
].join('\n');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns whether `name` runs (resolved through PATH by the shell's lookup rules). */
export function commandExists(name: string): boolean {
  if (name.includes('/')) return isExecutable(name);
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && isExecutable(join(dir, name))) return true;
  }
  return false;
}

/** Picks the first working way to read a child's peak RSS on this machine. */
export function detectRssProbe(): RssProbe {
  // Only GNU time knows -f/-o; the probe run also rules out a BusyBox or BSD `time`.
  if (isExecutable(GNU_TIME) && spawnSync(GNU_TIME, ['-f', GNU_TIME_FORMAT, 'true'], { encoding: 'utf8' }).status === 0) {
    return 'gnu-time';
  }
  if (commandExists('python3') && spawnSync('python3', ['-c', 'import resource'], { encoding: 'utf8' }).status === 0) {
    return 'python3';
  }
  return 'none';
}

/** Wraps argv so that the probe writes the child's max RSS in KiB to rssFile. */
function wrap(probe: RssProbe, argv: readonly string[], rssFile: string): string[] {
  switch (probe) {
    case 'gnu-time':
      return [GNU_TIME, '-f', GNU_TIME_FORMAT, '-o', rssFile, '--', ...argv];
    case 'python3':
      return ['python3', '-c', PYTHON_PROBE, rssFile, ...argv];
    case 'none':
      return [...argv];
    default: {
      const never: never = probe;
      throw new Error(`unknown RSS probe ${String(never)}`);
    }
  }
}

/** Reads the probe's last line (GNU time puts an exit-status line before it on failure). */
function readProbe(rssFile: string): { rssKib: number; cpuSeconds: number } | null {
  try {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [kib, user, sys] = (lines[lines.length - 1] ?? '').trim().split(/\s+/).map(Number);
    if (kib === undefined || user === undefined || sys === undefined) return null;
    if (!(kib > 0) || !Number.isFinite(user) || !Number.isFinite(sys)) return null;
    return { rssKib: kib, cpuSeconds: user + sys };
  } catch {
    return null;
  }
}

/**
 * Runs argv to completion with stdout and stderr sent to files in workDir (so a chatty child
 * never fills a pipe or Node's memory) and returns wall time, peak RSS and the outputs.
 */
export function runMeasured(argv: readonly string[], probe: RssProbe, workDir: string, tag: string): Measured {
  const outFile = join(workDir, `${tag}.stdout`);
  const errFile = join(workDir, `${tag}.stderr`);
  const rssFile = join(workDir, `${tag}.rss`);
  rmSync(rssFile, { force: true });
  const full = wrap(probe, argv, rssFile);
  const outFd = openSync(outFile, 'w');
  const errFd = openSync(errFile, 'w');
  const started = performance.now();
  let status: number | null;
  try {
    const r = spawnSync(full[0] ?? '', full.slice(1), { stdio: ['ignore', outFd, errFd] });
    status = r.error !== undefined ? 127 : r.status ?? 128;
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const usage = probe === 'none' ? null : readProbe(rssFile);
  // Outputs of the measured tools are small (a summary, a table); cap what is kept anyway.
  const stdout = readFileSync(outFile, 'utf8').slice(0, 4_000_000);
  const stderrTail = readFileSync(errFile, 'utf8').trim().split('\n').slice(-5).join('\n');
  return {
    wallSeconds,
    peakRssBytes: usage === null ? null : usage.rssKib * 1024,
    cpuSeconds: usage === null ? null : usage.cpuSeconds,
    exitCode: status,
    stdout,
    stderrTail,
  };
}
