/**
 * JSON in and out of the REST API: bodies read within a size limit and parsed, answers and
 * errors written as JSON. An error is always `{ error: { code, message } }` with a message that
 * names the field, never a stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError, ErrorCode } from '../../../src-shared/result.js';

/** Largest JSON body accepted: 1 MiB. */
export const MAX_JSON_BODY = 1024 * 1024;

/** A REST error: HTTP status plus the error value. */
export class RestError extends Error {
  constructor(readonly status: number, readonly code: ErrorCode, message: string) {
    super(message);
  }
}

/** HTTP status for an error value of the workbench. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid_argument': return 400;
    case 'not_found': return 404;
    case 'permission_denied': return 403;
    case 'cancelled': return 409;
    case 'unsupported':
    case 'corrupt':
    case 'truncated':
    case 'not_a_capture':
      return 422;
    case 'io_error':
    case 'internal':
      return 500;
  }
}

/** A RestError from a workbench error value. */
export function fromAppError(e: AppError): RestError {
  return new RestError(statusOf(e.code), e.code, e.message);
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  });
  res.end(text);
}

/** Writes an error answer. */
export function sendError(res: ServerResponse, e: RestError): void {
  sendJson(res, e.status, { error: { code: e.code, message: e.message } });
}

/**
 * Reads and parses a JSON object body. Refuses a body that is not `application/json` (415:
 * also keeps plain HTML forms of other sites out), over `limit` (413), not JSON or not an
 * object (400).
 */
export async function readJsonObject(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Readonly<Record<string, unknown>>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new RestError(415, 'invalid_argument', `body: Content-Type must be application/json, got "${type || 'none'}"`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new RestError(413, 'invalid_argument', `body: ${declared} bytes, over the limit of ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new RestError(413, 'invalid_argument', `body: over the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new RestError(400, 'invalid_argument', `body: not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RestError(400, 'invalid_argument', 'body: must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Refuses fields the endpoint does not know. */
export function onlyFields(o: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new RestError(400, 'invalid_argument', `${k}: unknown field (expected ${known.join(', ')})`);
  }
}

/** A required or optional string field. */
export function stringField(o: Readonly<Record<string, unknown>>, k: string, required: true): string;
export function stringField(o: Readonly<Record<string, unknown>>, k: string, required: false): string | undefined;
export function stringField(o: Readonly<Record<string, unknown>>, k: string, required: boolean): string | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') throw new RestError(400, 'invalid_argument', `${k}: must be a non-empty string, got ${show(v)}`);
  if (v.length > 4096 || v.includes('\0')) throw new RestError(400, 'invalid_argument', `${k}: must be at most 4096 characters without NUL`);
  return v;
}

/** An optional whole number field within [min, max]. */
export function intField(o: Readonly<Record<string, unknown>>, k: string, min: number, max: number): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RestError(400, 'invalid_argument', `${k}: must be a whole number from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

/** An optional enumerated string field. */
export function enumField<T extends string>(o: Readonly<Record<string, unknown>>, k: string, values: readonly T[], required: boolean): T | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new RestError(400, 'invalid_argument', `${k}: must be one of ${values.join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A short rendering of a bad value for a message. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
