/**
 * Writes one source's rows in batched transactions. A batch commits every `batchRows` rows or
 * `maxBatchMs` milliseconds, with the running totals as heartbeat, so a kill -9 loses at most
 * the open batch and leaves a workspace that opens; the source then shows as `partial`.
 * The end (conversations, stats, totals, status `complete`) is one transaction.
 */
import type Database from 'better-sqlite3';
import type { ReadWarning } from '../../src-shared/capture-summary.js';
import type { FlowRecord } from '../../src-shared/flow-record.js';
import { ConversationsRepo } from './conversations-repo.js';
import type { ConversationWrite } from './conversations-repo.js';
import { FlowsRepo } from './flows-repo.js';
import { SourcesRepo } from './sources-repo.js';
import type { FileIdentity, NewSource, SourceRow, SourceTotals } from './sources-repo.js';
import { StatsRepo } from './stats-repo.js';
import type { SourceStatsWrite } from './stats-repo.js';
import type { WindowSums } from './window-columns.js';
import { WindowsRepo } from './windows-repo.js';

/** WAL pages between automatic checkpoints during an ingest (SQLite's default is 1000). */
const INGEST_WAL_PAGES = 16_384;

/** Batch sizing of a writer. */
export interface SourceWriterOptions {
  readonly batchRows?: number;
  readonly maxBatchMs?: number;
}

/** What the end of an ingest writes. */
export interface SourceFinal {
  readonly totals: SourceTotals;
  readonly conversations?: readonly ConversationWrite[];
  readonly stats?: SourceStatsWrite;
  readonly warnings?: readonly ReadWarning[];
}

/** The rows of one source being ingested. */
export class SourceWriter {
  private readonly windows: WindowsRepo;
  private readonly flows: FlowsRepo;
  private readonly sources: SourcesRepo;
  private readonly batchRows: number;
  private readonly maxBatchMs: number;
  private pending = 0;
  private batchStart = 0;
  private totals: SourceTotals | undefined;
  private done = false;

  constructor(
    private readonly db: Database.Database,
    readonly sourceId: number,
    options: SourceWriterOptions = {},
  ) {
    this.windows = new WindowsRepo(db);
    this.flows = new FlowsRepo(db);
    this.sources = new SourcesRepo(db);
    this.batchRows = options.batchRows ?? 20_000;
    this.maxBatchMs = options.maxBatchMs ?? 1_000;
    // Let the WAL grow to ~64 MiB between checkpoints while ingesting: checkpointing after
    // every batch rewrote the same index pages over and over (about 25 % of flow insert time).
    db.pragma(`wal_autocheckpoint = ${INGEST_WAL_PAGES}`);
  }

  /**
   * Writes one window row, or merges it into the stored row of the same resolution and t
   * (a `partial` row of the aggregator: see WindowsRepo.upsert).
   */
  window(w: WindowSums & { readonly resolution: number }): void {
    this.begin();
    this.windows.upsert(this.sourceId, w.resolution, w);
    this.rowWritten();
  }

  /** Writes one flow record. */
  flow(f: FlowRecord): void {
    this.begin();
    this.flows.insert(this.sourceId, f);
    this.rowWritten();
  }

  /** Running totals to store with the next commit (the writer's heartbeat). */
  progress(t: SourceTotals): void {
    this.totals = t;
  }

  /** Commits the open batch, if any, together with the latest totals. */
  commit(): void {
    if (!this.db.inTransaction) {
      if (this.totals === undefined) return;
      this.db.exec('BEGIN');
    }
    if (this.totals !== undefined) this.sources.updateProgress(this.sourceId, this.totals);
    this.db.exec('COMMIT');
    this.pending = 0;
  }

  /** Commits what is open and writes the end of the ingest; the source becomes `complete`. */
  finish(final: SourceFinal): void {
    this.commit();
    this.db.transaction(() => {
      if (final.conversations !== undefined) new ConversationsRepo(this.db).insertMany(this.sourceId, final.conversations);
      if (final.stats !== undefined) new StatsRepo(this.db).write(this.sourceId, final.stats);
      if (final.warnings !== undefined) this.sources.addWarnings(this.sourceId, final.warnings);
      this.sources.complete(this.sourceId, final.totals);
    })();
    this.ended();
  }

  /**
   * Ends the ingest early, keeping every committed row and the open batch: `partial` after a
   * cancel or a fault that left valid data, `failed` when nothing usable remains.
   */
  stop(status: 'partial' | 'failed', error: string, final?: Omit<SourceFinal, 'totals'> & { totals?: SourceTotals }): void {
    this.commit();
    this.db.transaction(() => {
      if (final?.conversations !== undefined) new ConversationsRepo(this.db).insertMany(this.sourceId, final.conversations);
      if (final?.stats !== undefined) new StatsRepo(this.db).write(this.sourceId, final.stats);
      if (final?.warnings !== undefined) this.sources.addWarnings(this.sourceId, final.warnings);
      this.sources.finish(this.sourceId, status, error, final?.totals ?? this.totals);
    })();
    this.ended();
  }

  private ended(): void {
    this.done = true;
    this.db.pragma('wal_autocheckpoint = 1000');
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Whether finish() or stop() ran. */
  get finished(): boolean {
    return this.done;
  }

  private begin(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN');
    this.batchStart = Date.now();
  }

  private rowWritten(): void {
    this.pending++;
    if (this.pending >= this.batchRows || ((this.pending & 1023) === 0 && Date.now() - this.batchStart >= this.maxBatchMs)) {
      this.commit();
    }
  }
}

/** How an ingest of a file should go on. */
export type IngestStart =
  | { readonly kind: 'reuse'; readonly source: SourceRow }
  | { readonly kind: 'write'; readonly writer: SourceWriter; readonly resumed: SourceRow | null };

/**
 * Starts (or skips) the ingest of a file: a complete source of the same identity is reused;
 * an interrupted one is cleared and written again under its id (so a re-run finishes it);
 * otherwise a new source is created.
 */
export function startFileIngest(
  db: Database.Database,
  identity: FileIdentity,
  source: Omit<NewSource, 'path' | 'size' | 'mtimeMs' | 'headSha256'>,
  options: SourceWriterOptions & { readonly force?: boolean } = {},
): IngestStart {
  const repo = new SourcesRepo(db);
  const { path, size, mtimeMs, headSha256 } = identity;
  const analyzer = source.analyzer ?? undefined;
  if (options.force !== true) {
    const done = repo.findReusable(path, size, mtimeMs, headSha256, analyzer);
    if (done !== undefined) return { kind: 'reuse', source: done };
  }
  const resumable = repo.findResumable(path, size, mtimeMs, headSha256, analyzer);
  if (resumable !== undefined) {
    repo.restart(resumable.id, source);
    return { kind: 'write', writer: new SourceWriter(db, resumable.id, options), resumed: resumable };
  }
  const id = repo.create({ ...source, path, size, mtimeMs, headSha256 });
  return { kind: 'write', writer: new SourceWriter(db, id, options), resumed: null };
}
