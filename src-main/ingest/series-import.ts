/**
 * Imports a metric series as a source with windows: JSONL with one window per line (`t` or
 * `timestamp` plus metric fields, as a tshark-based extractor writes `training_metrics.jsonl`)
 * or CSV with a header row `timestamp,value[,…]` (NAB's format). Streams the file with a bounded
 * line length; the first bad line stops the import, keeps every row before it and names the
 * file, line and field.
 *
 * Field mapping: a name equal to a `windows` column (bytes_per_second, packets, plen_40_79, …)
 * fills that column; any other numeric field becomes an extra named series (`window_values`),
 * e.g. NAB's `value`. Timestamps are epoch numbers (s, ms, µs or ns by magnitude) or ISO-8601
 * dates; a date without a zone is UTC. The series step (its one stored resolution) is the
 * smallest positive gap among the first rows, in whole seconds, unless given.
 */
import type Database from 'better-sqlite3';
import { basename, extname } from 'node:path';
import { err, ok } from '../../src-shared/result.js';
import type { AppError, Result } from '../../src-shared/result.js';
import { readFileIdentity } from '../store/file-identity.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { WINDOW_VALUE_COLUMNS } from '../store/window-columns.js';
import { WindowsRepo } from '../store/windows-repo.js';
import { detectStep, finite, LineError, parseCsvHeader, parseNumber, parseTimestamp, readLines, splitCsv } from './series-parse.js';
import type { ParsedRow } from './series-parse.js';

/** Version tag of this importer, stored as the source's analyzer (reuse needs it equal). */
export const SERIES_IMPORTER = 'series-import/1';

/**
 * True for a metric-series file (CSV, JSONL/NDJSON) rather than a capture. Series have no magic
 * number, so the extension decides; captures are always detected by their magic.
 */
export function isSeriesFile(path: string): boolean {
  return /\.(csv|jsonl|ndjson)$/i.test(path);
}

/** Rows read before the step is detected and writing starts. */
const DETECT_ROWS = 256;

/** How to import. */
export interface SeriesImportOptions {
  /** Default: from the extension (.csv, else JSONL for .jsonl/.ndjson/.json), else sniffed. */
  readonly format?: 'csv' | 'jsonl';
  readonly displayName?: string;
  /** Series step in whole seconds; default detected. */
  readonly step?: number;
  readonly signal?: AbortSignal;
  readonly batchRows?: number;
  readonly onProgress?: (p: { readonly rows: number; readonly bytes: number; readonly totalBytes: number }) => void;
  /** Import again even if a complete source of this exact file exists. */
  readonly force?: boolean;
}

/** What an import did. */
export interface SeriesImportOutcome {
  readonly sourceId: number;
  /** True when a complete source of the same file was found and nothing was read. */
  readonly reused: boolean;
  /** Data rows read (header and blank lines not counted). */
  readonly rows: number;
  /** Windows stored: rows minus duplicates. */
  readonly windows: number;
  /** Smallest and largest timestamp, epoch seconds. */
  readonly firstTimestamp: number | null;
  readonly lastTimestamp: number | null;
  readonly step: number;
  /** `windows` columns the file filled. */
  readonly columns: readonly string[];
  /** Extra named series (window_values). */
  readonly extraNames: readonly string[];
  /** JSONL fields skipped because they are not numbers (e.g. a text label). */
  readonly ignoredFields: readonly string[];
  /** Rows whose timestamp is not after the previous row's. */
  readonly outOfOrder: number;
  /** Rows that replaced an earlier row with the same timestamp. */
  readonly duplicates: number;
}

/** An import error: where it happened, and the source that keeps the rows before it. */
export interface SeriesImportError extends AppError {
  readonly sourceId: number | null;
  readonly line: number | null;
  readonly field: string | null;
}


const KNOWN_INDEX = new Map(WINDOW_VALUE_COLUMNS.map((c, i) => [c, i]));
const TIME_FIELDS = ['t', 'timestamp'];

