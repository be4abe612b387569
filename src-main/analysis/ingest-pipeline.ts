/**
 * The full ingest of one capture file into a workspace: reader → AnalysisStages (PacketDecoder →
 * ConversationTable → FlowTable → WindowAggregator) → SourceWriter (batched transactions).
 *
 * Rows reach SQLite while the file is read (windows as they close, flows as they end), so a
 * kill -9 loses at most the writer's open batch; the conversations table, whole-source stats
 * and status `complete` are written in one transaction at the end. A re-run of an interrupted
 * ingest clears the source's rows and writes it again under the same id (startFileIngest).
 *
 * Memory: the flow table and window aggregator are bounded by live flows and open windows;
 * the conversation table (Wireshark's table, written at the end) grows with the number of
 * conversations, about 150 bytes each.
 */
import type Database from 'better-sqlite3';
import type { ReadWarning } from '../../src-shared/capture-summary.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { openCapture } from '../ingest/open-capture.js';
import { createRawBatch } from '../ingest/raw-batch.js';
import { readFileIdentity } from '../store/file-identity.js';
import { startFileIngest } from '../store/source-writer.js';
import type { SourceWriter } from '../store/source-writer.js';
import type { SourceTotals } from '../store/sources-repo.js';
import { AnalysisStages, type AnalysisFinal } from './analysis-stages.js';
import type { FlowTableOptions } from './flow-table.js';

/**
 * Version of the analysis stored with each source: a source analysed by another version (or
 * with other flow settings) is not reused. Bump when the meaning of stored rows changes.
 */
export const ANALYZER_VERSION = 'flowbench-ingest/1';

/** How far an ingest has come. */
export interface IngestProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly packets: number;
  /** Packets per second since the ingest started (wall clock). */
  readonly packetsPerSecond: number;
  /** Seconds left at the current byte rate; null before a rate is known. */
  readonly etaSeconds: number | null;
}

/** Options of {@link ingestFile}. */
export interface IngestOptions {
  /** Called a few times a second while reading, and once at the end. */
  readonly onProgress?: (p: IngestProgress) => void;
  /** Checked between batches: an abort commits what was written and marks the source partial. */
  readonly signal?: AbortSignal;
  /** Re-analyse even when a complete source of the same file exists. */
  readonly force?: boolean;
  /** Reader chunk size in bytes (tests use small ones). */
  readonly chunkSize?: number;
  /** Flow-table settings (part of the analyzer identity, so other settings are not reused). */
  readonly flows?: FlowTableOptions;
  /** Rows per writer transaction (default: SourceWriter's). */
  readonly batchRows?: number;
}

/** How an ingest ended. */
export interface IngestOutcome {
  readonly sourceId: number;
  readonly file: string;
  readonly packets: number;
  /** True when the whole file was read and every table written (status `complete`). */
  readonly complete: boolean;
  /** The source already existed, complete, for this exact file: nothing was read. */
  readonly reused: boolean;
  /** Stopped through the signal; the rows written so far are kept (status `partial`). */
  readonly cancelled: boolean;
  /** The reader met a fault; rows cover the data before it (status `partial`). */
  readonly damaged: boolean;
  readonly warnings: readonly ReadWarning[];
}

const BATCH_RECORDS = 8192;
const PROGRESS_INTERVAL_MS = 250;
/**
 * Longest time between commits. The writer commits by row count, but a capture with few flows
 * and windows (one long flow, a slow link) may write few rows: the heartbeat commit bounds
 * what a kill -9 loses to about this much work.
 */
const COMMIT_INTERVAL_MS = 250;
/** How long the loop may hold the thread before yielding, so an abort can be delivered. */
const YIELD_INTERVAL_MS = 50;

/**
 * Ingests one capture file into the workspace `db`. Errors only when nothing could be done
 * (missing file, not a capture, a store error before any row); a damaged file or a cancel
 * gives an outcome with `complete: false` and keeps the rows written.
 */
