/**
 * The `sources` table: one row per analysed file, live capture or imported series, with the
 * identity that makes re-opening an analysed file instant and the status that makes an
 * interrupted ingest visible and resumable.
 */
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { ReadWarning } from '../../src-shared/capture-summary.js';

/** Where a source's data came from. */
export type SourceKind = 'file' | 'capture' | 'series';

/** Ingest state: `partial` = interrupted or cancelled (rows so far kept), `failed` = unusable. */
export type SourceStatus = 'ingesting' | 'complete' | 'partial' | 'failed';

/** A source as the API reports it. */
export interface SourceRow {
  readonly id: number;
  readonly kind: SourceKind;
  readonly path: string | null;
  readonly displayName: string;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  /** sha256 (hex) of the file's first MiB. */
  readonly headSha256: string | null;
  /** Analyzer version and settings the rows were computed with (reuse only if equal). */
  readonly analyzer: string | null;
  readonly format: string | null;
  readonly linkTypes: readonly number[];
  /** Step in seconds of an imported series (its one stored resolution); null otherwise. */
  readonly seriesStep: number | null;
  readonly status: SourceStatus;
  readonly packets: number;
  readonly bytes: number;
  readonly capturedBytes: number;
  /** Epoch seconds with the file's resolution, as CaptureSummary writes them. */
  readonly firstTimestamp: string | null;
  readonly lastTimestamp: string | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What is known about a source when its ingest starts. */
export interface NewSource {
  readonly kind: SourceKind;
  readonly path: string | null;
  readonly displayName: string;
  readonly size?: number | null;
  readonly mtimeMs?: number | null;
  readonly headSha256?: string | null;
  readonly analyzer?: string | null;
  readonly format?: string | null;
  readonly linkTypes?: readonly number[];
  readonly seriesStep?: number | null;
}

/** Running or final totals of a source. */
export interface SourceTotals {
  readonly packets: number;
  readonly bytes: number;
  readonly capturedBytes: number;
  readonly firstTimestamp: string | null;
  readonly lastTimestamp: string | null;
  readonly linkTypes?: readonly number[];
  readonly format?: string | null;
  readonly seriesStep?: number | null;
}

/** The identity of a file on disk: reuse needs all four equal. */
export interface FileIdentity {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly headSha256: string;
}

interface RawSource {
  id: number;
  kind: SourceKind;
  path: string | null;
  display_name: string;
  size: number | null;
  mtime_ms: number | null;
  head_sha256: string | null;
  analyzer: string | null;
  format: string | null;
  link_types: string;
  series_step: number | null;
  status: SourceStatus;
  packets: number;
  bytes: number;
  captured_bytes: number;
  first_ts: string | null;
  last_ts: string | null;
  error: string | null;
  ingest_pid: number | null;
  ingest_host: string | null;
  created_at: number;
  updated_at: number;
}

/** Tables whose rows belong to one source (cleared when a source is re-ingested). */
const SOURCE_DATA_TABLES = [
  'windows',
  'window_values',
  'flows',
  'conversations',
  'source_stats',
  'source_names',
  'source_warnings',
] as const;

/** Access to `sources` and the per-source clean-up. */
export class SourcesRepo {
  private readonly byId: Database.Statement<[number], RawSource>;
  private readonly reusable: Database.Statement<unknown[], RawSource>;
  private readonly progress: Database.Statement<unknown[]>;

  constructor(private readonly db: Database.Database) {
    this.byId = db.prepare('SELECT * FROM sources WHERE id = ?');
    this.reusable = db.prepare(
      `SELECT * FROM sources WHERE path = ? AND size = ? AND mtime_ms = ? AND head_sha256 = ?
         AND status = ? AND (? IS NULL OR analyzer = ?) ORDER BY id DESC LIMIT 1`,
    );
    this.progress = db.prepare(
      `UPDATE sources SET packets = ?, bytes = ?, captured_bytes = ?, first_ts = ?, last_ts = ?,
         updated_at = ? WHERE id = ?`,
    );
  }

