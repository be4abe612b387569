/**
 * Exports one table of a workspace to a folder: CSV or JSONL as one file per table
 * (`flows.csv`, with a source_id column), Parquet partitioned by source and date. Rows stream
 * from SQLite chunk by chunk; between chunks the export yields to the event loop, so a server
 * keeps answering while it runs.
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { tableSpec } from './export-tables.js';
import type { ExportFormat, ExportTable } from './export-tables.js';
import { ParquetSink } from './parquet-sink.js';
import type { WrittenFile } from './parquet-sink.js';
import { countRows, readChunks, sourcesWithRows } from './row-reader.js';
import { CsvWriter, JsonlWriter } from './text-writers.js';
import type { RowFileWriter } from './text-writers.js';

/** What to export. */
export interface ExportRequest {
  readonly table: ExportTable;
  readonly format: ExportFormat;
  /** Output folder (created). */
  readonly outDir: string;
  /** Sources to export; all that have rows when omitted. */
  readonly sourceIds?: readonly number[];
  /** Windows: resolution in seconds (default 1). */
  readonly resolution?: number;
  /** Called after every chunk. */
  readonly onProgress?: (p: ExportProgress) => void;
  readonly signal?: AbortSignal;
  /** Parquet rows per row group (tests use small groups). */
  readonly rowGroupRows?: number;
}

/** Rows written so far of the rows to write. */
export interface ExportProgress {
  readonly rowsDone: number;
  readonly rowsTotal: number;
}

/** What an export wrote. */
export interface ExportResult {
  readonly table: ExportTable;
  readonly format: ExportFormat;
  readonly rows: number;
  readonly files: readonly WrittenFile[];
}

/** Runs one export; I/O and SQLite faults come back as error values naming the file. */
export async function exportTable(db: Database.Database, req: ExportRequest): Promise<Result<ExportResult>> {
  const spec = tableSpec(req.table);
  const resolution = req.resolution ?? 1;
  const sources = req.sourceIds ?? sourcesWithRows(db, spec, resolution);
  const scopes = sources.map((sourceId) => ({ sourceId, resolution }));
  const rowsTotal = scopes.reduce((n, s) => n + countRows(db, spec, s), 0);
  let target = req.outDir;
  let textWriter: RowFileWriter | null = null;
  let sink: ParquetSink | null = null;
  let rowsDone = 0;
  try {
    mkdirSync(req.outDir, { recursive: true });
    if (req.format === 'parquet') {
      sink = new ParquetSink(req.outDir, spec, req.rowGroupRows);
    } else {
      target = join(req.outDir, `${req.table}.${req.format}`);
      textWriter = req.format === 'csv' ? new CsvWriter(target, spec.columns) : new JsonlWriter(target, spec.columns);
    }
    for (const scope of scopes) {
      for (const chunk of readChunks(db, spec, scope)) {
        if (req.signal?.aborted === true) return err({ code: 'cancelled', message: `export of ${req.table} cancelled after ${rowsDone} rows` });
        if (sink !== null) sink.write(chunk);
        else textWriter!.write(chunk);
        rowsDone += chunk.length;
        req.onProgress?.({ rowsDone, rowsTotal });
        await nextTurn();
      }
    }
    const files = sink !== null ? sink.finish() : [{ path: target, rows: rowsDone }];
    sink = null;
    textWriter?.close();
    textWriter = null;
    return ok({ table: req.table, format: req.format, rows: rowsDone, files });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    return err({
      code: code === 'EACCES' || code === 'EPERM' ? 'permission_denied' : code !== undefined ? 'io_error' : 'internal',
      message: `export of ${req.table} to ${target} failed: ${message}`,
    });
  } finally {
    try {
      sink?.abandon();
      textWriter?.close();
    } catch {
      // Already failing: the first error is the one reported.
    }
  }
}
