import { closeSync } from 'node:fs';
import type { CaptureFormat, ReadWarning } from '../../src-shared/capture-summary.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import type { CaptureReader } from './capture-reader.js';
import { describeError, MAX_PACKET_BYTES, MAX_RECORD_SPAN, readU16, readU32, type ChunkSource } from './chunk-source.js';
import type { RawBatch } from './raw-batch.js';
import { divU64, isSupportedTsresol, ticksToTime, TSRESOL_MICRO } from './timestamp.js';

// pcapng, draft-ietf-opsawg-pcapng. §3.1: every block is type (4) + total length (4) + body
// + the total length again (4), padded to 32 bits, in its section's byte order.

/** Block types (§4 and Appendix A for the obsolete Packet Block). */
const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
/** §4.1: the byte-order magic as written by the file's writer. */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Fixed part of an EPB / PB: header 8 + interface .. original length 20; data starts at +28. */
const PACKET_BLOCK_MIN = 32;
const SPB_MIN = 16;
const IDB_MIN = 20;
const SHB_MIN = 28;
/** IDB option codes (§4.2). */
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Bounds on what a hostile file can make us keep in memory. */
const MAX_INTERFACES = 65536;
const MAX_WARNINGS = 100;

/** Reads §4.1's byte-order magic at b[p..p+4): true = little-endian, false = big, null = broken. */
function byteOrderAt(b: Uint8Array, p: number): boolean | null {
  if (readU32(b, p, true) === BYTE_ORDER_MAGIC) return true;
  if (readU32(b, p, false) === BYTE_ORDER_MAGIC) return false;
  return null;
}

