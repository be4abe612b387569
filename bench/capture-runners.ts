import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';

// Process plumbing of the capture bench: start a capturer (flowbench capture or tcpdump) and
// wait until it is listening, run the sender while sampling the capturer's CPU time, stop the
// capturer as Ctrl-C would, and collect what it printed. Every wait has a deadline.

/** A capturer started and listening. */
export interface Capturer {
  readonly child: ChildProcess;
  /** stderr so far (the capturer's own report comes at the end). */
  readonly stderr: () => string;
  readonly stdout: () => string;
}

/** Totals udp-blast printed. */
export interface SenderResult {
  readonly sent: number;
  readonly seconds: number;
  readonly errors: number;
}

/** CPU seconds (user + system) of one process, keyed by pid, from /proc/PID/stat. */
export type CpuSample = ReadonlyMap<number, number>;

const CLK_TCK = 100;
const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 20_000;

/** Spawns argv and resolves once its stderr matches `ready`; rejects (and kills it) after 15 s or on exit. */
export function startCapturer(argv: readonly string[], ready: RegExp): Promise<Capturer> {
  const child = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const capturer: Capturer = { child, stderr: () => stderr, stdout: () => stdout };
  return new Promise((resolve, reject) => {
    const done = (e: Error | null): void => {
      clearTimeout(timer);
      child.stderr.off('data', check);
      child.off('exit', onExit);
      child.off('error', onError);
      if (e === null) {
        resolve(capturer);
      } else {
        child.kill('SIGKILL');
        reject(e);
      }
    };
    const check = (): void => { if (ready.test(stderr)) done(null); };
    const onExit = (code: number | null): void => done(new Error(`${argv[0] ?? ''} exited (code ${code ?? '?'}) before listening: ${lastLine(stderr)}`));
    const onError = (e: Error): void => done(new Error(`cannot run ${argv[0] ?? ''}: ${e.message}`));
    const timer = setTimeout(() => done(new Error(`${argv[0] ?? ''} was not listening within ${READY_TIMEOUT_MS / 1000} s: ${lastLine(stderr)}`)), READY_TIMEOUT_MS);
    child.stderr.on('data', check);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

/** Sends SIGINT and waits for the exit (SIGKILL after 20 s); resolves with the exit code. */
export function stopCapturer(c: Capturer): Promise<number | null> {
  return new Promise((resolve) => {
    if (c.child.exitCode !== null || c.child.signalCode !== null) {
      resolve(c.child.exitCode);
      return;
    }
    const timer = setTimeout(() => c.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    c.child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    c.child.kill('SIGINT');
  });
}

/** Runs udp-blast to completion (bounded by its own deadline, and 10 s more here). */
export function runSender(binary: string, port: number, rate: number, seconds: number, payload: number, run: number): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [String(port), String(rate), String(seconds), String(payload), String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /sent=(\d+) seconds=([\d.]+) errors=(\d+)/.exec(out);
      if (code !== 0 || m === null) reject(new Error(`udp-blast failed (code ${code ?? '?'}): ${lastLine(err)}`));
      else resolve({ sent: Number(m[1]), seconds: Number(m[2]), errors: Number(m[3]) });
    });
  });
}

/** A UDP port free on 127.0.0.1 right now (the sender binds its sink to it). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** CPU seconds of `pid` and its descendants. */
export function cpuOfTree(pid: number): CpuSample {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(f[1]));
      cpu.set(Number(name), (Number(f[11]) + Number(f[12])) / CLK_TCK);
    } catch {
      // The process ended while we looked.
    }
  }
  const out = new Map<number, number>();
  const visit = (p: number): void => {
    out.set(p, cpu.get(p) ?? 0);
    for (const [child, parent] of parents) if (parent === p) visit(child);
  };
  visit(pid);
  return out;
}

/** CPU use of each process of the tree between two samples, in % of one core, tree order. */
export function cpuPercent(before: CpuSample, after: CpuSample, seconds: number): number[] {
  const out: number[] = [];
  for (const [pid, end] of after) out.push(((end - (before.get(pid) ?? 0)) / seconds) * 100);
  return out;
}

/** Packets the kernel dropped from the per-CPU input backlog (column 2 of /proc/net/softnet_stat). */
export function backlogDrops(): number {
  try {
    return readFileSync('/proc/net/softnet_stat', 'utf8').trim().split('\n')
      .reduce((sum, line) => sum + parseInt(line.trim().split(/\s+/)[1] ?? '0', 16), 0);
  } catch {
    return 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Warning:'));
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
