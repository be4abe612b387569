import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// A deliberately small classic-pcap reader for the bench builder. It must not depend on
// flowbench's own readers: the bench is what tells whether those are fast, and a builder
// bug must not hide a reader bug (or the reverse).

/** LINKTYPE_ETHERNET, the only link type the bench capture mixes. */
const LINKTYPE_ETHERNET = 1;
/** Output records must stay under this so every reader (libpcap's max for Ethernet) accepts them. */
export const BENCH_SNAPLEN = 262144;
const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

/** One corpus file taken into the mix, as it contributes to every pass. */
export interface SourceFile {
  readonly name: string;
  readonly packets: number;
  readonly capturedBytes: number;
}

/** One pass over the mix, laid out as output records whose timestamps are filled per pass. */
export interface PassTemplate {
  /** Records in the output layout: 16-byte little-endian header + captured bytes. */
  readonly bytes: Uint8Array;
  /** Byte offset of each record in `bytes`; length packets + 1, the last entry is `bytes.length`. */
  readonly recordOffsets: Uint32Array;
  /** Microseconds of each record since the pass start, non-decreasing. */
  readonly relUs: Float64Array;
  /** relUs of the last record. */
  readonly spanUs: number;
  readonly packets: number;
  readonly files: readonly SourceFile[];
}

interface ParsedFile {
  readonly name: string;
  readonly data: Uint8Array;
  readonly little: boolean;
  /** Start of each record header in `data`. */
  readonly starts: number[];
  /** Absolute timestamp of each record in µs (may go backwards: some corpus files are unordered). */
  readonly tsUs: number[];
  readonly capturedBytes: number;
}

/**
 * Parses one classic pcap file (draft-ietf-opsawg-pcap §4 file header, §5 packet record).
 * Returns null for pcapng, non-Ethernet link types or anything that is not pcap; stops at the
 * first record that is truncated or over BENCH_SNAPLEN, keeping the records before it.
 */
function parseEthernetPcap(name: string, data: Uint8Array): ParsedFile | null {
  if (data.length < FILE_HEADER_LEN) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magicBe = view.getUint32(0, false);
  let little: boolean;
  let nanos: boolean;
  // §4: the magic tells byte order (as read) and the fraction unit (µs 0xA1B2C3D4, ns 0xA1B23C4D).
  if (magicBe === 0xd4c3b2a1 || magicBe === 0x4d3cb2a1) {
    little = true;
    nanos = magicBe === 0x4d3cb2a1;
  } else if (magicBe === 0xa1b2c3d4 || magicBe === 0xa1b23c4d) {
    little = false;
    nanos = magicBe === 0xa1b23c4d;
  } else {
    return null;
  }
  // §4: the low 16 bits of LinkType are the link type; the upper bits carry FCS information.
  if ((view.getUint32(20, little) & 0xffff) !== LINKTYPE_ETHERNET) return null;

  const starts: number[] = [];
  const tsUs: number[] = [];
  let capturedBytes = 0;
  let off = FILE_HEADER_LEN;
  while (off + RECORD_HEADER_LEN <= data.length) {
    const sec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const capLen = view.getUint32(off + 8, little);
    if (capLen > BENCH_SNAPLEN || off + RECORD_HEADER_LEN + capLen > data.length) break;
    starts.push(off);
    tsUs.push(sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac));
    capturedBytes += capLen;
    off += RECORD_HEADER_LEN + capLen;
  }
  if (starts.length === 0) return null;
  return { name, data, little, starts, tsUs, capturedBytes };
}

/**
 * Builds one pass of the bench mix: every Ethernet classic-pcap file of `pcapDir`, in name order,
 * all records in file order. Within a file the time between records is kept but clamped to
 * [0, maxGapUs] (merged captures jump years; some files run backwards), and files follow each
 * other maxGapUs apart, so the pass timeline is monotonic and dense like a busy link.
 */
export function loadPassTemplate(pcapDir: string, maxGapUs: number): PassTemplate {
  const parsed: ParsedFile[] = [];
  for (const name of readdirSync(pcapDir).sort()) {
    const file = parseEthernetPcap(name, new Uint8Array(readFileSync(join(pcapDir, name))));
    if (file !== null) parsed.push(file);
  }
  if (parsed.length === 0) throw new Error(`bench: no Ethernet classic pcap file in ${pcapDir}`);

  let packets = 0;
  let totalBytes = 0;
  for (const f of parsed) {
    packets += f.starts.length;
    totalBytes += f.starts.length * RECORD_HEADER_LEN + f.capturedBytes;
  }
  const bytes = new Uint8Array(totalBytes);
  const out = new DataView(bytes.buffer);
  const recordOffsets = new Uint32Array(packets + 1);
  const relUs = new Float64Array(packets);

  let rec = 0;
  let pos = 0;
  let clock = 0;
  for (const f of parsed) {
    const view = new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    const little = f.little;
    for (let i = 0; i < f.starts.length; i++) {
      const start = f.starts[i] ?? 0;
      const capLen = view.getUint32(start + 8, little);
      const origLen = view.getUint32(start + 12, little);
      if (rec > 0) {
        const gap = i === 0 ? maxGapUs : (f.tsUs[i] ?? 0) - (f.tsUs[i - 1] ?? 0);
        clock += Math.min(Math.max(gap, 0), maxGapUs);
      }
      relUs[rec] = clock;
      recordOffsets[rec] = pos;
      // §5 record header, written little-endian; seconds and fraction are patched per pass.
      out.setUint32(pos + 8, capLen, true);
      out.setUint32(pos + 12, origLen, true);
      bytes.set(f.data.subarray(start + RECORD_HEADER_LEN, start + RECORD_HEADER_LEN + capLen), pos + RECORD_HEADER_LEN);
      pos += RECORD_HEADER_LEN + capLen;
      rec++;
    }
  }
  recordOffsets[packets] = pos;
  const files = parsed.map((f) => ({ name: f.name, packets: f.starts.length, capturedBytes: f.capturedBytes }));
  return { bytes, recordOffsets, relUs, spanUs: clock, packets, files };
}

/** The 24-byte pcap file header of the bench capture: little-endian, µs, Ethernet (§4). */
export function benchFileHeader(): Uint8Array {
  const header = new Uint8Array(FILE_HEADER_LEN);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, BENCH_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  return header;
}
