import type { CaptureSummary } from '../../src-shared/capture-summary.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import { ConversationTable } from '../analysis/conversation-table.js';
import { topConversations } from '../analysis/top-conversations.js';
import { createDecodedBatch } from './decoded-batch.js';
import { openCapture } from './open-capture.js';
import { PacketDecoder } from './packet-decoder.js';
import { createRawBatch } from './raw-batch.js';
import { SummaryCounters } from './summary-counters.js';

/** How far a summary run has come (bytes of the file consumed, packets counted). */
export interface SummaryProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly packets: number;
}

/** Options of {@link summarizeCapture}. */
export interface SummaryOptions {
  /** Called a few times a second while reading, and once at the end. */
  readonly onProgress?: (progress: SummaryProgress) => void;
  /** Checked between batches; an abort ends the run with a partial summary. */
  readonly signal?: AbortSignal;
  /** Reader chunk size in bytes (tests use small ones to cross chunk borders). */
  readonly chunkSize?: number;
}

/** A finished run: the summary (partial when damaged or cancelled) and how it ended. */
export interface SummaryOutcome {
  readonly summary: CaptureSummary;
  /** The reader met a fault (see `summary.warnings`); counts cover the data before it. */
  readonly damaged: boolean;
  /** The run was aborted through `signal`; counts cover the batches read before. */
  readonly cancelled: boolean;
}

const BATCH_RECORDS = 8192;
const PROGRESS_INTERVAL_MS = 250;
/** How long the loop may hold the thread before yielding, so an abort can be delivered. */
const YIELD_INTERVAL_MS = 50;

/**
 * Reads a capture file once and summarizes it: totals, timestamps, protocol counts,
 * conversations and the top conversations by bytes.
 *
 * Errors only when nothing could be read (missing file, permission, not a capture). A file
 * damaged part-way gives a partial summary with `damaged` set and the reader's warnings.
 */
export async function summarizeCapture(
  path: string, options: SummaryOptions = {},
): Promise<Result<SummaryOutcome>> {
  const opened = options.chunkSize === undefined
    ? openCapture(path)
    : openCapture(path, { chunkSize: options.chunkSize });
  if (!opened.ok) return opened;
  const reader = opened.value;
  try {
    const raw = createRawBatch(BATCH_RECORDS);
    const dec = createDecodedBatch(BATCH_RECORDS);
    const decoder = new PacketDecoder();
    const counters = new SummaryCounters();
    const conversations = new ConversationTable();
    const { onProgress, signal } = options;
    let cancelled = false;
    let lastProgress = performance.now();
    let lastYield = lastProgress;

    for (;;) {
      if (signal?.aborted === true) { cancelled = true; break; }
      const n = reader.next(raw);
      if (n === 0) break;
      decoder.decode(raw, dec);
      counters.add(raw, dec);
      conversations.addBatch(raw, dec);

      const now = performance.now();
      if (onProgress !== undefined && now - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = now;
        onProgress({ bytesDone: reader.bytesConsumed(), bytesTotal: reader.fileSize, packets: counters.packets });
      }
      if (now - lastYield >= YIELD_INTERVAL_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    onProgress?.({ bytesDone: reader.bytesConsumed(), bytesTotal: reader.fileSize, packets: counters.packets });

    const warnings = reader.warnings;
    const summary: CaptureSummary = {
      file: path,
      format: reader.format,
      linkTypes: [...reader.linkTypes()],
      packets: counters.packets,
      capturedBytes: counters.capturedBytes,
      wireBytes: counters.wireBytes,
      firstTimestamp: counters.firstTimestamp(),
      lastTimestamp: counters.lastTimestamp(),
      durationSeconds: counters.durationSeconds(),
      protocols: counters.protocols(),
      conversations: { tcp: conversations.tcpCount, udp: conversations.udpCount },
      topConversations: topConversations(conversations, 5),
      ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
    };
    return ok({ summary, damaged: warnings.length > 0, cancelled });
  } catch (e) {
    // A bug, not bad input (readers and decoders report bad input as warnings): keep it one line.
    const message = e instanceof Error ? e.message : String(e);
    return err({ code: 'internal', message: `${path}: internal error while summarizing: ${message}` });
  } finally {
    reader.close();
  }
}
