/** Messages between the workbench and an ingest worker (worker_threads), checked on receipt. */
import type { AppError, Result } from '../../src-shared/result.js';
import type { IngestOutcome, IngestProgress } from '../analysis/ingest-pipeline.js';

/** What the ingest worker starts with (its workerData). */
export interface IngestWorkerData {
  readonly workspacePath: string;
  readonly path: string;
  readonly force: boolean;
}

/** Workbench → worker. */
export type ToIngestWorker = { readonly type: 'cancel' };

/** Worker → workbench. */
export type FromIngestWorker =
  | { readonly type: 'source'; readonly sourceId: number }
  | { readonly type: 'progress'; readonly progress: IngestProgress }
  | { readonly type: 'done'; readonly result: Result<IngestOutcome, AppError> };

/** True when `m` has the shape of a worker message (the worker is ours, so the check is light). */
export function isFromIngestWorker(m: unknown): m is FromIngestWorker {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'source' || t === 'progress' || t === 'done';
}

/** True for the cancel message. */
export function isToIngestWorker(m: unknown): m is ToIngestWorker {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'cancel';
}
