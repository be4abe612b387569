/**
 * Parent side of a live capture: forks the capture worker process, hands it the options,
 * turns its batch messages into RawBatch records and reports how the capture ended.
 *
 * Each capture gets a fresh process, so starting and stopping many times leaks no libpcap
 * handle, kernel ring or read buffer in the parent: they die with the worker. Every wait has a
 * deadline: a worker that does not answer is killed. Filter validation and the device probe
 * need no worker: they compile (pcap_open_dead) or open and close at once, in this process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppError, Result } from '../../src-shared/result.js';
import { err, ok } from '../../src-shared/result.js';
import type { RawBatch } from '../ingest/raw-batch.js';
import type { CaptureBatchMessage, CaptureCounters, CaptureStopReason, FromCaptureWorker, ToCaptureWorker } from './capture-messages.js';
import { isFromCaptureWorker } from './capture-messages.js';
import type { CaptureOptionError, CaptureOptions } from './capture-options.js';
import { classifyPcapError, MAX_SNAPLEN } from './capture-options.js';
import { findInterface } from './interfaces.js';
import { compileFilter, dltOfArphrd, LiveHandle } from './pcap-live-binding.js';

/** How a capture ended. */
export interface CaptureEnd {
  /** 'failed': the worker died or stopped answering (see `error`). */
  readonly reason: CaptureStopReason | 'failed';
  /** Packets and wire bytes the worker captured (all were delivered unless `failed`). */
  readonly packets: number;
  readonly bytes: number;
  /**
   * Packets that matched the filter but were lost because the kernel ring was full (libpcap's
   * ps_drop at the end; on Linux lo each lost packet counts twice, out and in). Null only
   * when unknown: the worker failed or libpcap could not be asked — never a made-up 0.
   */
  readonly dropped: number | null;
  /** Packets the interface or driver dropped (ps_ifdrop, any filter); null when unknown. */
  readonly interfaceDropped: number | null;
  readonly error: AppError | null;
}

/** Batching of the worker (defaults suit a live view refreshed every second). */
export interface CaptureTuning {
  readonly batchPackets?: number;
  /** pcap timeout (ms): the longest a packet waits in the kernel before the worker reads it. */
  readonly flushMs?: number;
  /** Deadline for the device to open (ms). */
  readonly startTimeoutMs?: number;
}

const DEFAULT_BATCH_PACKETS = 8192;
/** 50 ms: short next to the 1 s live view, long enough for TPACKET_V3 blocks to fill at high rates. */
const DEFAULT_FLUSH_MS = 50;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_TAIL = 2048;

/** A running capture. */
export class CaptureSession {
  /** Resolves once, when the worker has stopped and every batch was delivered. */
  readonly ended: Promise<CaptureEnd>;
  private resolveEnded!: (e: CaptureEnd) => void;
  private stopTimer: NodeJS.Timeout | undefined;
  private done = false;
  private nextRecord = 1;
  private latest: CaptureCounters | null;

  constructor(
    private readonly worker: Worker,
    /** LINKTYPE_ of the device. */
    readonly linkType: number,
    readonly options: CaptureOptions,
    private readonly onBatch: (raw: RawBatch) => void,
    counters: CaptureCounters | null,
  ) {
    this.latest = counters;
    this.ended = new Promise((resolve) => { this.resolveEnded = resolve; });
    const child = worker.child;
    // 'close' (not 'exit'): it comes after the worker's pipes, IPC included, were drained.
    child.on('close', (code, signal) => {
      this.end({
        reason: 'failed', packets: this.nextRecord - 1, bytes: 0, dropped: null, interfaceDropped: null,
        error: { code: 'internal', message: `capture worker exited unexpectedly (${signal ?? `code ${code ?? '?'}`})${tail(worker.stderrTail())}` },
      });
    });
    // Batches that arrived while start() was resolving are delivered first, in order.
    worker.setHandler((m) => this.onMessage(m));
  }

  /** libpcap's counters as the worker last posted them (about once a second); null until known. */
  get counters(): CaptureCounters | null {
    return this.latest;
  }