/** Imports a JSONL or CSV series file into the workspace as a `series` source. */
export async function importSeries(
  db: Database.Database,
  path: string,
  options: SeriesImportOptions = {},
): Promise<Result<SeriesImportOutcome, SeriesImportError>> {
  const identity = readFileIdentity(path);
  if (!identity.ok) return err({ ...identity.error, sourceId: null, line: null, field: null });
  const id = identity.value;
  const sources = new SourcesRepo(db);
  if (options.force !== true) {
    const done = sources.findReusable(id.path, id.size, id.mtimeMs, id.headSha256, SERIES_IMPORTER);
    if (done !== undefined) return ok(reusedOutcome(db, done.id, done.seriesStep ?? 1));
  }
  const format = options.format ?? guessFormat(id.path);
  const state = new ImportState(db, sources, id, format, options);
  try {
    for await (const line of readLines(id.path, options.signal, (bytes) => state.progress(bytes, id.size))) {
      if (options.signal?.aborted === true) throw new LineError(line.number, null, 'cancelled');
      state.line(line.number, line.text);
    }
    state.end();
  } catch (e) {
    return err(state.fail(e));
  }
  return ok(state.outcome());
}

/** The import's progress through the file: header, detection buffer, then batched writes. */
class ImportState {
  private format: 'csv' | 'jsonl' | undefined;
  private header: { time: number; targets: (number | string | null)[] } | null = null;
  private readonly buffer: ParsedRow[] = [];
  private sourceId: number | null = null;
  private step = 1;
  private writeRow: ((t: number, v: readonly (number | null)[]) => void) | null = null;
  private writeValue: ((name: string, t: number, v: number | null) => void) | null = null;
  private readonly windows: WindowsRepo;
  private readonly columnsSeen = new Set<string>();
  private readonly extrasSeen = new Set<string>();
  private readonly ignored = new Set<string>();
  private rows = 0;
  private pending = 0;
  private first: number | null = null;
  private last: number | null = null;
  private prevT = -Infinity;
  private outOfOrder = 0;
  private duplicates = 0;
  private packets = 0;
  private bytes = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly sources: SourcesRepo,
    private readonly id: { path: string; size: number; mtimeMs: number; headSha256: string },
    format: 'csv' | 'jsonl' | undefined,
    private readonly options: SeriesImportOptions,
  ) {
    this.format = format;
    this.windows = new WindowsRepo(db);
  }

  progress(bytes: number, total: number): void {
    this.options.onProgress?.({ rows: this.rows + this.buffer.length, bytes, totalBytes: total });
  }

  line(n: number, text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.format ??= trimmed.startsWith('{') ? 'jsonl' : 'csv';
    if (this.format === 'csv' && this.header === null) {
      this.header = parseCsvHeader(n, trimmed);
      return;
    }
    const row = this.format === 'csv' ? this.csvRow(n, trimmed) : this.jsonRow(n, trimmed);
    if (this.writeRow === null) {
      this.buffer.push(row);
      if (this.buffer.length >= DETECT_ROWS) this.startWriting();
    } else {
      this.write(row);
    }
  }

  end(): void {
    if (this.format === 'csv' && this.header === null) {
      throw new LineError(1, null, 'empty file: expected a header row such as "timestamp,value"');
    }
    if (this.writeRow === null) this.startWriting();
    this.commit();
    if (this.sourceId !== null) this.sources.complete(this.sourceId, this.totals());
  }

  /** Keeps the rows read before the fault (source `partial`) and builds the error value. */
  fail(e: unknown): SeriesImportError {
    const le = e instanceof LineError ? e : null;
    const where = le === null ? this.id.path : `${this.id.path}:${le.line}`;
    const message = `${where}: ${le?.message ?? (e as Error).message ?? String(e)}`;
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      if (this.writeRow === null && this.buffer.length > 0) this.startWriting();
      this.commit();
      if (this.sourceId !== null) this.sources.finish(this.sourceId, 'partial', message, this.totals());
    } catch {
      // The original fault is the one to report.
    }
    return {
      code: le === null ? 'io_error' : le.message === 'cancelled' ? 'cancelled' : 'corrupt',
      message,
      sourceId: this.sourceId,
      line: le?.line ?? null,
      field: le?.field ?? null,
    };
  }

  outcome(): SeriesImportOutcome {
    if (this.sourceId === null) {
      // A header-only file still becomes a (empty, complete) source, so re-opening it is instant.
      this.createSource();
      this.sources.complete(this.sourceId ?? 0, this.totals());
    }
    return {
      sourceId: this.sourceId ?? 0,
      reused: false,
      rows: this.rows,
      windows: this.rows - this.duplicates,
      firstTimestamp: this.first,
      lastTimestamp: this.last,
      step: this.step,
      columns: [...this.columnsSeen],
      extraNames: [...this.extrasSeen],
      ignoredFields: [...this.ignored],
      outOfOrder: this.outOfOrder,
      duplicates: this.duplicates,
    };
  }

  private csvRow(n: number, text: string): ParsedRow {
    const h = this.header;
    if (h === null) throw new LineError(n, null, 'no header row');
    const cells = splitCsv(text);
    if (cells.length !== h.targets.length) {
      throw new LineError(n, null, `expected ${h.targets.length} fields as in the header, found ${cells.length}`);
    }
    const known = new Array<number | null>(WINDOW_VALUE_COLUMNS.length).fill(null);
    const extras: [string, number | null][] = [];
    let t = NaN;
    cells.forEach((cell, i) => {
      const target = h.targets[i];
      if (i === h.time) t = parseTimestamp(n, target as string, cell);
      else if (typeof target === 'number') known[target] = parseNumber(n, WINDOW_VALUE_COLUMNS[target] ?? '', cell);
      else if (typeof target === 'string') extras.push([target, parseNumber(n, target, cell)]);
    });
    return { t, known, extras };
  }

  private jsonRow(n: number, text: string): ParsedRow {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new LineError(n, null, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new LineError(n, null, 'not a JSON object');
    const rec = obj as Record<string, unknown>;
    const timeField = TIME_FIELDS.find((f) => rec[f] !== undefined && rec[f] !== null);
    if (timeField === undefined) throw new LineError(n, 't', 'no "t" or "timestamp" field');
    const tv = rec[timeField];
    const t = parseTimestamp(n, timeField, typeof tv === 'number' ? String(tv) : typeof tv === 'string' ? tv : '?');
    const known = new Array<number | null>(WINDOW_VALUE_COLUMNS.length).fill(null);
    const extras: [string, number | null][] = [];
    for (const [k, v] of Object.entries(rec)) {
      if (k === timeField) continue;
      const ki = KNOWN_INDEX.get(k);
      if (ki !== undefined) {
        if (v === null || typeof v === 'number') known[ki] = v === null ? null : finite(n, k, v);
        else if (typeof v === 'string') known[ki] = parseNumber(n, k, v);
        else throw new LineError(n, k, `field "${k}": expected a number, found ${JSON.stringify(v)}`);
      } else if (typeof v === 'number') {
        extras.push([k, finite(n, k, v)]);
      } else if (v === null) {
        extras.push([k, null]);
      } else if (!TIME_FIELDS.includes(k)) {
        this.ignored.add(k);
      }
    }
    return { t, known, extras };
  }

  private startWriting(): void {
    this.step = this.options.step ?? detectStep(this.buffer);
    if (this.buffer.length === 0) return;
    this.createSource();
    for (const r of this.buffer) this.write(r);
    this.buffer.length = 0;
  }

  private createSource(): void {
    if (this.sourceId !== null) return;
    const prior = this.sources.findResumable(this.id.path, this.id.size, this.id.mtimeMs, this.id.headSha256, SERIES_IMPORTER);
    if (prior !== undefined) {
      this.sources.restart(prior.id, { analyzer: SERIES_IMPORTER, format: this.format ?? null });
      this.sourceId = prior.id;
    } else {
      this.sourceId = this.sources.create({
        kind: 'series',
        path: this.id.path,
        displayName: this.options.displayName ?? basename(this.id.path),
        size: this.id.size,
        mtimeMs: this.id.mtimeMs,
        headSha256: this.id.headSha256,
        analyzer: SERIES_IMPORTER,
        format: this.format ?? null,
        seriesStep: this.step,
      });
    }
    this.db.prepare('UPDATE sources SET series_step = ? WHERE id = ?').run(this.step, this.sourceId);
    this.writeRow = this.windows.seriesWriter(this.sourceId, this.step, WINDOW_VALUE_COLUMNS);
    this.writeValue = this.windows.valuesWriter(this.sourceId, this.step);
  }

  private write(r: ParsedRow): void {
    const sid = this.sourceId;
    const writeRow = this.writeRow;
    const writeValue = this.writeValue;
    if (sid === null || writeRow === null || writeValue === null) return;
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    deriveRates(r.known, this.step);
    if (r.t <= this.prevT) {
      this.outOfOrder++;
      if (this.windows.has(sid, this.step, r.t)) this.duplicates++;
    }
    this.prevT = Math.max(this.prevT, r.t);
    writeRow(r.t, r.known);
    for (const [name, v] of r.extras) {
      writeValue(name, r.t, v);
      this.extrasSeen.add(name);
    }
    r.known.forEach((v, i) => {
      if (v !== null) this.columnsSeen.add(WINDOW_VALUE_COLUMNS[i] ?? '');
    });
    this.packets += r.known[KNOWN_INDEX.get('packets') ?? 0] ?? 0;
    this.bytes += r.known[KNOWN_INDEX.get('bytes') ?? 0] ?? 0;
    this.first = this.first === null ? r.t : Math.min(this.first, r.t);
    this.last = this.last === null ? r.t : Math.max(this.last, r.t);
    this.rows++;
    if (++this.pending >= (this.options.batchRows ?? 5000)) this.commit();
  }

  private commit(): void {
    if (this.sourceId === null) return;
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    this.sources.updateProgress(this.sourceId, this.totals());
    this.db.exec('COMMIT');
    this.pending = 0;
  }

  private totals() {
    return {
      packets: this.packets,
      bytes: this.bytes,
      capturedBytes: 0,
      firstTimestamp: this.first === null ? null : this.first.toFixed(9),
      lastTimestamp: this.last === null ? null : this.last.toFixed(9),
      seriesStep: this.step,
      format: this.format ?? null,
    };
  }
}

