import { closeSync } from 'node:fs';
import type { CaptureFormat, ReadWarning } from '../../src-shared/capture-summary.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import type { CaptureReader } from './capture-reader.js';
import { describeError, MAX_PACKET_BYTES, readU16, readU32, type ChunkSource } from './chunk-source.js';
import type { RawBatch } from './raw-batch.js';

// Classic pcap, draft-ietf-opsawg-pcap: §4 file header (24 bytes), §5 packet record
// (16-byte header + captured bytes). All fields in the writer's byte order, told by the magic.

const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

/** How a record header's two length fields are ordered (libpcap/Wireshark history, see below). */
const LengthOrder = {
  /** incl_len then orig_len, as §5 says. */
  Normal: 0,
  /** Always swapped: version < 2.3 and DG/UX's 543.0 wrote orig_len first. */
  Swapped: 1,
  /** Version 2.3 files exist in both orders: swap when incl_len > orig_len. */
  MaybeSwapped: 2,
} as const;
type LengthOrder = (typeof LengthOrder)[keyof typeof LengthOrder];

/** The fields of a pcap file header a reader needs. */
export interface PcapHeader {
  readonly littleEndian: boolean;
  /** Fraction field unit: true = nanoseconds (magic 0xA1B23C4D), false = microseconds. */
  readonly nanosecond: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;
  /** LINKTYPE_ number: the low 16 bits of §4's LinkType-and-additional-information field. */
  readonly linkType: number;
  /** The upper 16 bits of that field (FCS length and flags), kept for information. */
  readonly linkTypeExtra: number;
}

/**
 * Reads the magic of a pcap file (§4): returns its byte order and unit, or null if `b[0..4)`
 * is not one of the four classic magics.
 */
export function sniffPcapMagic(b: Uint8Array): { littleEndian: boolean; nanosecond: boolean } | null {
  const m = readU32(b, 0, false);
  if (m === 0xa1b2c3d4) return { littleEndian: false, nanosecond: false };
  if (m === 0xd4c3b2a1) return { littleEndian: true, nanosecond: false };
  if (m === 0xa1b23c4d) return { littleEndian: false, nanosecond: true };
  if (m === 0x4d3cb2a1) return { littleEndian: true, nanosecond: true };
  return null;
}

/** Decodes a 24-byte pcap file header (§4); null when the magic is not pcap's. */
export function parsePcapHeader(b: Uint8Array): PcapHeader | null {
  const magic = sniffPcapMagic(b);
  if (magic === null || b.length < FILE_HEADER_LEN) return null;
  const le = magic.littleEndian;
  const linkField = readU32(b, 20, le);
  return {
    ...magic,
    versionMajor: readU16(b, 4, le),
    versionMinor: readU16(b, 6, le),
    snaplen: readU32(b, 16, le),
    linkType: linkField & 0xffff,
    linkTypeExtra: linkField >>> 16,
  };
}

/**
 * The version decides only the order of the length fields: libpcap and Wireshark swap them
 * for versions before 2.3 (and 543.0), and for 2.3 when incl_len > orig_len. Everything else
 * about the version is ignored, as both do (a 3.4 header reads like 2.4).
 */
function lengthOrderOf(major: number, minor: number): LengthOrder {
  if (major === 2) return minor < 3 ? LengthOrder.Swapped : minor === 3 ? LengthOrder.MaybeSwapped : LengthOrder.Normal;
  return major === 543 ? LengthOrder.Swapped : LengthOrder.Normal;
}

/**
 * Opens the pcap stream whose first bytes are buffered in `src` (the magic already matched).
 * Fails with `truncated` when the 24-byte file header is cut.
 */
export function openPcap(path: string, fd: number, fileSize: number, src: ChunkSource): Result<CaptureReader> {
  const got = src.require(FILE_HEADER_LEN);
  if (got < FILE_HEADER_LEN) {
    return err({
      code: 'truncated',
      message: `${path}: pcap file header cut short at offset ${got} (${got} of ${FILE_HEADER_LEN} bytes)`,
    });
  }
  const header = parsePcapHeader(src.buf.subarray(src.pos, src.pos + FILE_HEADER_LEN));
  if (header === null) return err({ code: 'not_a_capture', message: `${path}: not a pcap file` });
  src.skip(FILE_HEADER_LEN);
  return ok(new PcapReader(path, fd, fileSize, src, header));
}

/** Streaming reader of one classic pcap file. */
export class PcapReader implements CaptureReader {
  readonly format: CaptureFormat = 'pcap';
  readonly path: string;
  readonly fileSize: number;
  readonly warnings: ReadWarning[] = [];
  readonly header: PcapHeader;
  private readonly src: ChunkSource;
  private fd: number;
  private readonly le: boolean;
  private readonly fracPerSec: number;
  private readonly nsPerFrac: number;
  private readonly lengthOrder: LengthOrder;
  private readonly linkTypeList: readonly number[];
  /** Records delivered so far (the next record's number is records + 1). */
  private records = 0;
  private normalized = 0;
  private stopped = false;

