import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWorkDir, repoRoot } from './bench-paths.js';
import { parseCount } from './build-capture.js';
import { countSequence, type SequenceCount } from './capture-loss.js';
import {
  backlogDrops, cpuOfTree, cpuPercent, freeUdpPort, runSender, sleep, startCapturer, stopCapturer, type SenderResult,
} from './capture-runners.js';
import { commandExists } from './measure.js';

// `npm run bench:capture`: how many packets/s can Flowbench's live capture record without loss?
// For each rate, udp-blast (bench/udp-blast.c) sends sequence-numbered datagrams to 127.0.0.1
// for a few seconds while `flowbench capture --interface lo --filter "udp port P" --pcap F`
// records them; the recording is read back with Flowbench's reader and every missing sequence
// number is a lost packet. The same is done with `tcpdump -i lo -w F udp port P` as the
// reference. Loopback only, to 127.0.0.1 only, bounded in count and time.

interface Options {
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly payload: number;
  readonly skipTcpdump: boolean;
  readonly keep: boolean;
}

type Program = 'flowbench' | 'tcpdump';

/** One program at one rate. */
type RateResult =
  | { readonly status: 'failed'; readonly program: Program; readonly rate: number; readonly reason: string }
  | {
      readonly status: 'ok';
      readonly program: Program;
      readonly rate: number;
      readonly sender: SenderResult;
      readonly count: SequenceCount;
      /** tcpdump's "packets dropped by kernel" / flowbench's "dropped" (both libpcap's ps_drop); null when not printed. */
      readonly kernelDropped: number | null;
      /** % of one core per process of the capturer's tree (flowbench: CLI, then capture worker). */
      readonly cpu: readonly number[];
      readonly backlogDrops: number;
    };

const DEFAULT_RATES = [25_000, 50_000, 100_000, 200_000, 300_000];
const DEFAULT_SECONDS = 2.5;
/** Bytes of UDP payload: 74-byte frames, the small-packet case where per-packet cost dominates. */
const DEFAULT_PAYLOAD = 32;
/** Time after the sender ends for the capturer to read and write what is still buffered. */
const DRAIN_MS = 1500;
/** Issue goal: lossless at this rate. */
const GOAL_RATE = 200_000;
/** Loss at or below this fraction is reported as "≤ 0.1 %" beside the strict lossless figure. */
const NEAR_LOSSLESS = 0.001;

const USAGE = `usage: npm run bench:capture -- [--rates 25k,50k,...] [--seconds S] [--payload B] [--skip-tcpdump] [--keep]
  --rates LIST    packets/s to try, in order (default 25k,50k,100k,200k,300k)
  --seconds S     sending time per rate (default 2.5, at most 10)
  --payload B     UDP payload bytes, 12..1400 (default 32: 74-byte frames)
  --skip-tcpdump  leave the tcpdump reference out
  --keep          keep the recordings (their folder is printed)`;

function parseOptions(argv: readonly string[]): Options | string {
  let rates = DEFAULT_RATES;
  let seconds = DEFAULT_SECONDS;
  let payload = DEFAULT_PAYLOAD;
  let skipTcpdump = false;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--skip-tcpdump') skipTcpdump = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--rates' && value !== undefined) {
      const parsed = value.split(',').map((r) => parseCount(r.trim()));
      if (parsed.some((r) => r === null || r > 2_000_000)) return `--rates: comma-separated counts up to 2M, got "${value}"`;
      rates = parsed as number[];
      i++;
    } else if (arg === '--seconds' && value !== undefined) {
      seconds = Number(value);
      if (!(seconds > 0 && seconds <= 10)) return `--seconds: a number in (0, 10], got "${value}"`;
      i++;
    } else if (arg === '--payload' && value !== undefined) {
      payload = Number(value);
      if (!Number.isInteger(payload) || payload < 12 || payload > 1400) return `--payload: an integer 12..1400, got "${value}"`;
      i++;
    } else {
      return `unknown or incomplete argument: ${arg ?? ''}`;
    }
  }
  return { rates, seconds, payload, skipTcpdump, keep };
}

/** Compiles bench/udp-blast.c into bench/.work when missing or older than its source. */
function prepareSender(): { binary: string } | { error: string } {
  const source = join(repoRoot, 'bench', 'udp-blast.c');
  const binary = join(ensureWorkDir(), 'udp-blast');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return { binary };
  if (!commandExists('cc')) return { error: 'the sender needs a C compiler (cc) on this machine' };
  const r = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (r.status !== 0) return { error: `cc could not build udp-blast: ${(r.stderr || r.error?.message || '').trim().split('\n')[0] ?? ''}` };
  return { binary };
}

