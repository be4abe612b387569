import { readSync } from 'node:fs';

/** Default read size: large enough to amortise syscalls, small enough to stay cache-friendly. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * Largest captured length a record may claim (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD).
 * A header claiming more is treated as corruption and never allocated. BIG TCP frames
 * (80 kB in the corpus) are well below it.
 */
export const MAX_PACKET_BYTES = 262144;

/**
 * Largest record or block a reader makes contiguous in memory (a packet at MAX_PACKET_BYTES
 * plus its headers and options fits easily). Bigger pcapng blocks that carry no packet are
 * skipped by seeking; bigger packet blocks are faults. This caps the window's growth.
 */
export const MAX_RECORD_SPAN = 1024 * 1024;

/**
 * A sequential window over a file, read with fs.readSync into one reused buffer.
 *
 * Invariant: buf[pos .. end) holds the file bytes [base + pos, base + end). Bytes before `pos`
 * are consumed; `refill`/`require` may move the unconsumed tail to the front, so any offset into
 * `buf` taken before such a call is stale afterwards. Readers therefore call them only while no
 * record of the batch being built points into `buf` (records never straddle a batch).
 */
export class ChunkSource {
  /** The window; replaced when it grows or when a consumer transferred (detached) it. */
  buf: Uint8Array;
  /** A DataView over `buf` (V8 compiles its getters to single loads, unlike byte shifts). */
  view: DataView;
  /** First unconsumed byte in `buf`. */
  pos = 0;
  /** One past the last valid byte in `buf`. */
  end = 0;
  /** File offset of buf[0]. */
  base: number;
  /** Whether a read returned 0 bytes: nothing lies beyond `end` (at the time of that read). */
  eof = false;
  private readonly fd: number;
  private readonly chunkSize: number;
  private readonly maxBuffer: number;

  /**
   * @param chunkSize bytes read per refill: the buffer's normal size. It grows beyond that
   *   only to hold one record or block, and never past MAX_RECORD_SPAN.
   */
  constructor(fd: number, chunkSize = DEFAULT_CHUNK_SIZE, startOffset = 0) {
    this.fd = fd;
    this.chunkSize = Math.max(1, Math.floor(chunkSize));
    this.maxBuffer = Math.max(this.chunkSize, MAX_RECORD_SPAN);
    this.buf = new Uint8Array(this.chunkSize);
    this.view = new DataView(this.buf.buffer);
    this.base = startOffset;
  }

  /** File offset of the next unconsumed byte (bytes consumed so far, from the file start). */
  offset(): number {
    return this.base + this.pos;
  }

  /** Unconsumed bytes currently in the window. */
  available(): number {
    return this.end - this.pos;
  }

  /**
   * Tops the window up when less than half of it is left (called at the start of a batch), so
   * batches are long while the copied tail stays at most half a chunk per chunk read.
   */
  refill(): void {
    if (this.buf.byteLength === 0) this.recoverDetached();
    if (this.eof || this.end - this.pos >= this.buf.length >>> 1) return;
    this.compactAndRead();
  }

  /**
   * Makes at least `need` unconsumed bytes contiguous in the window, growing the buffer up to
   * its cap if needed. Returns the bytes available, fewer than `need` only at end of file (or
   * when `need` exceeds the cap, which callers prevent by checking lengths first).
   */
  require(need: number): number {
    if (this.buf.byteLength === 0) this.recoverDetached();
    if (this.end - this.pos >= need) return this.end - this.pos;
    if (need > this.buf.length && this.buf.length < this.maxBuffer) {
      const size = Math.min(this.maxBuffer, Math.max(need, this.buf.length * 2));
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(this.pos, this.end));
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.eof = false; // a file being appended to may have grown since the last short read
    this.compactAndRead();
    return this.end - this.pos;
  }

  /** Consumes `n` bytes, seeking past the window when they are not all buffered. */
  skip(n: number): void {
    if (this.pos + n <= this.end) {
      this.pos += n;
      return;
    }
    this.base += this.pos + n;
    this.pos = 0;
    this.end = 0;
    this.eof = false;
  }

  /**
   * Reads up to `into.length` bytes at an absolute file offset without moving the window
   * (pread); returns how many were read (fewer at end of file).
   */
  readAt(fileOffset: number, into: Uint8Array): number {
    let got = 0;
    while (got < into.length) {
      const n = readSync(this.fd, into, got, into.length - got, fileOffset + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  private compactAndRead(): void {
    const buf = this.buf;
    if (this.pos > 0) {
      buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    while (this.end < buf.length) {
      const n = readSync(this.fd, buf, this.end, buf.length - this.end, this.base + this.end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    }
  }

  /**
   * The consumer transferred `buf` to another thread (RawBatch.data is the window): start a
   * fresh buffer at the first unconsumed file offset and read the tail again.
   */
  private recoverDetached(): void {
    this.base += this.pos;
    this.pos = 0;
    this.end = 0;
    this.eof = false;
    this.buf = new Uint8Array(this.chunkSize);
    this.view = new DataView(this.buf.buffer);
  }
}

/** Unsigned 32-bit integer at b[p..p+4), little- or big-endian. */
export function readU32(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian
    ? ((b[p + 3]! << 24) | (b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!) >>> 0
    : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** Unsigned 16-bit integer at b[p..p+2), little- or big-endian. */
export function readU16(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian ? (b[p + 1]! << 8) | b[p]! : (b[p]! << 8) | b[p + 1]!;
}

/** A thrown file-system error as a short phrase ("EIO: i/o error, read"). */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
