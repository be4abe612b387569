/**
 * Browser upload of a capture to `flowbench serve` (POST /api/upload?name=…), with progress
 * from XHR upload events. The server answers `{ jobId }` and the ingest reports as a job.
 */
import type { AppError } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { pageToken } from './client.js';

/** Uploads one file; `onProgress(loaded, total)` fires as bytes leave. */
export function uploadCapture(file: File, onProgress: (loaded: number, total: number) => void): Promise<Result<{ jobId: string }>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    const token = pageToken();
    if (token !== null) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
    xhr.onerror = () => resolve({ ok: false, error: { code: 'io_error', message: `Uploading ${file.name} failed: the server could not be reached.` } });
    xhr.onload = () => resolve(parseAnswer(file.name, xhr.status, xhr.responseText));
    xhr.send(file);
  });
}

function parseAnswer(name: string, status: number, text: string): Result<{ jobId: string }> {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (status >= 200 && status < 300 && isObject(body) && typeof body['jobId'] === 'string') {
    return { ok: true, value: { jobId: body['jobId'] } };
  }
  const error = isObject(body) && isObject(body['error']) ? (body['error'] as unknown as AppError) : null;
  const message = error !== null && typeof error.message === 'string'
    ? error.message
    : isObject(body) && typeof body['message'] === 'string'
      ? body['message']
      : `Uploading ${name} failed (HTTP ${status}).`;
  return { ok: false, error: { code: error?.code ?? 'io_error', message } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
