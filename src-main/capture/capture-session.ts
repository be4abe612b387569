/**
 * Parent side of a live capture: forks the capture worker process, hands it the options,
 * turns its batch messages into RawBatch records and reports how the capture ended.
 *
 * Each capture (and each filter validation) gets a fresh process, so starting and stopping
 * many times leaks no libpcap handle, poll handle or Buffer in the parent: they die with the
 * worker. Every wait has a deadline: a worker that does not answer is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppError, Result } from '../../src-shared/result.js';
import { err, ok } from '../../src-shared/result.js';
import type { RawBatch } from '../ingest/raw-batch.js';
import type { CaptureBatchMessage, CaptureStopReason, FromCaptureWorker, ToCaptureWorker } from './capture-messages.js';
import { isFromCaptureWorker } from './capture-messages.js';
import type { CaptureOptionError, CaptureOptions } from './capture-options.js';
import { findInterface } from './interfaces.js';

/** How a capture ended. */
export interface CaptureEnd {
  /** 'failed': the worker died or stopped answering (see `error`). */
  readonly reason: CaptureStopReason | 'failed';
  /** Packets and wire bytes the worker captured (all were delivered unless `failed`). */
  readonly packets: number;
  readonly bytes: number;
  /** Packets lost by the kernel or libpcap: null, cap does not report pcap_stats. */
  readonly dropped: number | null;
  readonly error: AppError | null;
}

/** Batching of the worker (defaults suit a live view refreshed every second). */
export interface CaptureTuning {
  readonly batchPackets?: number;
  readonly flushMs?: number;
  /** Deadline for the device to open (ms). */
  readonly startTimeoutMs?: number;
}

const DEFAULT_BATCH_PACKETS = 8192;
const DEFAULT_FLUSH_MS = 100;
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

  constructor(
    private readonly worker: Worker,
    /** LINKTYPE_ of the device. */
    readonly linkType: number,
    readonly options: CaptureOptions,
    private readonly onBatch: (raw: RawBatch) => void,
  ) {
    this.ended = new Promise((resolve) => { this.resolveEnded = resolve; });
    const child = worker.child;
    // 'close' (not 'exit'): it comes after the worker's pipes, IPC included, were drained.
    child.on('close', (code, signal) => {
      this.end({
        reason: 'failed', packets: this.nextRecord - 1, bytes: 0, dropped: null,
        error: { code: 'internal', message: `capture worker exited unexpectedly (${signal ?? `code ${code ?? '?'}`})${tail(worker.stderrTail())}` },
      });
    });
    // Batches that arrived while start() was resolving are delivered first, in order.
    worker.setHandler((m) => this.onMessage(m));
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
      case 'stopped':
        this.end({ reason: m.reason, packets: m.packets, bytes: m.bytes, dropped: null, error: null });
        return;
      case 'error':
        this.end({ reason: 'failed', packets: this.nextRecord - 1, bytes: 0, dropped: null, error: m.error });
        return;
      case 'started':
      case 'validated':
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
    type: 'start', options, validateOnly: false,
    batchPackets: tuning.batchPackets ?? DEFAULT_BATCH_PACKETS,
    flushMs: tuning.flushMs ?? DEFAULT_FLUSH_MS,
  }, tuning.startTimeoutMs ?? START_TIMEOUT_MS);
  if (!first.ok) return first;
  const m = first.value;
  if (m.type !== 'started') {
    worker.child.kill('SIGKILL');
    return err({ field: 'interface', code: 'internal', message: `capture worker answered "${m.type}" to start` });
  }
  return ok(new CaptureSession(worker, m.linkType, options, onBatch));
}

/**
 * Compiles `filter` for `device` with libpcap without capturing (the device is opened and
 * closed at once, so this needs the same privileges as a capture). Ok when valid.
 */
export async function validateCaptureFilter(device: string, filter: string, bufferBytes = 1 << 20): Promise<Result<null, CaptureOptionError>> {
  const found = findInterface(device);
  if (!found.ok) return err({ ...found.error, field: 'interface' });
  const worker = spawnWorker();
  const options: CaptureOptions = { interface: device, filter, snaplen: 65535, durationSeconds: null, count: null, bufferBytes };
  const first = await firstAnswer(worker, { type: 'start', options, validateOnly: true, batchPackets: 1, flushMs: 1000 }, START_TIMEOUT_MS);
  if (!first.ok) return first;
  return first.value.type === 'validated' ? ok(null)
    : err({ field: 'interface', code: 'internal', message: `capture worker answered "${first.value.type}" to validate` });
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
      else if (m.type === 'started' || m.type === 'validated') settle(ok(m));
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
