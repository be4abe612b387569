/**
 * Streaming pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface
 * Description Block, then an Enhanced Packet Block per packet, buffered and written with
 * writeSync so memory stays at one buffer whatever the capture's length. Optionally a ring of
 * files rotated by size: `out.pcapng` → `out_00001.pcapng`, `out_00002.pcapng`, … keeping the
 * newest `ringFiles`. Every file is a complete capture on its own (SHB + IDB at its start).
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { err, ok, type Result } from '../../src-shared/result.js';
import type { RawBatch } from '../ingest/raw-batch.js';

/** Timestamp resolution of the recording (if_tsresol 6 or 9). */
export type TimestampResolution = 'us' | 'ns';

/** What the writer records and where. */
export interface PcapngWriterOptions {
  readonly path: string;
  readonly linkType: number;
  readonly snaplen: number;
  readonly tsResolution: TimestampResolution;
  readonly interfaceName?: string;
  /** The capture filter, stored as if_filter (libpcap string). */
  readonly filter?: string;
  /** Start a new file before one would pass this many bytes; null: one file. */
  readonly ringBytes?: number | null;
  /** Keep at most this many ring files (older ones are deleted); null: keep all. */
  readonly ringFiles?: number | null;
  /** shb_userappl text. */
  readonly application?: string;
}

/** Totals of a recording. */
export interface PcapngRecording {
  /** Files written, oldest first (those a ring deleted are not listed). */
  readonly files: readonly string[];
  readonly packets: number;
  /** Bytes written over all files, deleted ring files included. */
  readonly bytes: number;
}

const BUFFER_BYTES = 1 << 20;
const SHB_TYPE = 0x0a0d0d0a;
const IDB_TYPE = 0x00000001;
const EPB_TYPE = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** EPB fixed part: type, length, interface, ts high, ts low, caplen, origlen + trailing length. */
const EPB_OVERHEAD = 32;
const TWO_32 = 4294967296;

/** Writes packets to a pcapng file (or ring of files); not thread-safe, one writer per capture. */
export class PcapngWriter {
  private readonly buf = new Uint8Array(BUFFER_BYTES);
  private readonly view = new DataView(this.buf.buffer);
  private used = 0;
  private fd = -1;
  private fileBytes = 0;
  private fileIndex = 0;
  private readonly live: string[] = [];
  private packets = 0;
  private bytes = 0;
  private failure: string | null = null;

  private constructor(private readonly o: PcapngWriterOptions) {}

  /** Creates (truncates) the first file and writes its headers. */
  static open(options: PcapngWriterOptions): Result<PcapngWriter> {
    if (options.ringBytes != null && options.ringBytes < 4096) {
      return err({ code: 'invalid_argument', message: `ring size: must be at least 4096 bytes, got ${options.ringBytes}` });
    }
    const w = new PcapngWriter(options);
    const opened = w.openNext();
    return opened.ok ? ok(w) : opened;
  }

  /** Appends every record of the batch. Returns false once a write failed (see close()). */
  writeBatch(raw: RawBatch): boolean {
    if (this.failure !== null || this.fd < 0) return false;
    const ns = this.o.tsResolution === 'ns';
    const ring = this.o.ringBytes ?? null;
    for (let i = 0; i < raw.count; i++) {
      const caplen = raw.caplen[i]!;
      const padded = (caplen + 3) & ~3;
      const size = EPB_OVERHEAD + padded;
      if (ring !== null && this.packetsInFile > 0 && this.fileBytes + this.used + size > ring) {
        if (!this.rotate()) return false;
      }
      if (this.used + size > this.buf.length && !this.flush()) return false;
      this.putEpb(raw, i, caplen, padded, size, ns);
      this.packetsInFile++;
    }
    return true;
  }

  private packetsInFile = 0;

  /** Enhanced Packet Block (pcapng draft §4.3), timestamp in if_tsresol units split high/low. */
  private putEpb(raw: RawBatch, i: number, caplen: number, padded: number, size: number, ns: boolean): void {
    const v = this.view;
    let p = this.used;
    v.setUint32(p, EPB_TYPE, true);
    v.setUint32(p + 4, size, true);
    v.setUint32(p + 8, 0, true);
    const sec = raw.tsSec[i]!;
    const nsec = raw.tsNsec[i]!;
    let high: number;
    let low: number;
    if (ns) {
      // sec * 1e9 + nsec passes 2^53: split sec so every partial product stays exact.
      const secHi = Math.floor(sec / 65536);
      const a = secHi * 1e9;
      const aHi = Math.floor(a / 65536);
      const c = (a - aHi * 65536) * 65536 + (sec - secHi * 65536) * 1e9 + nsec;
      const carry = Math.floor(c / TWO_32);
      high = aHi + carry;
      low = c - carry * TWO_32;
    } else {
      const units = sec * 1e6 + Math.floor(nsec / 1000);
      high = Math.floor(units / TWO_32);
      low = units - high * TWO_32;
    }
    v.setUint32(p + 12, high, true);
    v.setUint32(p + 16, low, true);
    v.setUint32(p + 20, caplen, true);
    v.setUint32(p + 24, raw.wirelen[i]!, true);
    p += 28;
    const off = raw.offset[i]!;
    this.buf.set(raw.data.subarray(off, off + caplen), p);
    for (let k = caplen; k < padded; k++) this.buf[p + k] = 0;
    p += padded;
    v.setUint32(p, size, true);
    this.used = p + 4;
    this.packets++;
  }