/** Captures one rate with one program: start, wait until listening, send, drain, stop, read back. */
async function runOne(program: Program, rate: number, options: Options, sender: string, dir: string): Promise<RateResult> {
  const port = await freeUdpPort();
  const run = randomInt(1, 2 ** 31);
  const file = join(dir, `${program}-${rate}.${program === 'flowbench' ? 'pcapng' : 'pcap'}`);
  const argv = program === 'flowbench'
    ? [process.execPath, join(repoRoot, 'bin', 'flowbench'), 'capture', '--interface', 'lo', '--filter', `udp port ${port}`,
      '--pcap', file, '--db', join(dir, `flowbench-${rate}.flowbench`)]
    // -Z root: tcpdump would otherwise drop to its own user and not be allowed to write in dir.
    : ['tcpdump', '-i', 'lo', '-n', '-Z', 'root', '-w', file, `udp port ${port}`];
  const ready = program === 'flowbench' ? /capturing on lo/ : /listening on lo/;
  try {
    const capturer = await startCapturer(argv, ready);
    const pid = capturer.child.pid ?? 0;
    const drops0 = backlogDrops();
    const cpu0 = cpuOfTree(pid);
    const t0 = performance.now();
    let sent: SenderResult;
    try {
      sent = await runSender(sender, port, rate, options.seconds, options.payload, run);
      await sleep(DRAIN_MS);
    } catch (e) {
      await stopCapturer(capturer);
      throw e;
    }
    const cpu = cpuPercent(cpu0, cpuOfTree(pid), (performance.now() - t0) / 1000);
    const drops = backlogDrops() - drops0;
    const code = await stopCapturer(capturer);
    if (code !== 0) return { status: 'failed', program, rate, reason: `exit code ${code ?? 'signal'}: ${capturer.stderr().trim().split('\n').pop() ?? ''}` };
    const dropped = program === 'tcpdump'
      ? /(\d+) packets? dropped by kernel/.exec(capturer.stderr())
      : /^dropped\s+([\d,]+)\s*$/m.exec(capturer.stdout());
    const count = countSequence(file, port, run, sent.sent);
    if (!options.keep) rmSync(file, { force: true });
    return {
      status: 'ok', program, rate, sender: sent, count, cpu, backlogDrops: drops,
      kernelDropped: dropped !== null ? Number(dropped[1]?.replace(/,/g, '')) : null,
    };
  } catch (e) {
    return { status: 'failed', program, rate, reason: (e as Error).message };
  }
}