  /** Inserts a source in state `ingesting`, owned by this process; returns its id. */
  create(s: NewSource): number {
    const now = Date.now();
    const r = this.db
      .prepare(
        `INSERT INTO sources (kind, path, display_name, size, mtime_ms, head_sha256, analyzer, format,
           link_types, series_step, status, ingest_pid, ingest_host, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ingesting', ?, ?, ?, ?)`,
      )
      .run(
        s.kind,
        s.path,
        s.displayName,
        s.size ?? null,
        s.mtimeMs ?? null,
        s.headSha256 ?? null,
        s.analyzer ?? null,
        s.format ?? null,
        JSON.stringify(s.linkTypes ?? []),
        s.seriesStep ?? null,
        process.pid,
        hostname(),
        now,
        now,
      );
    return Number(r.lastInsertRowid);
  }

  /** The source with this id, if any. */
  get(id: number): SourceRow | undefined {
    const r = this.byId.get(id);
    return r === undefined ? undefined : toRow(r);
  }

  /** All sources, newest first, optionally of one status. */
  list(status?: SourceStatus): SourceRow[] {
    const rows =
      status === undefined
        ? this.db.prepare<[], RawSource>('SELECT * FROM sources ORDER BY id DESC').all()
        : this.db.prepare<[string], RawSource>('SELECT * FROM sources WHERE status = ? ORDER BY id DESC').all(status);
    return rows.map(toRow);
  }

  /**
   * A complete source analysed from exactly this file (same path, size, mtime and first-MiB
   * hash, and the same analyzer when one is given): its rows can be shown without re-reading.
   */
  findReusable(path: string, size: number, mtimeMs: number, headSha256: string, analyzer?: string): SourceRow | undefined {
    const a = analyzer ?? null;
    const r = this.reusable.get(path, size, mtimeMs, headSha256, 'complete', a, a);
    return r === undefined ? undefined : toRow(r);
  }

  /** An interrupted (`partial` or `failed`) source of exactly this file, which a re-run can finish. */
  findResumable(path: string, size: number, mtimeMs: number, headSha256: string, analyzer?: string): SourceRow | undefined {
    const a = analyzer ?? null;
    const r =
      this.reusable.get(path, size, mtimeMs, headSha256, 'partial', a, a) ??
      this.reusable.get(path, size, mtimeMs, headSha256, 'failed', a, a);
    return r === undefined ? undefined : toRow(r);
  }

  /**
   * Deletes every row of the source and sets it back to `ingesting` under this process, in one
   * transaction: a re-run then ingests the whole file again, so no half-merged state exists.
   */
  restart(id: number, s?: Partial<NewSource>): void {
    this.db.transaction(() => {
      this.clearData(id);
      this.db
        .prepare(
          `UPDATE sources SET status = 'ingesting', packets = 0, bytes = 0, captured_bytes = 0,
             first_ts = NULL, last_ts = NULL, error = NULL, ingest_pid = ?, ingest_host = ?,
             analyzer = coalesce(?, analyzer), format = coalesce(?, format), updated_at = ? WHERE id = ?`,
        )
        .run(process.pid, hostname(), s?.analyzer ?? null, s?.format ?? null, Date.now(), id);
    })();
  }

  /** Deletes the rows a source owns in every data table (not the source itself). */
  clearData(id: number): void {
    for (const table of SOURCE_DATA_TABLES) this.db.prepare(`DELETE FROM ${table} WHERE source_id = ?`).run(id);
  }

  /** Running totals; also the writer's heartbeat (updated_at). Call inside the batch's transaction. */
  updateProgress(id: number, t: SourceTotals): void {
    this.progress.run(t.packets, t.bytes, t.capturedBytes, t.firstTimestamp, t.lastTimestamp, Date.now(), id);
  }

  /** Final totals and status `complete`. */
  complete(id: number, t: SourceTotals): void {
    this.finish(id, 'complete', null, t);
  }