  /** Flushes and closes the current file; the recording's files and totals. */
  close(): Result<PcapngRecording> {
    if (this.fd >= 0) {
      this.flush();
      try { closeSync(this.fd); } catch { /* the data was written; a close error loses nothing */ }
      this.fd = -1;
    }
    if (this.failure !== null) return err({ code: 'io_error', message: this.failure });
    return ok(this.recording());
  }

  /** Files and totals so far (for the status line). */
  recording(): PcapngRecording {
    return { files: [...this.live], packets: this.packets, bytes: this.bytes + this.used };
  }

  /** Writes the buffer to the current file. */
  flush(): boolean {
    if (this.used === 0 || this.fd < 0) return this.failure === null;
    try {
      let done = 0;
      while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    } catch (e) {
      this.failure = `${this.currentPath()}: write failed after ${this.fileBytes} bytes: ${(e as Error).message}`;
      this.used = 0;
      return false;
    }
    this.fileBytes += this.used;
    this.bytes += this.used;
    this.used = 0;
    return true;
  }

  private rotate(): boolean {
    if (!this.flush()) return false;
    try { closeSync(this.fd); } catch { /* written already */ }
    this.fd = -1;
    const opened = this.openNext();
    if (!opened.ok) {
      this.failure = opened.error.message;
      return false;
    }
    return true;
  }

  private currentPath(): string {
    return this.live[this.live.length - 1] ?? this.o.path;
  }

  private openNext(): Result<null> {
    this.fileIndex++;
    const path = this.o.ringBytes == null ? this.o.path : ringPath(this.o.path, this.fileIndex);
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      return err({ code: 'io_error', message: `${path}: cannot create the recording: ${(e as Error).message}` });
    }
    this.live.push(path);
    const keep = this.o.ringFiles ?? null;
    while (keep !== null && this.live.length > keep) {
      const old = this.live.shift()!;
      try { unlinkSync(old); } catch { /* already gone */ }
    }
    this.fileBytes = 0;
    this.packetsInFile = 0;
    this.putHeaders();
    return this.flush() ? ok(null) : err({ code: 'io_error', message: this.failure ?? `${path}: write failed` });
  }

  /** Section Header Block (§4.1) with shb_userappl, then the Interface Description Block (§4.2). */
  private putHeaders(): void {
    const appl = utf8(this.o.application ?? 'flowbench');
    let p = this.used;
    const shbLen = 24 + optionSize(appl.length) + 4 + 4;
    const shbStart = p;
    const v = this.view;
    v.setUint32(p, SHB_TYPE, true);
    v.setUint32(p + 4, shbLen, true);
    v.setUint32(p + 8, BYTE_ORDER_MAGIC, true);
    v.setUint16(p + 12, 1, true);
    v.setUint16(p + 14, 0, true);
    // Section length unknown while streaming: -1 (§4.1).
    v.setUint32(p + 16, 0xffffffff, true);
    v.setUint32(p + 20, 0xffffffff, true);
    p = this.putOption(p + 24, 4, appl);
    p = this.putOption(p, 0, new Uint8Array(0));
    v.setUint32(p, shbLen, true);
    p += 4;
    if (p - shbStart !== shbLen) throw new Error(`SHB length ${p - shbStart} != ${shbLen}`);

    const name = utf8(this.o.interfaceName ?? '');
    const filter = this.o.filter ?? '';
    const filterBytes = filter === '' ? null : concat(new Uint8Array([0]), utf8(filter));
    const idbLen = 16 + (name.length > 0 ? optionSize(name.length) : 0) +
      (filterBytes !== null ? optionSize(filterBytes.length) : 0) + optionSize(1) + 4 + 4;
    const start = p;
    v.setUint32(p, IDB_TYPE, true);
    v.setUint32(p + 4, idbLen, true);
    v.setUint16(p + 8, this.o.linkType, true);
    v.setUint16(p + 10, 0, true);
    v.setUint32(p + 12, this.o.snaplen, true);
    p += 16;
    if (name.length > 0) p = this.putOption(p, 2, name);
    if (filterBytes !== null) p = this.putOption(p, 11, filterBytes);
    p = this.putOption(p, 9, new Uint8Array([this.o.tsResolution === 'ns' ? 9 : 6]));
    p = this.putOption(p, 0, new Uint8Array(0));
    v.setUint32(p, idbLen, true);
    p += 4;
    if (p - start !== idbLen) throw new Error(`IDB length ${p - start} != ${idbLen}`);
    this.used = p;
  }

  /** One option (§3.5): code, length, value padded to 32 bits. */
  private putOption(p: number, code: number, value: Uint8Array): number {
    this.view.setUint16(p, code, true);
    this.view.setUint16(p + 2, value.length, true);
    this.buf.set(value, p + 4);
    const padded = (value.length + 3) & ~3;
    for (let k = value.length; k < padded; k++) this.buf[p + 4 + k] = 0;
    return p + 4 + padded;
  }
}

/** `dir/out.pcapng`, 3 → `dir/out_00003.pcapng`. */
export function ringPath(path: string, index: number): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  const n = String(index).padStart(5, '0');
  return dot > slash + 1 ? `${path.slice(0, dot)}_${n}${path.slice(dot)}` : `${path}_${n}`;
}

function optionSize(valueLength: number): number {
  return 4 + ((valueLength + 3) & ~3);
}

function utf8(s: string): Uint8Array {
  // Option lengths are 16-bit: clip very long text rather than write a corrupt block.
  const b = new TextEncoder().encode(s);
  return b.length > 60000 ? b.subarray(0, 60000) : b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
