/**
 * Opens (or creates) a workspace: one SQLite file holding every analysed source. Sets the
 * pragmas the writers and chart queries rely on, applies migrations, and reports sources that
 * a killed process left half-written.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { err, ok } from '../../src-shared/result.js';
import type { AppError, ErrorCode, Result } from '../../src-shared/result.js';
import { applyMigrations, SCHEMA_VERSION } from './migrations.js';
import { SourcesRepo } from './sources-repo.js';
import type { SourceRow } from './sources-repo.js';

/** An open workspace. Repositories are built over `db` by whoever needs them. */
export interface Workspace {
  readonly path: string;
  readonly db: Database.Database;
  /** `journal_mode` in force: 'wal' normally; another mode where the file system lacks WAL. */
  readonly journalMode: string;
  /** Sources found `ingesting` with no live writer, now marked `partial` (a re-run finishes them). */
  readonly recovered: readonly SourceRow[];
  close(): void;
}

/** How to open a workspace. */
export interface OpenWorkspaceOptions {
  /** Open read-only (no migrations, no recovery); fails if the file does not exist. */
  readonly readonly?: boolean;
  /** A writer silent for longer than this is taken as dead even if its pid is alive (reused). */
  readonly staleWriterMs?: number;
}

/** Opens or creates the workspace at `path`; errors name the file and what to do. */
export function openWorkspace(path: string, options: OpenWorkspaceOptions = {}): Result<Workspace> {
  const file = resolve(path);
  if (!existsSync(dirname(file))) {
    return err({ code: 'not_found', message: `${file}: folder ${dirname(file)} does not exist` });
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (e) {
    return err(sqliteError(file, e));
  }
  try {
    // Reading the schema first turns "file is not a database" into an error here, not later.
    db.pragma('schema_version', { simple: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32768');
    let journalMode = String(db.pragma('journal_mode', { simple: true }));
    if (options.readonly === true) {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        db.close();
        return err({
          code: 'unsupported',
          message: `${file}: workspace schema version ${version}, this Flowbench reads ${SCHEMA_VERSION}; open it once read-write to migrate`,
        });
      }
    } else {
      journalMode = String(db.pragma('journal_mode = WAL', { simple: true }));
      // NORMAL in WAL mode: a power loss may drop the last commits but never corrupts the file.
      db.pragma('synchronous = NORMAL');
      const migrated = applyMigrations(db);
      if (!migrated.ok) {
        db.close();
        return err({ code: migrated.error.code, message: `${file}: ${migrated.error.message}` });
      }
    }
    const recovered =
      options.readonly === true ? [] : new SourcesRepo(db).recoverInterrupted(options.staleWriterMs ?? 10 * 60_000);
    return ok({
      path: file,
      db,
      journalMode,
      recovered,
      close: () => {
        if (db.open) db.close();
      },
    });
  } catch (e) {
    db.close();
    return err(sqliteError(file, e));
  }
}

function sqliteError(file: string, e: unknown): AppError {
  const code = (e as { code?: unknown }).code;
  const message = (e as Error).message ?? String(e);
  const map: Record<string, ErrorCode> = {
    SQLITE_NOTADB: 'corrupt',
    SQLITE_CORRUPT: 'corrupt',
    SQLITE_CANTOPEN: 'not_found',
    SQLITE_READONLY: 'permission_denied',
    SQLITE_PERM: 'permission_denied',
    SQLITE_FULL: 'io_error',
    SQLITE_IOERR: 'io_error',
    SQLITE_BUSY: 'io_error',
  };
  const mapped = typeof code === 'string' ? map[code] ?? (code.startsWith('SQLITE_IOERR') ? 'io_error' : undefined) : undefined;
  const hint = mapped === 'corrupt' ? ' (not a Flowbench workspace, or damaged)' : '';
  return { code: mapped ?? 'internal', message: `${file}: ${message}${hint}` };
}
