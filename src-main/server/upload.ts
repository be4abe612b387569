/**
 * `POST /api/upload?name=FILE`: streams the body to `<workspace dir>/uploads/<unique>/<safe name>`
 * within a size limit, then opens it as a source; answers `{ jobId }`. The unique folder keeps
 * the file's own name, so the source is listed under the name the analyst chose.
 * `?purpose=labels` keeps the file without opening it and answers `{ path }`, for
 * `labels.import` (a labelled-flow CSV uploaded from a browser).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Workbench } from '../workbench/workbench.js';
import { sendText } from './static-files.js';

/** Default upload limit: 64 GiB. */
export const DEFAULT_UPLOAD_LIMIT = 64 * 1024 ** 3;

/** A file name safe on every file system, keeping a recognisable stem and the extension. */
export function safeUploadName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'))
    .replace(/[^\w.-]/g, '_')
    .replace(/^\.+/, '')
    .slice(-100);
  return base === '' ? 'upload.pcap' : base;
}

/** A new folder name for one upload: unique, sortable by time. */
function uploadFolderName(): string {
  return `${Date.now()}-${randomBytes(4).toString('hex')}`;
}

/** Handles one upload request. */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, wb: Workbench, limitBytes: number): Promise<void> {
  const sendJson = (status: number, body: unknown): void => sendText(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
  const params = new URL(req.url ?? '/', 'http://x').searchParams;
  const name = params.get('name') ?? '';
  const keepOnly = params.get('purpose') === 'labels';
  if (name === '' || name.length > 1024 || name.includes('\0')) {
    sendJson(400, { error: { code: 'invalid_argument', message: 'name: the query parameter ?name=<file name> is required' } });
    req.resume();
    return;
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    sendJson(413, { error: { code: 'invalid_argument', message: `upload is ${declared} bytes, over the limit of ${limitBytes}` } });
    req.destroy();
    return;
  }
  const dir = join(wb.workspaceDir, 'uploads', uploadFolderName());
  const file = join(dir, safeUploadName(name));
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > limitBytes) cb(new Error(`upload over the limit of ${limitBytes} bytes`));
      else cb(null, chunk);
    },
  });
  try {
    mkdirSync(dir, { recursive: true });
    await pipeline(req, limiter, createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const over = received > limitBytes;
    if (!res.headersSent && !res.destroyed) {
      sendJson(over ? 413 : 400, { error: { code: over ? 'invalid_argument' : 'io_error', message: `upload failed: ${(e as Error).message}` } });
    }
    if (over) req.destroy();
    return;
  }
  if (keepOnly) return sendJson(200, { path: file });
  const opened = await wb.call('sources.open', { path: file });
  if (opened.ok) sendJson(200, opened.value);
  else sendJson(400, { error: opened.error });
}