function hex32(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** Blocks we must hold whole in memory to read (the rest are skipped, by seeking if large). */
function isParsedBlock(type: number): boolean {
  return type === EPB || type === IDB || type === SHB || type === SPB || type === PB;
}

/**
 * Opens the pcapng stream buffered in `src` (whose first 4 bytes are the SHB type). Fails with
 * `not_a_capture` on a broken byte-order magic, `truncated` when the first SHB is cut and
 * `corrupt` when its length fields are inconsistent.
 */
export function openPcapng(path: string, fd: number, fileSize: number, src: ChunkSource): Result<CaptureReader> {
  const got = src.require(12);
  if (got < 12) {
    return err({ code: 'truncated', message: `${path}: pcapng section header block cut short at offset ${got} (file is ${got} bytes)` });
  }
  const b = src.buf;
  const p = src.pos;
  const le = byteOrderAt(b, p + 8);
  if (le === null) {
    return err({
      code: 'not_a_capture',
      message: `${path}: pcapng byte-order magic at offset 8 is ${hex32(readU32(b, p + 8, false))}, not 0x1a2b3c4d (broken section header)`,
    });
  }
  const len = readU32(b, p + 4, le);
  if (len < SHB_MIN || len % 4 !== 0 || len > MAX_RECORD_SPAN) {
    return err({ code: 'corrupt', message: `${path}: pcapng section header block length ${len} at offset 4 is invalid` });
  }
  const have = src.require(len);
  if (have < len) {
    return err({
      code: 'truncated',
      message: `${path}: pcapng section header block cut short at offset ${have} (${have} of ${len} bytes)`,
    });
  }
  const trailer = readU32(src.buf, src.pos + len - 4, le);
  if (trailer !== len) {
    return err({
      code: 'corrupt',
      message: `${path}: pcapng section header block lengths differ (${len} at offset 4, ${trailer} at offset ${len - 4})`,
    });
  }
  src.skip(len);
  return ok(new PcapngReader(path, fd, fileSize, src, le));
}

/** Streaming reader of one pcapng file: all sections, all interfaces. */
export class PcapngReader implements CaptureReader {
  readonly format: CaptureFormat = 'pcapng';
  readonly warnings: ReadWarning[] = [];
  readonly path: string;
  readonly fileSize: number;
  private readonly src: ChunkSource;
  private fd: number;
  /** Byte order of the current section. */
  private le: boolean;
  /** Current section's interfaces, indexed by interface id (§4.2: IDB order). */
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifTsresol: number[] = [];
  private readonly ifTsoffset: number[] = [];
  /** Ticks per second when if_tsresol is 10^-0..10^-9 (the fast path), else 0. */
  private readonly ifDivisor: number[] = [];
  private readonly ifInverse: number[] = [];
  /** Nanoseconds per tick on the fast path. */
  private readonly ifNsPerTick: number[] = [];
  private readonly linkTypeList: number[] = [];
  /** Blocks consumed so far, the first SHB included (the next block's number is blocks + 1). */
  private blocks = 1;
  private stopped = false;
  private readonly time = new Float64Array(2);
  private readonly trailer = new Uint8Array(4);

  constructor(path: string, fd: number, fileSize: number, src: ChunkSource, littleEndian: boolean) {
    this.path = path;
    this.fileSize = fileSize;
    this.fd = fd;
    this.src = src;
    this.le = littleEndian;
  }

  bytesConsumed(): number {
    return this.src.offset();
  }

  linkTypes(): readonly number[] {
    return this.linkTypeList;
  }

  normalizedTimestamps(): number {
    return 0;
  }

  next(batch: RawBatch): number {
    batch.count = 0;
    if (this.stopped) return 0;
    const src = this.src;
    let n = 0;
    try {
      src.refill();
      batch.firstRecord = this.blocks + 1;
      for (;;) {
        n = this.fill(batch, n);
        if (n >= batch.capacity || this.stopped || n > 0) break;
        if (!this.pullBlock()) break;
      }
    } catch (e) {
      this.fault(src.offset(), `read error (${describeError(e)})`);
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
   * The hot loop: walks complete blocks in the window, appending packets to `batch` from
   * index `n`, until the batch is full, the window ends or a fault stops reading.
   */
  private fill(batch: RawBatch, n: number): number {
    const src = this.src;
    const b = src.buf;
    const v = src.view;
    const end = src.end;
    const cap = batch.capacity;
    const time = this.time;
    const { offset, caplen, wirelen, tsSec, tsNsec, linkType, interfaceId } = batch;
    // The last packet's interface, cached: most files have one interface, or long runs of one.
    let curId = -1;
    let curLinkType = 0;
    let curDivisor = 0;
    let curInverse = 0;
    let curNsPerTick = 0;
    let curTsresol = 0;
    let curTsoffset = 0;
    let p = src.pos;
    while (n < cap && end - p >= 12) {
      let le = this.le;
      const type = v.getUint32(p, le);
      if (type === SHB) {
        // §4.1: a new section may change the byte order; the type reads the same either way.
        const order = byteOrderAt(b, p + 8);
        if (order === null) {
          this.fault(this.src.base + p, `section header byte-order magic is ${hex32(readU32(b, p + 8, false))}, not 0x1a2b3c4d (corrupt)`);
          break;
        }
        le = order;
      }
      const len = v.getUint32(p + 4, le);
      if (len < 12 || (len & 3) !== 0) {
        this.fault(this.src.base + p, `block length ${len} is invalid (a block is at least 12 bytes and a multiple of 4)`);
        break;
      }
      if (len > end - p) break; // pullBlock() decides: read more, skip by seeking, or truncated
      const trailer = v.getUint32(p + len - 4, le);
      if (trailer !== len) {
        this.fault(this.src.base + p, `block lengths differ: ${len} at the start, ${trailer} at the end (corrupt)`);
        break;
      }
      if (type === EPB || type === PB) {
        // §4.3 EPB / Appendix A PB: interface id, timestamp (high, low), captured length,
        // original length, then the packet data; PB has a 16-bit id and a 16-bit drop count.
        if (len < PACKET_BLOCK_MIN) {
          this.fault(this.src.base + p, `packet block of ${len} bytes is shorter than its ${PACKET_BLOCK_MIN}-byte fixed part`);
          break;
        }
        const id = type === EPB ? v.getUint32(p + 8, le) : v.getUint16(p + 8, le);
        if (id !== curId) {
          if (id >= this.ifLinkType.length) {
            this.fault(this.src.base + p, `packet names interface ${id} but the section has ${this.ifLinkType.length} interface(s)`);
            break;
          }
          curId = id;
          curLinkType = this.ifLinkType[id]!;
          curDivisor = this.ifDivisor[id]!;
          curInverse = this.ifInverse[id]!;
          curNsPerTick = this.ifNsPerTick[id]!;
          curTsresol = this.ifTsresol[id]!;
          curTsoffset = this.ifTsoffset[id]!;
        }
        const incl = v.getUint32(p + 20, le);
        if (incl > len - PACKET_BLOCK_MIN || incl > MAX_PACKET_BYTES) {
          this.fault(this.src.base + p, `captured length ${incl} does not fit the ${len}-byte block (corrupt)`);
          break;
        }
        if (curDivisor !== 0) {
          divU64(v.getUint32(p + 12, le), v.getUint32(p + 16, le), curDivisor, curInverse, time);
          time[1] = time[1]! * curNsPerTick;
        } else {
          ticksToTime(v.getUint32(p + 12, le), v.getUint32(p + 16, le), curTsresol, time);
        }
        if (n === 0) batch.firstRecord = this.blocks + 1;
        offset[n] = p + 28;
        caplen[n] = incl;
        wirelen[n] = v.getUint32(p + 24, le);
        tsSec[n] = time[0]! + curTsoffset;
        tsNsec[n] = time[1]!;
        linkType[n] = curLinkType;
        interfaceId[n] = id;
        n++;
      } else if (type === SPB) {
        if (!this.simplePacket(b, p, len, batch, n)) break;
        n++;
      } else if (type === IDB) {
        if (!this.interfaceDescription(b, p, len)) break;
      } else if (type === SHB) {
        curId = -1; // a new section renumbers its interfaces
        if (len < SHB_MIN) {
          this.fault(this.src.base + p, `section header block of ${len} bytes is shorter than ${SHB_MIN}`);
          break;
        }
        this.beginSection(le);
      }
      // NRB, ISB, DSB, custom (0x00000BAD / 0x40000BAD) and unknown blocks: nothing to read.
      this.blocks++;
      p += len;
    }
    src.pos = p;
    return n;
  }

  /** §4.4 SPB: original length then data; interface 0, no timestamp (Wireshark shows 0). */
  private simplePacket(b: Uint8Array, p: number, len: number, batch: RawBatch, n: number): boolean {
    if (len < SPB_MIN) {
      this.fault(this.src.base + p, `simple packet block of ${len} bytes is shorter than ${SPB_MIN}`);
      return false;
    }
    if (this.ifLinkType.length === 0) {
      this.fault(this.src.base + p, 'simple packet block before any interface description block');
      return false;
    }
    const orig = readU32(b, p + 8, this.le);
    const snaplen = this.ifSnaplen[0]!;
    // §4.4: the captured length is the original length cut to the snaplen (0 = no limit),
    // and can never exceed the block's data field.
    let incl = Math.min(orig, len - SPB_MIN);
    if (snaplen !== 0 && snaplen < incl) incl = snaplen;
    if (incl > MAX_PACKET_BYTES) {
      this.fault(this.src.base + p, `simple packet of ${incl} captured bytes exceeds the ${MAX_PACKET_BYTES}-byte limit (corrupt)`);
      return false;
    }
    if (n === 0) batch.firstRecord = this.blocks + 1;
    batch.offset[n] = p + 12;
    batch.caplen[n] = incl;
    batch.wirelen[n] = orig;
    batch.tsSec[n] = 0;
    batch.tsNsec[n] = 0;
    batch.linkType[n] = this.ifLinkType[0]!;
    batch.interfaceId[n] = 0;
    return true;
  }

  /** §4.2 IDB: link type (16), reserved (16), snaplen (32), options (if_tsresol, if_tsoffset). */
  private interfaceDescription(b: Uint8Array, p: number, len: number): boolean {
    const le = this.le;
    if (len < IDB_MIN) {
      this.fault(this.src.base + p, `interface description block of ${len} bytes is shorter than ${IDB_MIN}`);
      return false;
    }
    if (this.ifLinkType.length >= MAX_INTERFACES) {
      this.fault(this.src.base + p, `more than ${MAX_INTERFACES} interfaces in one section (corrupt)`);
      return false;
    }
    const linkType = readU16(b, p + 8, le);
    let tsresol = TSRESOL_MICRO; // §4.2: absent if_tsresol means 10^-6
    let tsoffset = 0;
    const optEnd = p + len - 4;
    let q = p + 16;
    while (q + 4 <= optEnd) {
      const code = readU16(b, q, le);
      const olen = readU16(b, q + 2, le);
      q += 4;
      if (code === OPT_END) break;
      if (q + olen > optEnd) {
        this.note(this.src.base + p, `interface option ${code} runs past the block; later options ignored`);
        break;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        tsresol = b[q]!;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        // Signed 64-bit whole seconds added to every timestamp of the interface.
        const hi = readU32(b, le ? q + 4 : q, le) | 0;
        const lo = readU32(b, le ? q : q + 4, le);
        tsoffset = hi * 4294967296 + lo;
      }
      q += (olen + 3) & ~3;
    }
    if (!isSupportedTsresol(tsresol)) {
      this.note(this.src.base + p, `if_tsresol ${hex32(tsresol)} is out of range; microseconds assumed`);
      tsresol = TSRESOL_MICRO;
    }
    this.ifLinkType.push(linkType);
    this.ifSnaplen.push(readU32(b, p + 12, le));
    this.ifTsresol.push(tsresol);
    this.ifTsoffset.push(tsoffset);
    const decimal = tsresol <= 9; // bit 7 clear and an exponent of at most 9
    this.ifDivisor.push(decimal ? 10 ** tsresol : 0);
    this.ifInverse.push(decimal ? 1 / 10 ** tsresol : 0);
    this.ifNsPerTick.push(decimal ? 10 ** (9 - tsresol) : 0);
    if (!this.linkTypeList.includes(linkType)) this.linkTypeList.push(linkType);
    return true;
  }

  /** §4.1: a section has its own byte order and interface list. */
  private beginSection(littleEndian: boolean): void {
    this.le = littleEndian;
    this.ifLinkType.length = 0;
    this.ifSnaplen.length = 0;
    this.ifTsresol.length = 0;
    this.ifTsoffset.length = 0;
    this.ifDivisor.length = 0;
    this.ifInverse.length = 0;
    this.ifNsPerTick.length = 0;
  }

  /**
   * Called when no block fits the window and the batch is empty: reads the next block in
   * whole, seeks past a large block we do not parse, or records why the data ends here.
   * Returns false when reading is over.
   */
  private pullBlock(): boolean {
    const src = this.src;
    const got = src.require(12);
    if (got === 0) {
      this.stopped = true;
      return false;
    }
    const at = src.offset();
    if (got < 12) {
      this.fault(at, `file ends ${got} bytes into the block header (truncated)`);
      return false;
    }
    const b = src.buf;
    const type = readU32(b, src.pos, this.le);
    const le = type === SHB ? byteOrderAt(b, src.pos + 8) : this.le;
    if (le === null) return true; // fill() reports the broken magic
    const len = readU32(b, src.pos + 4, le);
    if (len < 12 || (len & 3) !== 0 || len <= got) return true; // fill() handles it
    if (len <= MAX_RECORD_SPAN) {
      const have = src.require(len);
      if (have < len) {
        this.fault(at, `block of ${len} bytes runs past the end of the file, ${have} bytes left (truncated)`);
        return false;
      }
      return true;
    }
    if (isParsedBlock(type)) {
      this.fault(at, `block type ${hex32(type)} claims ${len} bytes, more than the ${MAX_RECORD_SPAN}-byte limit (corrupt)`);
      return false;
    }
    // A large block we do not read (NRB, DSB, custom...): check its trailer, then seek past it.
    const trailer = this.trailer;
    if (src.readAt(at + len - 4, trailer) < 4) {
      this.fault(at, `block of ${len} bytes runs past the end of the file (truncated)`);
      return false;
    }
    const tail = readU32(trailer, 0, le);
    if (tail !== len) {
      this.fault(at, `block lengths differ: ${len} at the start, ${tail} at the end (corrupt)`);
      return false;
    }
    src.skip(len);
    this.blocks++;
    return true;
  }

  /** Records a fault at the block starting at `fileOffset`; nothing after it is read. */
  private fault(fileOffset: number, what: string): void {
    const block = this.blocks + 1;
    this.pushWarning(fileOffset, block, `pcapng block ${block} at offset ${fileOffset}: ${what}; reading stopped`);
    this.stopped = true;
  }

  /** Records a problem that does not stop reading. */
  private note(fileOffset: number, what: string): void {
    const block = this.blocks + 1;
    this.pushWarning(fileOffset, block, `pcapng block ${block} at offset ${fileOffset}: ${what}`);
  }

  private pushWarning(offset: number, record: number, message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ offset, record, message });
  }
}
