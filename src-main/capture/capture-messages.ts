/**
 * Messages between a capture session (parent) and its capture worker process. The worker is
 * a child process, not a worker_thread: cap-binding.ts explains why.
 */
import type { CaptureOptionError, CaptureOptions } from './capture-options.js';

/** Parent → worker. */
export type ToCaptureWorker =
  | {
    readonly type: 'start';
    readonly options: CaptureOptions;
    /** Records per batch before it is posted. */
    readonly batchPackets: number;
    /** A partly filled batch is posted after this long (live view latency). */
    readonly flushMs: number;
    /** Open the device with the filter, report, and exit without capturing. */
    readonly validateOnly: boolean;
  }
  | { readonly type: 'stop' };

/** Why a capture ended. */
export type CaptureStopReason = 'count' | 'duration' | 'stopped' | 'signal' | 'parent_gone';

/** Records captured since the previous batch, struct-of-arrays, record i at data[offset[i]..). */
export interface CaptureBatchMessage {
  readonly type: 'batch';
  readonly count: number;
  readonly data: Uint8Array;
  readonly offset: Uint32Array;
  readonly caplen: Uint32Array;
  readonly wirelen: Uint32Array;
  readonly tsSec: Float64Array;
  readonly tsNsec: Uint32Array;
}

/** Worker → parent. */
export type FromCaptureWorker =
  | { readonly type: 'started'; readonly linkType: number; readonly linkTypeName: string }
  | { readonly type: 'validated' }
  | { readonly type: 'error'; readonly error: CaptureOptionError }
  | CaptureBatchMessage
  | { readonly type: 'stopped'; readonly reason: CaptureStopReason; readonly packets: number; readonly bytes: number };

/** Checks a message from the worker process before the parent trusts its shape. */
export function isFromCaptureWorker(m: unknown): m is FromCaptureWorker {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o['type']) {
    case 'started': return typeof o['linkType'] === 'number' && typeof o['linkTypeName'] === 'string';
    case 'validated': return true;
    case 'error': return typeof o['error'] === 'object' && o['error'] !== null;
    case 'batch': {
      const n = o['count'];
      return typeof n === 'number' && o['data'] instanceof Uint8Array
        && o['offset'] instanceof Uint32Array && o['caplen'] instanceof Uint32Array && o['wirelen'] instanceof Uint32Array
        && o['tsSec'] instanceof Float64Array && o['tsNsec'] instanceof Uint32Array
        && o['offset'].length >= n && o['caplen'].length >= n && o['wirelen'].length >= n
        && o['tsSec'].length >= n && o['tsNsec'].length >= n;
    }
    case 'stopped': return typeof o['packets'] === 'number' && typeof o['bytes'] === 'number' && typeof o['reason'] === 'string';
    default: return false;
  }
}
