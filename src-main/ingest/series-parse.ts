/**
 * The parsing half of the series import: line streaming with a bounded line length, CSV
 * splitting and header mapping, number and timestamp parsing, step detection. Faults are
 * LineErrors that name the line and field.
 */
import { createReadStream } from 'node:fs';
import { WINDOW_VALUE_COLUMNS } from '../store/window-columns.js';

/** Longest accepted line; a longer one is an error, never a giant buffer. */
export const MAX_LINE_BYTES = 1 << 20;

/** A parse fault at a 1-based line, optionally in a named field. */
export class LineError extends Error {
  constructor(
    readonly line: number,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** One parsed row: timestamp, values of the known `windows` columns, extra named values. */
export interface ParsedRow {
  readonly t: number;
  /** Values of the known columns, WINDOW_VALUE_COLUMNS order. */
  readonly known: (number | null)[];
  readonly extras: [string, number | null][];
}

const KNOWN_INDEX = new Map(WINDOW_VALUE_COLUMNS.map((c, i) => [c, i]));
const CSV_TIME_HEADERS = new Set(['t', 'timestamp', 'time']);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MISSING = new Set(['', 'nan', 'null', 'na', 'none']);

/** Maps header names: the time column, windows columns by index, other names as extras. */
export function parseCsvHeader(n: number, text: string): { time: number; targets: (number | string | null)[] } {
  const names = splitCsv(text).map((s) => s.trim());
  const time = names.findIndex((s) => CSV_TIME_HEADERS.has(s.toLowerCase()));
  if (time < 0) {
    throw new LineError(n, null, `no timestamp column in the header "${text.slice(0, 200)}" (expected "timestamp", "t" or "time")`);
  }
  const seen = new Set<string>();
  const targets = names.map((name, i): number | string | null => {
    if (name === '') throw new LineError(n, null, `header column ${i + 1} has no name`);
    if (seen.has(name)) throw new LineError(n, name, `header names "${name}" twice`);
    seen.add(name);
    if (i === time) return name;
    return KNOWN_INDEX.get(name.toLowerCase()) ?? name;
  });
  return { time, targets };
}

/** Splits one CSV line (RFC 4180 quoting within the line; no embedded newlines). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A decimal number, or null for an empty / NaN / null / NA cell; anything else is a LineError. */
export function parseNumber(line: number, field: string, raw: string): number | null {
  const s = raw.trim();
  if (MISSING.has(s.toLowerCase())) return null;
  if (!DECIMAL.test(s)) throw new LineError(line, field, `field "${field}": "${s.slice(0, 40)}" is not a number`);
  return finite(line, field, Number(s));
}

/** `v` if finite, else a LineError naming the field. */
export function finite(line: number, field: string, v: number): number {
  if (!Number.isFinite(v)) throw new LineError(line, field, `field "${field}": ${v} is not a finite number`);
  return v;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch seconds from an epoch number (unit by magnitude: < 1e11 s, < 1e14 ms, < 1e17 µs, else
 * ns) or an ISO-8601 date-time (no zone = UTC).
 */
export function parseTimestamp(line: number, field: string, raw: string): number {
  const s = raw.trim();
  if (DECIMAL.test(s)) {
    const v = Number(s);
    const a = Math.abs(v);
    const shift = a < 1e11 ? 0 : a < 1e14 ? 3 : a < 1e17 ? 6 : 9;
    // An integer count of ms/µs/ns is rescaled by moving the decimal point in the text, which
    // rounds once (v / 1e6 would round twice: 1700000000250000 µs → …0.2499998).
    const seconds = shift > 0 && /^[+-]?\d+$/.test(s) ? Number(`${s.slice(0, -shift)}.${s.slice(-shift)}`) : v / 10 ** shift;
    if (Number.isFinite(seconds)) return seconds;
  }
  const m = ISO.exec(s);
  if (m !== null) {
    const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
    const frac = m[7] === undefined ? 0 : Number(m[7]);
    const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
    const check = new Date(ms);
    const valid =
      check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d && h < 24 && mi < 60 && sec < 60;
    if (valid) return ms / 1000 + frac - zoneOffsetSeconds(m[8]);
  }
  throw new LineError(line, field, `field "${field}": "${s.slice(0, 40)}" is not a timestamp (epoch number or ISO-8601 date)`);
}

function zoneOffsetSeconds(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60);
}

/** Smallest positive gap between consecutive rows, in whole seconds (>= 1). */
export function detectStep(rows: readonly ParsedRow[]): number {
  let best = Infinity;
  for (let i = 1; i < rows.length; i++) {
    const d = (rows[i]?.t ?? 0) - (rows[i - 1]?.t ?? 0);
    if (d > 0 && d < best) best = d;
  }
  return Number.isFinite(best) ? Math.max(1, Math.round(best)) : 1;
}

/**
 * Lines of a file (1-based numbers), streamed in 64 KiB chunks with `onBytes` after each; a
 * line over MAX_LINE_BYTES is an error.
 */
export async function* readLines(
  path: string,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): AsyncGenerator<{ number: number; text: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let parts: Buffer[] = [];
  let partLen = 0;
  let number = 0;
  let consumed = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 16, signal });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, nl));
        partLen += nl - start;
        if (partLen > MAX_LINE_BYTES) throw new LineError(number + 1, null, `line longer than ${MAX_LINE_BYTES} bytes`);
        const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, partLen);
        number++;
        yield { number, text: stripBom(decoder.decode(bytes), number) };
        parts = [];
        partLen = 0;
        start = nl + 1;
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        partLen += chunk.length - start;
        if (partLen > MAX_LINE_BYTES) throw new LineError(number + 1, null, `line longer than ${MAX_LINE_BYTES} bytes`);
      }
      consumed += chunk.length;
      onBytes(consumed);
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw new LineError(number + 1, null, 'cancelled');
    throw e;
  }
  if (partLen > 0) {
    number++;
    yield { number, text: stripBom(decoder.decode(Buffer.concat(parts, partLen)), number) };
  }
  onBytes(consumed);
}

function stripBom(text: string, line: number): string {
  return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
