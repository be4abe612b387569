/**
 * Live captures as jobs: runLiveCapture into the workspace with a pcapng recording under
 * `<workspace dir>/captures/`, a `capture.status` event every second, `jobs.progress` beside
 * it, and `sources.changed` when the source appears and when the capture ends.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CaptureStartRequest, CaptureStatus } from '../../src-shared/api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { loadPcapLive } from '../capture/pcap-live-binding.js';
import { validateCaptureOptions } from '../capture/capture-options.js';
import { runLiveCapture } from '../capture/live-capture.js';
import type { LiveStatus } from '../capture/live-capture.js';
import type { WindowAggregateRow } from '../analysis/window-aggregate-row.js';
import type { WorkbenchContext } from './context.js';

interface RunningCapture {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** Someone watching a running capture's window rows (live model predictions). */
export interface WindowObserver {
  onWindows(rows: readonly WindowAggregateRow[]): void;
  /** The capture ended. */
  onEnd(): void;
}

/** The live captures of one workbench. */
export class CaptureJobs {
  private readonly running = new Map<string, RunningCapture>();
  private readonly observers = new Map<string, Set<WindowObserver>>();

  constructor(private readonly ctx: WorkbenchContext) {}

  /** Checks the options, then starts the capture; the job id comes back before the device opens. */
  start(req: CaptureStartRequest): Result<{ jobId: string }> {
    const addon = loadPcapLive();
    if (!addon.ok) return addon;
    const options = validateCaptureOptions({
      interface: req.interface,
      ...(req.filter === undefined ? {} : { filter: req.filter }),
      ...(req.snaplen === undefined ? {} : { snaplen: req.snaplen }),
      durationSeconds: req.durationSeconds ?? null,
      count: req.count ?? null,
      ...(req.promiscuous === undefined ? {} : { promiscuous: req.promiscuous }),
      excludeTcpPorts: req.ignoreOwnTraffic === true ? this.ctx.ownTcpPorts : [],
    });
    if (!options.ok) return err({ code: options.error.code, message: options.error.message });
    const dir = join(dirname(this.ctx.workspace.path), 'captures');
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      return err({ code: 'io_error', message: `${dir}: cannot create the captures folder: ${(e as Error).message}` });
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const path = join(dir, `${options.value.interface.replace(/[^\w.-]/g, '_')}-${stamp}.pcapng`);
    const { jobs, emit } = this.ctx;
    const job = jobs.create('capture', `capture ${options.value.interface}`);
    const controller = new AbortController();
    let sourceId: number | null = null;
    let fileBytes = 0;
    const status = (s: LiveStatus, running: boolean): CaptureStatus => ({
      jobId: job.jobId, sourceId, interface: options.value.interface, filter: options.value.filter,
      packets: s.packets, bytes: s.bytes, packetsPerSecond: s.packetsPerSecond, elapsedSeconds: s.elapsedSeconds,
      fileBytes: s.fileBytes ?? 0, dropped: s.dropped, running,
    });
    const done = runLiveCapture(this.ctx.workspace.db, {
      capture: options.value,
      recording: { path },
      signal: controller.signal,
      onWindows: (rows) => {
        for (const o of this.observers.get(job.jobId) ?? []) o.onWindows(rows);
      },
      onStarted: (info) => {
        sourceId = info.sourceId;
        jobs.update(job.jobId, { phase: 'running', sourceId });
        emit('sources.changed', { sourceId });
      },
      onStatus: (s) => {
        fileBytes = s.fileBytes ?? fileBytes;
        emit('capture.status', status(s, !controller.signal.aborted));
        jobs.update(job.jobId, { packets: s.packets, packetsPerSecond: s.packetsPerSecond, bytesDone: s.fileBytes ?? 0 });
      },
    }).then(
      (r) => {
        if (r.ok) {
          const o = r.value;
          emit('capture.status', {
            jobId: job.jobId, sourceId: o.sourceId, interface: o.interface, filter: o.filter, packets: o.packets,
            bytes: o.bytes, packetsPerSecond: 0, elapsedSeconds: o.durationSeconds, fileBytes, dropped: o.dropped, running: false,
          });
          jobs.update(job.jobId, { phase: o.error === null ? 'done' : 'failed', sourceId: o.sourceId, packets: o.packets, error: o.error, etaSeconds: 0 });
        } else {
          jobs.update(job.jobId, { phase: 'failed', error: { code: r.error.code, message: r.error.message } });
        }
      },
      (e: unknown) => {
        jobs.update(job.jobId, { phase: 'failed', error: { code: 'internal', message: `capture failed: ${(e as Error).message}` } });
      },
    ).finally(() => {
      this.running.delete(job.jobId);
      const watching = this.observers.get(job.jobId);
      this.observers.delete(job.jobId);
      for (const o of watching ?? []) o.onEnd();
      emit('sources.changed', { sourceId });
    });
    this.running.set(job.jobId, { controller, done });
    return ok({ jobId: job.jobId });
  }

  /** Stops a running capture (everything captured is kept); false when no such capture runs. */
  stop(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (r === undefined) return false;
    r.controller.abort();
    return true;
  }

  /** Watches the window rows of a running capture; the unsubscribe function, or null when no such capture runs. */
  observeWindows(jobId: string, observer: WindowObserver): (() => void) | null {
    if (!this.running.has(jobId)) return null;
    let set = this.observers.get(jobId);
    if (set === undefined) {
      set = new Set();
      this.observers.set(jobId, set);
    }
    set.add(observer);
    return () => void this.observers.get(jobId)?.delete(observer);
  }

  /** Stops every capture and waits for them to end. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort();
    await Promise.all(all.map((r) => r.done));
  }
}

/** Whether live capture can run here, and why not. */
export function captureAvailability(): { available: boolean; reason: string | null } {
  const addon = loadPcapLive();
  return addon.ok ? { available: true, reason: null } : { available: false, reason: addon.error.message };
}
