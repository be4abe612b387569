/** Identity of a file for reuse: absolute path, size, mtime and sha256 of its first MiB. */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import type { FileIdentity } from './sources-repo.js';

/** Bytes hashed from the start of the file. */
export const HEAD_HASH_BYTES = 1 << 20;

/** Reads size and mtime and hashes the first MiB (one read, bounded memory). */
export function readFileIdentity(path: string): Result<FileIdentity> {
  const file = resolve(path);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const c = code === 'ENOENT' ? 'not_found' : code === 'EACCES' || code === 'EPERM' ? 'permission_denied' : 'io_error';
    return err({ code: c, message: `${file}: ${(e as Error).message}` });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return err({ code: 'invalid_argument', message: `${file}: not a regular file` });
    const buf = Buffer.allocUnsafe(Math.min(HEAD_HASH_BYTES, st.size));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const headSha256 = createHash('sha256').update(buf.subarray(0, got)).digest('hex');
    return ok({ path: file, size: st.size, mtimeMs: st.mtimeMs, headSha256 });
  } catch (e) {
    return err({ code: 'io_error', message: `${file}: ${(e as Error).message}` });
  } finally {
    closeSync(fd);
  }
}
