/**
 * Output of `flowbench query`: rows as a JSON array, CSV with a header row (RFC 4180 quoting),
 * or an aligned text table. Column names are data-column names (snake_case).
 */
import { renderTable } from './text-table.js';

/** How rows are printed. */
export type OutputFormat = 'json' | 'csv' | 'table';

/** A cell value as queries return it. */
export type Cell = string | number | boolean | null | undefined | readonly unknown[] | object;

/** Rows with named columns; `columns` fixes the CSV / table column order. */
export interface RowSet {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
}

/** Prints rows in the chosen format (JSON prints the row objects as they are). */
export function formatRows(set: RowSet, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(set.rows, null, 2)}\n`;
  if (format === 'csv') return toCsv(set);
  if (set.rows.length === 0) return '(no rows)\n';
  const numeric = set.columns.map((c) => set.rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  return renderTable(
    set.columns.map((c, i) => ({ title: c, align: numeric[i] === true ? 'right' : 'left' })),
    set.rows.map((r) => set.columns.map((c) => textCell(r[c]))),
    '',
  );
}

/** CSV: header row, then one line per row; null is an empty field. */
export function toCsv(set: RowSet): string {
  const lines = [set.columns.map(csvField).join(',')];
  for (const r of set.rows) lines.push(set.columns.map((c) => csvField(csvCell(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table cell: numbers with at most 6 significant decimals, null as "-". */
function textCell(v: Cell): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    // Epoch times keep their milliseconds; small figures keep six significant digits.
    return Math.abs(v) >= 1e5 ? v.toFixed(3) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
