import type { CaptureFormat, ReadWarning } from '../../src-shared/capture-summary.js';
import type { RawBatch } from './raw-batch.js';

/**
 * A streaming reader over one capture file. Memory is bounded by the chunk size and the
 * largest record, never by the file size.
 */
export interface CaptureReader {
  readonly path: string;
  readonly format: CaptureFormat;
  /** File size in bytes at open time (for progress). */
  readonly fileSize: number;
  /** Bytes consumed so far (for progress and ETA). */
  bytesConsumed(): number;
  /**
   * Fills `batch` with the next records (up to its capacity) and returns how many; 0 means
   * the end of the readable data. A fault stops reading: records before it are delivered,
   * the fault is added to `warnings`, and later calls return 0.
   */
  next(batch: RawBatch): number;
  /** Recoverable problems met so far (file offset + record number + sentence). */
  readonly warnings: readonly ReadWarning[];
  /** LINKTYPE_ numbers of the interfaces seen so far, in order of first appearance. */
  linkTypes(): readonly number[];
  /**
   * Records whose timestamp fraction was out of range (pcap µs ≥ 1e6 / ns ≥ 1e9) and was
   * normalised by carrying whole seconds; optional, readers without the notion omit it.
   */
  normalizedTimestamps?(): number;
  /** Releases the file descriptor; safe to call twice. */
  close(): void;
}