  private get child(): ChildProcess {
    return this.worker.child;
  }

  /** Asks the worker to stop; it posts its last batch and totals, or is killed after 5 s. */
  stop(): void {
    if (this.done || this.stopTimer !== undefined) return;
    this.post({ type: 'stop' });
    this.stopTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  }

  private post(m: ToCaptureWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  private onMessage(m: FromCaptureWorker): void {
    if (this.done) return;
    switch (m.type) {
      case 'batch':
        this.onBatch(this.toRawBatch(m));
        return;
      case 'counters':
        this.latest = m.counters;
        return;
      case 'stopped':
        if (m.counters !== null) this.latest = m.counters;
        this.end({
          reason: m.reason, packets: m.packets, bytes: m.bytes, error: null,
          dropped: m.counters?.dropped ?? null, interfaceDropped: m.counters?.ifDropped ?? null,
        });
        return;
      case 'error':
        this.end({ reason: 'failed', packets: this.nextRecord - 1, bytes: 0, dropped: null, interfaceDropped: null, error: m.error });
        return;
      case 'started':
        return;
    }
  }

  private toRawBatch(m: CaptureBatchMessage): RawBatch {
    const n = m.count;
    const raw: RawBatch = {
      capacity: n,
      count: n,
      data: m.data,
      offset: m.offset,
      caplen: m.caplen,
      wirelen: m.wirelen,
      tsSec: m.tsSec,
      tsNsec: m.tsNsec,
      linkType: new Uint32Array(n).fill(this.linkType),
      interfaceId: new Uint32Array(n),
      firstRecord: this.nextRecord,
    };
    this.nextRecord += n;
    return raw;
  }

  private end(e: CaptureEnd): void {
    if (this.done) return;
    this.done = true;
    if (this.stopTimer !== undefined) clearTimeout(this.stopTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // The worker exits by itself after its last message; make sure it does.
      const t = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      t.unref();
      this.child.once('exit', () => clearTimeout(t));
    }
    this.resolveEnded(e);
  }
}

/**
 * Starts a capture: checks the interface exists, forks the worker, opens the device with the
 * filter (compiled by libpcap before any packet is taken) and resolves once packets flow.
 * Errors name the option at fault (`field`), including a permission error saying what to run.
 */
export async function startCapture(
  options: CaptureOptions,
  onBatch: (raw: RawBatch) => void,
  tuning: CaptureTuning = {},
): Promise<Result<CaptureSession, CaptureOptionError>> {
  const found = findInterface(options.interface);
  if (!found.ok) return err({ ...found.error, field: 'interface' });
  const worker = spawnWorker();
  const first = await firstAnswer(worker, {
    type: 'start', options,
    batchPackets: tuning.batchPackets ?? DEFAULT_BATCH_PACKETS,
    flushMs: tuning.flushMs ?? DEFAULT_FLUSH_MS,
  }, tuning.startTimeoutMs ?? START_TIMEOUT_MS);
  if (!first.ok) return first;
  const m = first.value;
  if (m.type !== 'started') {
    worker.child.kill('SIGKILL');
    return err({ field: 'interface', code: 'internal', message: `capture worker answered "${m.type}" to start` });
  }
  return ok(new CaptureSession(worker, m.linkType, options, onBatch, m.counters));
}

/**
 * Checks `filter` for `device` before a capture: compiled by libpcap (pcap_open_dead +
 * pcap_compile) for the link type the device will have, without opening it, so it needs no
 * privileges. Ok when valid. A device whose link type cannot be told beforehand is checked
 * as Ethernet; the capture compiles the filter again for the real link type when it opens.
 */
export async function validateCaptureFilter(device: string, filter: string, snaplen = MAX_SNAPLEN): Promise<Result<null, CaptureOptionError>> {
  const found = findInterface(device);
  if (!found.ok) return err({ ...found.error, field: 'interface' });
  const dlt = dltOfArphrd(arphrdType(device), device) ?? 1;
  const r = compileFilter(dlt, snaplen, filter);
  return r.ok ? ok(null) : err(classifyPcapError(device, filter, r.error));
}

/**
 * Whether this process may capture on `device`: opens it with libpcap and closes it at once
 * (no packet is read). The error says what to grant when the OS refuses.
 */
export function probeCapture(device: string): Result<null, CaptureOptionError> {
  const opened = LiveHandle.open({ device, filter: '', snaplen: 256, bufferBytes: 1 << 20, promisc: false, timeoutMs: 50 });
  if (!opened.ok) return err(classifyPcapError(device, '', opened.error));
  opened.value.close();
  return ok(null);
}

/** The device's ARPHRD_ type on Linux (/sys/class/net/IF/type), or null. */
function arphrdType(device: string): number | null {
  if (process.platform !== 'linux' || device.includes('/') || device.startsWith('.')) return null;
  try {
    const v = Number.parseInt(readFileSync(`/sys/class/net/${device}/type`, 'utf8').trim(), 10);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** A forked worker whose messages queue until a handler takes them (none is ever lost between handlers). */
interface Worker {
  readonly child: ChildProcess;
  readonly stderrTail: () => string;
  setHandler(h: ((m: FromCaptureWorker) => void) | null): void;
}

/** Forks the worker: the compiled .js next to this file, or the .ts source through tsx. */
function spawnWorker(): Worker {
  const js = fileURLToPath(new URL('./capture.worker.js', import.meta.url));
  const useJs = existsSync(js);
  const file = useJs ? js : fileURLToPath(new URL('./capture.worker.ts', import.meta.url));
  const execArgv = useJs ? [] : ['--import', tsxSpecifier()];
  const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    // libpcap's "Warning: ... This may not actually work" (no IPv4 netmask) is harmless noise.
    stderr = (stderr + s).slice(-STDERR_TAIL);
  });
  const queue: FromCaptureWorker[] = [];
  let handler: ((m: FromCaptureWorker) => void) | null = null;
  child.on('message', (m: unknown) => {
    if (!isFromCaptureWorker(m)) return;
    if (handler === null) queue.push(m);
    else handler(m);
  });
  return {
    child,
    stderrTail: () => stderr,
    setHandler: (h) => {
      handler = h;
      while (handler !== null && queue.length > 0) handler(queue.shift()!);
    },
  };
}

function tsxSpecifier(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** Sends the start message and waits (bounded) for the worker's first answer. */
function firstAnswer(worker: Worker, start: ToCaptureWorker, timeoutMs: number): Promise<Result<Exclude<FromCaptureWorker, { type: 'error' }>, CaptureOptionError>> {
  const { child } = worker;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: Result<Exclude<FromCaptureWorker, { type: 'error' }>, CaptureOptionError>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.setHandler(null);
      child.off('exit', onExit);
      child.off('error', onError);
      if (!r.ok) child.kill('SIGKILL');
      resolve(r);
    };
    const onMessage = (m: FromCaptureWorker): void => {
      if (m.type === 'error') settle(err(m.error));
      else if (m.type === 'started') settle(ok(m));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => settle(err({
      field: 'interface', code: 'internal',
      message: `capture worker exited before opening the device (${signal ?? `code ${code ?? '?'}`})${tail(worker.stderrTail())}`,
    }));
    const onError = (e: Error): void => settle(err({ field: 'interface', code: 'internal', message: `cannot start the capture worker: ${e.message}` }));
    const timer = setTimeout(() => settle(err({
      field: 'interface', code: 'internal', message: `the capture worker did not open the device within ${timeoutMs / 1000} s${tail(worker.stderrTail())}`,
    })), timeoutMs);
    worker.setHandler(onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
    child.send(start);
  });
}

function tail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Warning:'));
  const last = lines[lines.length - 1];
  return last === undefined ? '' : `: ${last.slice(0, 300)}`;
}

/** Type guard kept for callers that switch on an end reason. */
export function isCleanStop(e: CaptureEnd): boolean {
  return e.reason !== 'failed';
}

export type { CaptureStopReason };