  /** Ends an ingest as `partial` (cancelled, interrupted, or stopped at a fault) or `failed`. */
  finish(id: number, status: Exclude<SourceStatus, 'ingesting'>, error: string | null, t?: SourceTotals): void {
    this.db.transaction(() => {
      if (t !== undefined) {
        this.updateProgress(id, t);
        this.db
          .prepare(
            `UPDATE sources SET link_types = coalesce(?, link_types), format = coalesce(?, format),
               series_step = coalesce(?, series_step) WHERE id = ?`,
          )
          .run(t.linkTypes === undefined ? null : JSON.stringify(t.linkTypes), t.format ?? null, t.seriesStep ?? null, id);
      }
      this.db
        .prepare('UPDATE sources SET status = ?, error = ?, ingest_pid = NULL, ingest_host = NULL, updated_at = ? WHERE id = ?')
        .run(status, error, Date.now(), id);
    })();
  }

  /** Appends reader warnings (file offset, record number, sentence) to the source. */
  addWarnings(id: number, warnings: readonly ReadWarning[]): void {
    if (warnings.length === 0) return;
    const next =
      (this.db.prepare<[number], { n: number | null }>('SELECT max(seq) AS n FROM source_warnings WHERE source_id = ?').get(id)?.n ??
        0) + 1;
    const ins = this.db.prepare('INSERT INTO source_warnings (source_id, seq, byte_offset, record, message) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => warnings.forEach((w, i) => ins.run(id, next + i, w.offset, w.record, w.message)))();
  }

  /** The warnings recorded for a source, in order. */
  warnings(id: number): ReadWarning[] {
    return this.db
      .prepare<[number], ReadWarning>(
        'SELECT byte_offset AS offset, record, message FROM source_warnings WHERE source_id = ? ORDER BY seq',
      )
      .all(id);
  }

  /** Deletes a source and, through ON DELETE CASCADE, all its rows. */
  delete(id: number): void {
    this.db.prepare('DELETE FROM sources WHERE id = ?').run(id);
  }

  /**
   * Marks `partial` every `ingesting` source whose writer is gone: a process on this host that
   * no longer exists, or any writer silent for `staleMs` (its heartbeat is updated_at).
   * Returns the sources it marked.
   */
  recoverInterrupted(staleMs: number): SourceRow[] {
    const host = hostname();
    const now = Date.now();
    const marked: SourceRow[] = [];
    const candidates = this.db.prepare<[], RawSource>("SELECT * FROM sources WHERE status = 'ingesting'").all();
    for (const r of candidates) {
      const deadHere = r.ingest_host === host && (r.ingest_pid === null || !processAlive(r.ingest_pid));
      if (!deadHere && now - r.updated_at < staleMs) continue;
      const why =
        `interrupted: the ingest stopped after ${r.packets} packets without finishing ` +
        `(${deadHere ? `process ${r.ingest_pid ?? '?'} is gone` : 'writer silent'}); re-run to finish it`;
      // Guarded by status so a writer that finished meanwhile is not overwritten.
      const changed = this.db
        .prepare("UPDATE sources SET status = 'partial', error = ?, updated_at = ? WHERE id = ? AND status = 'ingesting'")
        .run(why, now, r.id).changes;
      const row = changed > 0 ? this.get(r.id) : undefined;
      if (row !== undefined) marked.push(row);
    }
    return marked;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRow(r: RawSource): SourceRow {
  return {
    id: r.id,
    kind: r.kind,
    path: r.path,
    displayName: r.display_name,
    size: r.size,
    mtimeMs: r.mtime_ms,
    headSha256: r.head_sha256,
    analyzer: r.analyzer,
    format: r.format,
    linkTypes: JSON.parse(r.link_types) as number[],
    seriesStep: r.series_step,
    status: r.status,
    packets: r.packets,
    bytes: r.bytes,
    capturedBytes: r.captured_bytes,
    firstTimestamp: r.first_ts,
    lastTimestamp: r.last_ts,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