const col = (name: string): number => KNOWN_INDEX.get(name) ?? -1;
const I_PACKETS = col('packets');
const I_BYTES = col('bytes');
const I_PPS = col('packets_per_second');
const I_BPS = col('bytes_per_second');
const I_AVG = col('avg_packet_size');

/** Fills rates a file left out but whose counts it gave (DESIGN.md definitions); never the reverse. */
function deriveRates(k: (number | null)[], step: number): void {
  const packets = k[I_PACKETS] ?? null;
  const bytes = k[I_BYTES] ?? null;
  if (packets !== null && k[I_PPS] === null) k[I_PPS] = packets / step;
  if (bytes !== null && k[I_BPS] === null) k[I_BPS] = bytes / step;
  if (packets !== null && bytes !== null && packets > 0 && k[I_AVG] === null) k[I_AVG] = bytes / packets;
}

function reusedOutcome(db: Database.Database, sourceId: number, step: number): SeriesImportOutcome {
  const w = new WindowsRepo(db);
  const ext = w.extent(sourceId, step);
  const windows = w.count(sourceId, step, -1e300, 1e300);
  return {
    sourceId,
    reused: true,
    rows: windows,
    windows,
    firstTimestamp: ext?.first ?? null,
    lastTimestamp: ext?.last ?? null,
    step,
    columns: [],
    extraNames: w.valueNames(sourceId),
    ignoredFields: [],
    outOfOrder: 0,
    duplicates: 0,
  };
}

function guessFormat(path: string): 'csv' | 'jsonl' | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return undefined;
}