export async function ingestFile(db: Database.Database, path: string, options: IngestOptions = {}): Promise<Result<IngestOutcome>> {
  const identity = readFileIdentity(path);
  if (!identity.ok) return identity;
  const analyzer = options.flows === undefined ? ANALYZER_VERSION : `${ANALYZER_VERSION} ${JSON.stringify(options.flows)}`;

  // The reuse check comes before opening the reader: re-opening an analysed file is instant.
  const opened = options.chunkSize === undefined ? openCapture(path) : openCapture(path, { chunkSize: options.chunkSize });
  if (!opened.ok) return opened;
  const reader = opened.value;
  let writer: SourceWriter | undefined;
  try {
    const start = startFileIngest(
      db,
      identity.value,
      { kind: 'file', displayName: displayName(path), analyzer, format: reader.format },
      { ...(options.force === true ? { force: true } : {}), ...(options.batchRows === undefined ? {} : { batchRows: options.batchRows }) },
    );
    if (start.kind === 'reuse') {
      const s = start.source;
      return ok({ sourceId: s.id, file: path, packets: s.packets, complete: true, reused: true, cancelled: false, damaged: false, warnings: [] });
    }
    const w = start.writer;
    writer = w;
    const run = await runPipeline(reader, w, options);
    const warnings = [...reader.warnings];
    const totals: SourceTotals = { ...run.totals, linkTypes: [...reader.linkTypes()], format: reader.format };
    const final = { totals, conversations: run.conversations, stats: run.stats, warnings };
    const damaged = warnings.length > 0;
    if (run.cancelled) {
      w.stop('partial', `cancelled after ${totals.packets} packets; re-run to finish`, final);
    } else if (damaged) {
      const first = warnings[0]!;
      w.stop('partial', `damaged file: byte offset ${first.offset}, record ${first.record}: ${first.message}`, final);
    } else {
      w.finish(final);
    }
    return ok({
      sourceId: w.sourceId, file: path, packets: totals.packets, complete: !run.cancelled && !damaged,
      reused: false, cancelled: run.cancelled, damaged, warnings,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (writer !== undefined && !writer.finished) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
        writer.stop('failed', `internal error: ${message}`);
      } catch {
        // The store itself failed (disk full, …): the next open marks the source partial.
      }
    }
    return err({ code: 'internal', message: `${path}: ingest failed: ${message}` });
  } finally {
    reader.close();
  }
}

interface PipelineRun extends AnalysisFinal {
  readonly cancelled: boolean;
}

type Reader = Extract<ReturnType<typeof openCapture>, { ok: true }>['value'];

async function runPipeline(reader: Reader, writer: SourceWriter, options: IngestOptions): Promise<PipelineRun> {
  const raw = createRawBatch(BATCH_RECORDS);
  const stages = new AnalysisStages(writer, { batchCapacity: BATCH_RECORDS, ...(options.flows === undefined ? {} : { flows: options.flows }) });
  const counters = stages.counters;
  const { onProgress, signal } = options;
  const started = performance.now();
  const progress = (): IngestProgress => {
    const elapsed = (performance.now() - started) / 1000;
    const bytesDone = reader.bytesConsumed();
    const bytesTotal = reader.fileSize;
    const byteRate = elapsed > 0 ? bytesDone / elapsed : 0;
    return {
      bytesDone,
      bytesTotal,
      packets: counters.packets,
      packetsPerSecond: elapsed > 0 ? counters.packets / elapsed : 0,
      etaSeconds: byteRate > 0 ? Math.max(0, bytesTotal - bytesDone) / byteRate : null,
    };
  };

  let cancelled = false;
  let lastProgress = started;
  let lastCommit = started;
  let lastYield = started;
  for (;;) {
    if (signal?.aborted === true) { cancelled = true; break; }
    const n = reader.next(raw);
    if (n === 0) break;
    stages.add(raw);

    const now = performance.now();
    if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = now;
      // The running totals ride on the writer's next commit: its heartbeat.
      writer.progress(stages.totals());
      if (now - lastCommit >= COMMIT_INTERVAL_MS) {
        lastCommit = now;
        writer.commit();
      }
      onProgress?.(progress());
    }
    if (now - lastYield >= YIELD_INTERVAL_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  // Cancelled or not, what was read is complete as far as it goes: close its windows and flows.
  const final = stages.finish();
  writer.progress(final.totals);
  onProgress?.(progress());
  return { ...final, cancelled };
}

function displayName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}