  constructor(path: string, fd: number, fileSize: number, src: ChunkSource, header: PcapHeader) {
    this.path = path;
    this.fileSize = fileSize;
    this.fd = fd;
    this.src = src;
    this.header = header;
    this.le = header.littleEndian;
    this.fracPerSec = header.nanosecond ? 1e9 : 1e6;
    this.nsPerFrac = header.nanosecond ? 1 : 1000;
    this.lengthOrder = lengthOrderOf(header.versionMajor, header.versionMinor);
    this.linkTypeList = [header.linkType];
  }

  bytesConsumed(): number {
    return this.src.offset();
  }

  linkTypes(): readonly number[] {
    return this.linkTypeList;
  }

  /** Records whose fraction field was ≥ 1 s (µs ≥ 1e6, ns ≥ 1e9) and was carried into seconds. */
  normalizedTimestamps(): number {
    return this.normalized;
  }

  next(batch: RawBatch): number {
    batch.count = 0;
    if (this.stopped) return 0;
    const src = this.src;
    let n = 0;
    try {
      src.refill();
      batch.firstRecord = this.records + 1;
      for (;;) {
        n = this.fill(batch, n);
        if (n >= batch.capacity || this.stopped || n > 0) break;
        // Nothing fits in the window: make the next record contiguous (safe, the batch is empty).
        if (!this.pullRecord()) break;
      }
    } catch (e) {
      this.fault(src.offset(), this.records + 1, `read error (${describeError(e)})`);
    }
    batch.count = n;
    batch.data = src.buf;
    return n;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.stopped = true;
  }

  /**
   * The hot loop: decodes complete records from the window into `batch` from index `n` until
   * the batch is full, the window ends or a fault stops reading. Returns the new count.
   */
  private fill(batch: RawBatch, n: number): number {
    const src = this.src;
    const v = src.view;
    const end = src.end;
    const le = this.le;
    const cap = batch.capacity;
    const fracPerSec = this.fracPerSec;
    const nsPerFrac = this.nsPerFrac;
    const order = this.lengthOrder;
    const linkType = this.header.linkType;
    const { offset, caplen, wirelen, tsSec, tsNsec, linkType: lt, interfaceId } = batch;
    let p = src.pos;
    const first = n;
    while (n < cap && end - p >= RECORD_HEADER_LEN) {
      let sec = v.getUint32(p, le);
      let frac = v.getUint32(p + 4, le);
      let incl = v.getUint32(p + 8, le);
      let orig = v.getUint32(p + 12, le);
      if (order !== LengthOrder.Normal && (order === LengthOrder.Swapped || incl > orig)) {
        const t = incl;
        incl = orig;
        orig = t;
      }
      if (incl > MAX_PACKET_BYTES) {
        this.fault(src.base + p, this.records + (n - first) + 1,
          `claims ${incl} captured bytes, more than the ${MAX_PACKET_BYTES}-byte limit (corrupt record header)`);
        break;
      }
      if (end - p - RECORD_HEADER_LEN < incl) break;
      if (frac >= fracPerSec) {
        // Invalid fraction (tcpdump's timestamp_invalid_* tests): carry whole seconds over.
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
        this.normalized++;
      }
      offset[n] = p + RECORD_HEADER_LEN;
      caplen[n] = incl;
      wirelen[n] = orig;
      tsSec[n] = sec;
      tsNsec[n] = frac * nsPerFrac;
      lt[n] = linkType;
      interfaceId[n] = 0;
      n++;
      p += RECORD_HEADER_LEN + incl;
    }
    src.pos = p;
    this.records += n - first;
    return n;
  }

  /**
   * Makes the next record contiguous in the window. Returns false at the end of the data,
   * after recording a truncation warning when the file stops inside a record.
   */
  private pullRecord(): boolean {
    const src = this.src;
    const got = src.require(RECORD_HEADER_LEN);
    if (got === 0) {
      this.stopped = true;
      return false;
    }
    const record = this.records + 1;
    if (got < RECORD_HEADER_LEN) {
      this.fault(src.offset(), record,
        `file ends ${got} bytes into the ${RECORD_HEADER_LEN}-byte record header (truncated)`);
      return false;
    }
    let incl = readU32(src.buf, src.pos + 8, this.le);
    const orig = readU32(src.buf, src.pos + 12, this.le);
    if (this.lengthOrder === LengthOrder.Swapped || (this.lengthOrder === LengthOrder.MaybeSwapped && incl > orig)) {
      incl = orig;
    }
    if (incl > MAX_PACKET_BYTES) return true; // fill() reports it without buffering it
    const need = RECORD_HEADER_LEN + incl;
    const have = src.require(need);
    if (have < need) {
      this.fault(src.offset(), record,
        `file ends ${have - RECORD_HEADER_LEN} bytes into its ${incl} captured bytes (truncated)`);
      return false;
    }
    return true;
  }

  private fault(fileOffset: number, record: number, what: string): void {
    this.warnings.push({
      offset: fileOffset,
      record,
      message: `pcap record ${record} at offset ${fileOffset}: ${what}; reading stopped`,
    });
    this.stopped = true;
  }
}
