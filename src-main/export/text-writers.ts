/**
 * CSV (RFC 4180: header row, CRLF line ends, fields with `"`, `,`, CR or LF quoted and `"`
 * doubled; null is an empty field) and JSONL (one JSON object per line, JSON columns nested)
 * writers. Lines are gathered into ~1 MiB strings and written synchronously, so memory stays
 * bounded and a full disk fails the export with the file named.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ExportColumn } from './export-tables.js';
import type { ExportRow } from './row-reader.js';

/** Characters gathered before a write. */
const FLUSH_CHARS = 1 << 20;

/** Writes rows to one file. */
export interface RowFileWriter {
  readonly path: string;
  readonly rows: number;
  write(rows: readonly ExportRow[]): void;
  close(): void;
}

/** One CSV field, quoted when it must be (RFC 4180 §2.6–2.7). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

abstract class BufferedWriter implements RowFileWriter {
  private readonly fd: number;
  private pending = '';
  rows = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  abstract line(row: ExportRow): string;

  protected append(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  write(rows: readonly ExportRow[]): void {
    for (const r of rows) this.append(this.line(r));
    this.rows += rows.length;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.pending !== '') writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

/** A CSV file with a header row. */
export class CsvWriter extends BufferedWriter {
  constructor(path: string, columns: readonly ExportColumn[]) {
    super(path);
    this.append(`${columns.map((c) => csvField(c.name)).join(',')}\r\n`);
  }

  line(row: ExportRow): string {
    let s = '';
    for (let i = 0; i < row.length; i++) s += (i === 0 ? '' : ',') + csvField(row[i]);
    return `${s}\r\n`;
  }
}

/** A JSON Lines file: JSON-typed columns become nested values. */
export class JsonlWriter extends BufferedWriter {
  private readonly names: readonly string[];
  private readonly nested: readonly boolean[];

  constructor(path: string, columns: readonly ExportColumn[]) {
    super(path);
    this.names = columns.map((c) => c.name);
    this.nested = columns.map((c) => c.type === 'json' || c.type === 'early');
  }

  line(row: ExportRow): string {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      o[this.names[i]!] = this.nested[i] === true && typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    }
    return `${JSON.stringify(o)}\n`;
  }
}
