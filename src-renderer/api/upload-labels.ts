/**
 * Browser upload of a labelled-flow CSV to `flowbench serve` (POST /api/upload?purpose=labels):
 * the server keeps the file without opening it as a capture and answers `{ path }`, which
 * `labels.import` then reads. Inside Electron the file's own path is used instead.
 */
import type { AppError, Result } from '../../src-shared/result.js';
import { pageToken } from './client.js';

/** Uploads one file; resolves with its path on the host. */
export async function uploadLabelFile(file: File): Promise<Result<{ path: string }>> {
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  const token = pageToken();
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`/api/upload?purpose=labels&name=${encodeURIComponent(file.name)}`, { method: 'POST', headers, body: file });
  } catch {
    return { ok: false, error: { code: 'io_error', message: `Uploading ${file.name} failed: the server could not be reached.` } };
  }
  const body = (await res.json().catch(() => null)) as { path?: unknown; error?: AppError } | null;
  if (res.ok && typeof body?.path === 'string') return { ok: true, value: { path: body.path } };
  return { ok: false, error: body?.error ?? { code: 'io_error', message: `Uploading ${file.name} failed (HTTP ${res.status}).` } };
}
