import { closeSync, fstatSync, openSync } from 'node:fs';
import { err, type AppError, type ErrorCode, type Result } from '../../src-shared/result.js';
import type { CaptureReader } from './capture-reader.js';
import { ChunkSource, DEFAULT_CHUNK_SIZE, readU32 } from './chunk-source.js';
import { openPcap, sniffPcapMagic } from './pcap-reader.js';
import { openPcapng } from './pcapng-reader.js';

/** Options of {@link openCapture}. */
export interface OpenCaptureOptions {
  /** Bytes per read (default 4 MiB); tests use tiny values to exercise chunk boundaries. */
  readonly chunkSize?: number;
}

/** pcapng Section Header Block type (draft-ietf-opsawg-pcapng §4.1), the file's first 4 bytes. */
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** Maps a Node file-system error to our error code. */
export function fsErrorCode(code: string | undefined): ErrorCode {
  switch (code ?? '') {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'not_found';
    case 'EACCES':
    case 'EPERM':
      return 'permission_denied';
    case 'EISDIR':
      return 'not_a_capture';
    default:
      return 'io_error';
  }
}

function fsError(path: string, e: unknown): AppError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const mapped = fsErrorCode(code);
  const reason = mapped === 'not_found' ? 'no such file'
    : mapped === 'permission_denied' ? 'permission denied (not readable by this user)'
    : mapped === 'not_a_capture' ? 'is a directory, not a capture file'
    : `cannot read (${code ?? String(e)})`;
  return { code: mapped, message: `${path}: ${reason}` };
}

/**
 * Opens a capture file and picks its reader from the magic number, never the file name:
 * pcap (µs or ns, either byte order) or pcapng. The reader owns the descriptor; call close().
 */
export function openCapture(path: string, options: OpenCaptureOptions = {}): Result<CaptureReader> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return err(fsError(path, e));
  }
  const result = openOnDescriptor(path, fd, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  if (!result.ok) closeSync(fd);
  return result;
}

function openOnDescriptor(path: string, fd: number, chunkSize: number): Result<CaptureReader> {
  let fileSize: number;
  let src: ChunkSource;
  let got: number;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return err(fsError(path, { code: 'EISDIR' }));
    fileSize = st.size;
    src = new ChunkSource(fd, chunkSize);
    got = src.require(4);
  } catch (e) {
    return err(fsError(path, e));
  }
  if (got === 0) return err({ code: 'not_a_capture', message: `${path}: empty file (0 bytes), not a capture` });
  if (got < 4) {
    return err({ code: 'not_a_capture', message: `${path}: only ${got} bytes, too short for a capture file magic` });
  }
  const head = src.buf.subarray(src.pos, src.pos + 4);
  try {
    if (sniffPcapMagic(head) !== null) return openPcap(path, fd, fileSize, src);
    if (readU32(head, 0, false) === PCAPNG_MAGIC) return openPcapng(path, fd, fileSize, src);
  } catch (e) {
    return err(fsError(path, e));
  }
  const magic = readU32(head, 0, false).toString(16).padStart(8, '0');
  return err({
    code: 'not_a_capture',
    message: `${path}: unknown magic 0x${magic} at offset 0 (neither pcap nor pcapng)`,
  });
}