function k(rate: number): string {
  return rate >= 1000 ? `${(rate / 1000).toFixed(rate % 1000 === 0 ? 0 : 1)}k` : String(rate);
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

function lossFraction(r: Extract<RateResult, { status: 'ok' }>): number {
  return r.sender.sent === 0 ? 0 : r.count.lost / r.sender.sent;
}

/** The results table: one row per rate and program. */
function formatTable(results: readonly RateResult[]): string[] {
  const widths = [6, 10, 10, 10, 10, 9, 9, 6, 8, 8, 14];
  const lines = [row(['rate/s', 'program', 'sent', 'sent/s', 'captured', 'lost', 'lost %', 'gaps', 'kdrop', 'backlog', 'CPU % (procs)'], widths)];
  for (const r of results) {
    if (r.status === 'failed') {
      lines.push(`${row([k(r.rate), r.program], widths)}  failed: ${r.reason}`);
      continue;
    }
    const c = r.count;
    lines.push(row([
      k(r.rate), r.program,
      r.sender.sent.toLocaleString('en-US'),
      Math.round(r.sender.sent / r.sender.seconds).toLocaleString('en-US'),
      c.distinct.toLocaleString('en-US'),
      c.lost.toLocaleString('en-US'),
      (lossFraction(r) * 100).toFixed(c.lost === 0 ? 0 : 3),
      String(c.gaps),
      r.kernelDropped === null ? 'n/a' : r.kernelDropped.toLocaleString('en-US'),
      r.backlogDrops.toLocaleString('en-US'),
      r.cpu.map((p) => p.toFixed(0)).join('+'),
    ], widths));
    const odd = [
      c.duplicates > 0 ? `${c.duplicates} duplicates` : '',
      c.strays > 0 ? `${c.strays} stray records` : '',
      c.warnings.length > 0 ? `reader warnings: ${c.warnings.join('; ')}` : '',
      r.sender.seconds > r.sender.sent / r.rate * 1.05 ? `sender fell behind (${r.sender.seconds.toFixed(2)} s)` : '',
    ].filter((s) => s !== '');
    if (odd.length > 0) lines.push(`        note: ${odd.join(', ')}`);
  }
  return lines;
}

/** Highest rate reached with every rate up to it within `maxLoss` (rates in the order run). */
function highestWithin(results: readonly RateResult[], program: Program, maxLoss: number): number | null {
  let best: number | null = null;
  for (const r of results) {
    if (r.program !== program) continue;
    if (r.status !== 'ok' || lossFraction(r) > maxLoss) break;
    best = r.rate;
  }
  return best;
}

function formatSummary(results: readonly RateResult[], programs: readonly Program[]): string[] {
  const lines = ['lossless = no sequence number missing from the recording (0 lost), at that rate and every lower one tried:'];
  for (const p of programs) {
    const strict = highestWithin(results, p, 0);
    const near = highestWithin(results, p, NEAR_LOSSLESS);
    lines.push(`  ${p.padEnd(9)}  highest lossless ${strict === null ? 'none' : `${k(strict)} packets/s`}; with <= 0.1 % lost ${near === null ? 'none' : `${k(near)} packets/s`}`);
  }
  const fb = highestWithin(results, 'flowbench', 0);
  const tried = results.some((r) => r.program === 'flowbench' && r.rate >= GOAL_RATE);
  lines.push(`goal: flowbench lossless at >= ${k(GOAL_RATE)} packets/s: ${!tried ? 'not measured (no rate that high tried)' : fb !== null && fb >= GOAL_RATE ? 'PASS' : 'MISS'}`);
  return lines;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}\n`);
    return 2;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('bench:capture uses the Linux loopback interface\n');
    return 1;
  }
  const sender = prepareSender();
  if ('error' in sender) {
    process.stderr.write(`bench:capture: ${sender.error}\n`);
    return 1;
  }
  const programs: Program[] = ['flowbench'];
  let tcpdumpNote = '';
  if (options.skipTcpdump) tcpdumpNote = 'tcpdump: skipped (--skip-tcpdump)';
  else if (!commandExists('tcpdump')) tcpdumpNote = 'tcpdump: skipped (not installed; apt-get install tcpdump)';
  else programs.push('tcpdump');

  const dir = mkdtempSync(join(tmpdir(), 'flowbench-capture-bench-'));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`capture bench: ${cpus().length} x ${cpu}, Linux ${release()}, Node ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`sender: udp-blast to 127.0.0.1, ${options.payload}-byte payload (${options.payload + 42}-byte frames), ${options.seconds} s per rate, sendmmsg batches of <= 64`);
  console.log(`flowbench: bin/flowbench capture --interface lo --filter "udp port P" --pcap F (default 32 MiB kernel buffer)`);
  if (programs.includes('tcpdump')) {
    const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
    console.log(`tcpdump:   tcpdump -i lo -n -Z root -w F "udp port P" (${version}, default 2 MiB buffer)`);
  } else {
    console.log(tcpdumpNote);
  }
  console.log(`recordings in ${dir}${options.keep ? ' (kept)' : ' (removed after reading)'}\n`);

  const results: RateResult[] = [];
  try {
    for (const rate of options.rates) {
      for (const program of programs) {
        const r = await runOne(program, rate, options, sender.binary, dir);
        results.push(r);
        process.stderr.write(`${k(rate)}/s ${program}: ${r.status === 'ok' ? `${r.count.lost} lost of ${r.sender.sent}` : r.reason}\n`);
      }
    }
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log(formatTable(results).join('\n'));
  console.log('  kdrop: libpcap\'s ps_drop as each program prints it (tcpdump "packets dropped by kernel", flowbench "dropped"); on lo each loss counts twice');
  console.log('  backlog: drops in the kernel\'s input backlog during the run (/proc/net/softnet_stat), before any capture sees them');
  console.log('  CPU %: of one core, per process of the capturer (flowbench: CLI + capture worker), sending and drain time');
  console.log('');
  console.log(formatSummary(results, programs).join('\n'));
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
