/**
 * A live capture as a source: capture worker → (pcapng recording) → the same analysis chain
 * as a file ingest (AnalysisStages) → SQLite, committed every second together with the
 * windows the wall clock closed, so charts and the status line move once a second.
 *
 * The source row (kind `capture`) is created once the device is open; it ends `complete`
 * when the capture stops by its limits or by request (Ctrl-C, stop()), `partial` when the
 * worker failed or the recording could not be written (everything before is kept).
 */
import type Database from 'better-sqlite3';
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AppError, Result } from '../../src-shared/result.js';
import { err, ok } from '../../src-shared/result.js';
import { AnalysisStages } from '../analysis/analysis-stages.js';
import { ANALYZER_VERSION } from '../analysis/ingest-pipeline.js';
import type { WindowAggregateRow } from '../analysis/window-aggregate-row.js';
import type { RawBatch } from '../ingest/raw-batch.js';
import { SourceWriter } from '../store/source-writer.js';
import { SourcesRepo } from '../store/sources-repo.js';
import type { CaptureOptionError, CaptureOptions } from './capture-options.js';
import { startCapture, type CaptureStopReason, type CaptureTuning } from './capture-session.js';
import { PcapngWriter, type TimestampResolution } from './pcapng-writer.js';

/** Where and how to record the packets. */
export interface RecordingOptions {
  readonly path: string;
  readonly tsResolution?: TimestampResolution;
  readonly ringBytes?: number | null;
  readonly ringFiles?: number | null;
}

/** Options of {@link runLiveCapture}. */
export interface LiveCaptureOptions {
  readonly capture: CaptureOptions;
  readonly recording?: RecordingOptions | null;
  /** Aborting stops the capture cleanly (everything captured is kept). */
  readonly signal?: AbortSignal;
  /** Once a second, and once at the end. */
  readonly onStatus?: (s: LiveStatus) => void;
  /** Window rows as they close (1 s rows every second; 10 s / 60 s rollups as they close). */
  readonly onWindows?: (rows: readonly WindowAggregateRow[]) => void;
  /** Called once the device is open and the source row exists. */
  readonly onStarted?: (info: { sourceId: number; linkType: number }) => void;
  readonly tuning?: CaptureTuning;
}

/** The status line's numbers. */
export interface LiveStatus {
  readonly packets: number;
  readonly bytes: number;
  readonly elapsedSeconds: number;
  /** Over the last status interval. */
  readonly packetsPerSecond: number;
  readonly bitsPerSecond: number;
  /** Bytes written to the recording so far; null without one. */
  readonly fileBytes: number | null;
  /**
   * Packets that matched the filter but were lost in the kernel (libpcap's ps_drop, as of the
   * worker's last report, about once a second; on Linux lo each lost packet counts twice).
   * Null only while unknown (libpcap could not be asked), never reported as 0 then.
   */
  readonly dropped: number | null;
  /** Packets dropped by the interface or driver, for any filter (ps_ifdrop); null when unknown. */
  readonly interfaceDropped: number | null;
}

/** How a live capture ended (the CLI's `--json` object plus details). */
export interface LiveOutcome {
  readonly sourceId: number;
  readonly interface: string;
  readonly filter: string;
  readonly packets: number;
  readonly bytes: number;
  readonly durationSeconds: number;
  /** libpcap's ps_drop at the end; null when unknown (the capture failed). */
  readonly dropped: number | null;
  /** libpcap's ps_ifdrop at the end; null when unknown. */
  readonly interfaceDropped: number | null;
  /** The first recording file, or null without --pcap. */
  readonly pcap: string | null;
  readonly pcapFiles: readonly string[];
  readonly reason: CaptureStopReason | 'failed';
  /** Set when the capture or the recording failed part-way (the source is partial). */
  readonly error: AppError | null;
}

const STATUS_INTERVAL_MS = 1000;
const BATCH_PACKETS = 8192;

