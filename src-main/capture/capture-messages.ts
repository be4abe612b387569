/**
 * Messages between a capture session (parent) and its capture worker process. The worker is a
 * child process so that a capture's libpcap handle, kernel ring and read buffers live and die
 * with it (capture.worker.ts).
 */
import type { CaptureOptionError, CaptureOptions } from './capture-options.js';

/** Parent → worker. */
export type ToCaptureWorker =
  | {
    readonly type: 'start';
    readonly options: CaptureOptions;
    /** Most records in one batch message (a read's packets are split into batches this size). */
    readonly batchPackets: number;
    /** pcap_set_timeout: the longest a packet waits in the kernel before the worker sees it (ms). */
    readonly flushMs: number;
  }
  | { readonly type: 'stop' };

/** Why a capture ended. */
export type CaptureStopReason = 'count' | 'duration' | 'stopped' | 'signal' | 'parent_gone';

/** libpcap's cumulative counters (pcap_stats), as the worker last read them. */
export interface CaptureCounters {
  /** Packets that passed the filter (on Linux lo each packet is seen twice, out and in). */
  readonly received: number;
  /** Packets that passed the filter and were lost because the kernel ring was full. */
  readonly dropped: number;
  /** Packets the interface or driver dropped, for any filter. */
  readonly ifDropped: number;
}

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
  | { readonly type: 'started'; readonly linkType: number; readonly linkTypeName: string; readonly counters: CaptureCounters | null }
  | { readonly type: 'error'; readonly error: CaptureOptionError }
  | CaptureBatchMessage
  | { readonly type: 'counters'; readonly counters: CaptureCounters }
  | {
    readonly type: 'stopped'; readonly reason: CaptureStopReason; readonly packets: number; readonly bytes: number;
    /** Null only when libpcap could not be asked at the end. */
    readonly counters: CaptureCounters | null;
  };

function isCounters(c: unknown): c is CaptureCounters {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  return typeof o['received'] === 'number' && typeof o['dropped'] === 'number' && typeof o['ifDropped'] === 'number';
}

/** Checks a message from the worker process before the parent trusts its shape. */
export function isFromCaptureWorker(m: unknown): m is FromCaptureWorker {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o['type']) {
    case 'started': return typeof o['linkType'] === 'number' && typeof o['linkTypeName'] === 'string'
      && (o['counters'] === null || isCounters(o['counters']));
    case 'error': return typeof o['error'] === 'object' && o['error'] !== null;
    case 'counters': return isCounters(o['counters']);
    case 'batch': {
      const n = o['count'];
      return typeof n === 'number' && o['data'] instanceof Uint8Array
        && o['offset'] instanceof Uint32Array && o['caplen'] instanceof Uint32Array && o['wirelen'] instanceof Uint32Array
        && o['tsSec'] instanceof Float64Array && o['tsNsec'] instanceof Uint32Array
        && o['offset'].length >= n && o['caplen'].length >= n && o['wirelen'].length >= n
        && o['tsSec'].length >= n && o['tsNsec'].length >= n;
    }
    case 'stopped': return typeof o['packets'] === 'number' && typeof o['bytes'] === 'number' && typeof o['reason'] === 'string'
      && (o['counters'] === null || isCounters(o['counters']));
    default: return false;
  }
}