/** Runs one live capture into the workspace `db` until a limit, `signal` or a failure. */
export async function runLiveCapture(db: Database.Database, options: LiveCaptureOptions): Promise<Result<LiveOutcome, CaptureOptionError | AppError>> {
  const rec = options.recording ?? null;
  const pcapPath = rec === null ? null : resolve(rec.path);
  if (pcapPath !== null) {
    try {
      accessSync(dirname(pcapPath), constants.W_OK);
    } catch (e) {
      return err({ code: 'io_error', message: `pcap: cannot write the recording in ${dirname(pcapPath)}: ${(e as Error).message}` });
    }
  }
  if (options.signal?.aborted === true) return err({ code: 'cancelled', message: 'capture cancelled before it started' });

  // Batches can arrive before start() resolves: hold them until the chain exists.
  const pending: RawBatch[] = [];
  let consume: ((raw: RawBatch) => void) | null = null;
  const batchPackets = options.tuning?.batchPackets ?? BATCH_PACKETS;
  const started = await startCapture(options.capture, (raw) => {
    if (consume === null) pending.push(raw);
    else consume(raw);
  }, { ...options.tuning, batchPackets });
  if (!started.ok) return started;
  const session = started.value;
  const t0 = performance.now();
  const onAbort = (): void => session.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const { capture } = options;
  const sources = new SourcesRepo(db);
  const sourceId = sources.create({
    kind: 'capture',
    path: pcapPath,
    displayName: `capture ${capture.interface}${capture.filter === '' ? '' : ` (${capture.filter})`}`,
    analyzer: ANALYZER_VERSION,
    format: pcapPath === null ? null : 'pcapng',
    linkTypes: [session.linkType],
  });
  const writer = new SourceWriter(db, sourceId);
  const stages = new AnalysisStages(writer, {
    batchCapacity: batchPackets,
    ...(options.onWindows === undefined ? {} : { onWindows: options.onWindows }),
  });
  let failure: AppError | null = null;
  let pcap: PcapngWriter | null = null;
  if (pcapPath !== null && rec !== null) {
    const w = PcapngWriter.open({
      path: pcapPath, linkType: session.linkType, snaplen: capture.snaplen,
      tsResolution: rec.tsResolution ?? 'us', interfaceName: capture.interface, filter: capture.filter,
      ringBytes: rec.ringBytes ?? null, ringFiles: rec.ringFiles ?? null, application: 'flowbench capture',
    });
    if (w.ok) pcap = w.value;
    else {
      failure = w.error;
      session.stop();
    }
  }
  options.onStarted?.({ sourceId, linkType: session.linkType });

  consume = (raw) => {
    if (pcap !== null && !pcap.writeBatch(raw) && failure === null) {
      const closed = pcap.close();
      failure = closed.ok ? { code: 'io_error', message: 'pcap: write failed' } : closed.error;
      pcap = null;
      session.stop();
    }
    stages.add(raw);
  };
  for (const raw of pending.splice(0)) consume(raw);

  let last = { t: t0, packets: 0, bytes: 0 };
  const status = (): LiveStatus => {
    const now = performance.now();
    const packets = stages.counters.packets;
    const bytes = stages.counters.wireBytes;
    const dt = (now - last.t) / 1000;
    const s: LiveStatus = {
      packets, bytes, elapsedSeconds: (now - t0) / 1000,
      packetsPerSecond: dt > 0 ? (packets - last.packets) / dt : 0,
      bitsPerSecond: dt > 0 ? ((bytes - last.bytes) * 8) / dt : 0,
      fileBytes: pcap === null ? null : pcap.recording().bytes,
      dropped: session.counters?.dropped ?? null,
      interfaceDropped: session.counters?.ifDropped ?? null,
    };
    last = { t: now, packets, bytes };
    return s;
  };
  const tick = setInterval(() => {
    try {
      stages.advanceClock(Math.floor(Date.now() / 1000));
      writer.progress(stages.totals());
      writer.commit();
      pcap?.flush();
      options.onStatus?.(status());
    } catch (e) {
      failure ??= { code: 'io_error', message: `workspace: ${(e as Error).message}` };
      session.stop();
    }
  }, STATUS_INTERVAL_MS);

  const end = await session.ended;
  clearInterval(tick);
  options.signal?.removeEventListener('abort', onAbort);
  const durationSeconds = Math.round(performance.now() - t0) / 1000;
  const final = stages.finish();
  let files: readonly string[] = [];
  if (pcap !== null) {
    const closed = pcap.close();
    if (closed.ok) files = closed.value.files;
    else failure ??= closed.error;
  }
  failure ??= end.error;
  const totals = { ...final.totals, linkTypes: [session.linkType], format: pcapPath === null ? null : 'pcapng' };
  if (failure === null) {
    writer.finish({ totals, conversations: final.conversations, stats: final.stats });
  } else {
    writer.stop('partial', failure.message, { totals, conversations: final.conversations, stats: final.stats });
  }
  options.onStatus?.(status());
  return ok({
    sourceId,
    interface: capture.interface,
    filter: capture.filter,
    packets: final.totals.packets,
    bytes: final.totals.bytes,
    durationSeconds,
    dropped: end.dropped,
    interfaceDropped: end.interfaceDropped,
    pcap: files[0] ?? null,
    pcapFiles: files,
    reason: end.reason,
    error: failure,
  });
}
