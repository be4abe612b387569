import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureReader } from './capture-reader.js';
import { MAX_PACKET_BYTES } from './chunk-source.js';
import { LinkType } from './link-types.js';
import { openCapture } from './open-capture.js';
import { parsePcapHeader } from './pcap-reader.js';
import { createRawBatch } from './raw-batch.js';
import { formatEpoch } from './timestamp.js';

// Synthetic classic pcap files (draft-ietf-opsawg-pcap §4/§5) built byte by byte.

const dir = mkdtempSync(join(tmpdir(), 'flowbench-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Rec {
  sec: number;
  frac: number;
  /** Captured bytes; filled with the record's index so offsets can be checked. */
  incl: number;
  orig?: number;
  /** Header incl_len when it must differ from the bytes written (corrupt records). */
  claimedIncl?: number;
}

interface PcapSpec {
  le?: boolean;
  nano?: boolean;
  major?: number;
  minor?: number;
  snaplen?: number;
  linkField?: number;
  /** When set, the header's length fields are written orig first (pre-2.3 order). */
  swapLengths?: boolean;
}

function u32(v: number, le: boolean): number[] {
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return le ? b.reverse() : b;
}

function u16(v: number, le: boolean): number[] {
  const b = [(v >>> 8) & 255, v & 255];
  return le ? b.reverse() : b;
}

function buildPcap(spec: PcapSpec, records: readonly Rec[]): Uint8Array {
  const le = spec.le ?? true;
  const out: number[] = [
    ...u32(spec.nano === true ? 0xa1b23c4d : 0xa1b2c3d4, le),
    ...u16(spec.major ?? 2, le), ...u16(spec.minor ?? 4, le),
    ...u32(0, le), ...u32(0, le),
    ...u32(spec.snaplen ?? 65535, le),
    ...u32(spec.linkField ?? LinkType.ETHERNET, le),
  ];
  records.forEach((r, i) => {
    const incl = r.claimedIncl ?? r.incl;
    const orig = r.orig ?? r.incl;
    out.push(...u32(r.sec, le), ...u32(r.frac, le));
    if (spec.swapLengths === true) out.push(...u32(orig, le), ...u32(incl, le));
    else out.push(...u32(incl, le), ...u32(orig, le));
    for (let k = 0; k < r.incl; k++) out.push((i + 1) & 255);
  });
  return Uint8Array.from(out);
}

function writeTemp(bytes: Uint8Array, ext = '.bin'): string {
  const path = join(dir, `f${fileNo++}${ext}`);
  writeFileSync(path, bytes);
  return path;
}

interface Packet {
  caplen: number;
  wirelen: number;
  ts: string;
  linkType: number;
  firstByte: number | undefined;
  lastByte: number | undefined;
}

/** Reads every packet, checking that each record's bytes are where the batch says. */
function readAllPackets(reader: CaptureReader, capacity = 64): { packets: Packet[]; batches: number } {
  const batch = createRawBatch(capacity);
  const packets: Packet[] = [];
  let batches = 0;
  let k: number;
  while ((k = reader.next(batch)) > 0) {
    batches++;
    for (let i = 0; i < k; i++) {
      const off = batch.offset[i]!;
      const len = batch.caplen[i]!;
      packets.push({
        caplen: len,
        wirelen: batch.wirelen[i]!,
        ts: formatEpoch(batch.tsSec[i]!, batch.tsNsec[i]!),
        linkType: batch.linkType[i]!,
        firstByte: len > 0 ? batch.data[off] : undefined,
        lastByte: len > 0 ? batch.data[off + len - 1] : undefined,
      });
    }
  }
  return { packets, batches };
}

function open(bytes: Uint8Array, chunkSize?: number): CaptureReader {
  const r = openCapture(writeTemp(bytes), chunkSize === undefined ? {} : { chunkSize });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

const THREE: Rec[] = [
  { sec: 1361796995, frac: 701161, incl: 60 },
  { sec: 1361796995, frac: 999999, incl: 1514, orig: 1514 },
  { sec: 1361796996, frac: 5, incl: 42, orig: 1500 },
];

for (const le of [true, false]) {
  test(`microsecond pcap, ${le ? 'little' : 'big'}-endian`, () => {
    const reader = open(buildPcap({ le }, THREE));
    assert.equal(reader.format, 'pcap');
    assert.deepEqual(reader.linkTypes(), [LinkType.ETHERNET]);
    const { packets } = readAllPackets(reader);
    assert.deepEqual(packets.map((p) => [p.caplen, p.wirelen, p.ts, p.firstByte, p.lastByte]), [
      [60, 60, '1361796995.701161000', 1, 1],
      [1514, 1514, '1361796995.999999000', 2, 2],
      [42, 1500, '1361796996.000005000', 3, 3],
    ]);
    assert.equal(reader.warnings.length, 0);
    assert.equal(reader.bytesConsumed(), reader.fileSize);
    reader.close();
    reader.close(); // safe twice
  });

  test(`nanosecond pcap, ${le ? 'little' : 'big'}-endian`, () => {
    const reader = open(buildPcap({ le, nano: true }, [
      { sec: 1418145369, frac: 999999999, incl: 10 },
      { sec: 4294967295, frac: 1, incl: 10 }, // unsigned seconds: 2106, not 1969
    ]));
    const { packets } = readAllPackets(reader);
    assert.deepEqual(packets.map((p) => p.ts), ['1418145369.999999999', '4294967295.000000001']);
  });
}

test('link type is the low 16 bits of the LinkType field (FCS bits above are ignored)', () => {
  // 0x30000001 is tcpdump__udp-length-heapoverflow.pcap's field: FCS length 3, Ethernet.
  const reader = open(buildPcap({ linkField: 0x30000001 }, THREE));
  assert.deepEqual(reader.linkTypes(), [1]);
  assert.equal(readAllPackets(reader).packets[0]?.linkType, 1);
  const header = parsePcapHeader(buildPcap({ linkField: 0x30000084 }, []));
  assert.equal(header?.linkType, 132);
  assert.equal(header?.linkTypeExtra, 0x3000);
});

test('caplen above snaplen and orig_len below incl_len are accepted as tshark does', () => {
  const reader = open(buildPcap({ snaplen: 64 }, [
    { sec: 1, frac: 0, incl: 232, orig: 262144 },
    { sec: 2, frac: 0, incl: 86, orig: 10 },
  ]));
  const { packets } = readAllPackets(reader);
  assert.deepEqual(packets.map((p) => [p.caplen, p.wirelen]), [[232, 262144], [86, 10]]);
  assert.equal(reader.warnings.length, 0);
});

test('an 80 kB BIG TCP frame is below the record limit and reads whole', () => {
  const reader = open(buildPcap({}, [{ sec: 1, frac: 0, incl: 80066 }, { sec: 2, frac: 0, incl: 60 }]), 1024);
  const { packets } = readAllPackets(reader);
  assert.deepEqual(packets.map((p) => p.caplen), [80066, 60]);
});

test('a record claiming more than 262144 bytes stops reading with its offset and number', () => {
  const records: Rec[] = [...THREE, { sec: 9, frac: 0, incl: 8, claimedIncl: 0x80000000 }, { sec: 10, frac: 0, incl: 8 }];
  for (const chunkSize of [undefined, 50]) {
    const reader = open(buildPcap({}, records), chunkSize);
    const { packets } = readAllPackets(reader);
    assert.equal(packets.length, 3);
    const offset = 24 + (16 + 60) + (16 + 1514) + (16 + 42);
    assert.deepEqual(reader.warnings.map((w) => [w.offset, w.record]), [[offset, 4]]);
    assert.match(reader.warnings[0]!.message, new RegExp(`record 4 at offset ${offset}: claims 2147483648 captured bytes`));
    assert.equal(reader.next(createRawBatch(4)), 0); // stays stopped
  }
  // One byte over the limit is already a fault; exactly the limit is not.
  const over = open(buildPcap({}, [{ sec: 1, frac: 0, incl: 4, claimedIncl: MAX_PACKET_BYTES + 1 }]));
  assert.equal(readAllPackets(over).packets.length, 0);
  assert.equal(over.warnings[0]?.record, 1);
  const atLimit = open(buildPcap({}, [{ sec: 1, frac: 0, incl: MAX_PACKET_BYTES }]), 4096);
  assert.deepEqual(readAllPackets(atLimit).packets.map((p) => p.caplen), [MAX_PACKET_BYTES]);
});

test('a file cut inside a record header or its data keeps the records before it', () => {
  const whole = buildPcap({}, THREE);
  const thirdAt = 24 + (16 + 60) + (16 + 1514);
  for (const [cut, what] of [[thirdAt + 8, /8 bytes into the 16-byte record header/], [thirdAt + 16 + 20, /20 bytes into its 42 captured bytes/]] as const) {
    for (const chunkSize of [undefined, 33]) {
      const reader = open(whole.subarray(0, cut), chunkSize);
      assert.equal(readAllPackets(reader).packets.length, 2);
      assert.equal(reader.warnings.length, 1);
      assert.equal(reader.warnings[0]?.offset, thirdAt);
      assert.equal(reader.warnings[0]?.record, 3);
      assert.match(reader.warnings[0]!.message, what);
      assert.match(reader.warnings[0]!.message, /truncated/);
    }
  }
});

test('fractions of a second or more are carried into the seconds and counted', () => {
  // tcpdump__timestamp_invalid_micro.pcap: tshark prints these literally ("1418145370.1000000000")
  // or after a 32-bit overflow; we normalise: 1 000 000 µs is one second.
  const reader = open(buildPcap({}, [
    { sec: 1418145369, frac: 999999, incl: 4 },
    { sec: 1418145370, frac: 1000000, incl: 4 },
    { sec: 1418145370, frac: 2147483648, incl: 4 },
  ]));
  assert.deepEqual(readAllPackets(reader).packets.map((p) => p.ts),
    ['1418145369.999999000', '1418145371.000000000', '1418147517.483648000']);
  assert.equal(reader.normalizedTimestamps?.(), 2);
  assert.equal(reader.warnings.length, 0);
  const nano = open(buildPcap({ nano: true }, [{ sec: 5, frac: 1000000000, incl: 4 }, { sec: 5, frac: 4294967295, incl: 4 }]));
  assert.deepEqual(readAllPackets(nano).packets.map((p) => p.ts), ['6.000000000', '9.294967295']);
  assert.equal(nano.normalizedTimestamps?.(), 2);
});

test('version fields: 3.4 reads like 2.4; before 2.3 the lengths are swapped; 2.3 swaps when incl > orig', () => {
  const recs: Rec[] = [{ sec: 1, frac: 0, incl: 40, orig: 1000 }, { sec: 2, frac: 0, incl: 20, orig: 20 }];
  const v34 = open(buildPcap({ major: 3, minor: 4 }, recs));
  assert.deepEqual(readAllPackets(v34).packets.map((p) => [p.caplen, p.wirelen]), [[40, 1000], [20, 20]]);
  // ndpi__fuzz-2021-10-13.pcap is version 2.0: Wireshark reads incl 197 / orig 524501 from it.
  const v20 = open(buildPcap({ major: 2, minor: 0, swapLengths: true }, recs));
  assert.deepEqual(readAllPackets(v20).packets.map((p) => [p.caplen, p.wirelen, p.firstByte]), [[40, 1000, 1], [20, 20, 2]]);
  const v23 = open(buildPcap({ major: 2, minor: 3, swapLengths: true }, recs));
  assert.deepEqual(readAllPackets(v23).packets.map((p) => [p.caplen, p.wirelen]), [[40, 1000], [20, 20]]);
  const v23plain = open(buildPcap({ major: 2, minor: 3 }, recs));
  assert.deepEqual(readAllPackets(v23plain).packets.map((p) => [p.caplen, p.wirelen]), [[40, 1000], [20, 20]]);
});

test('records never straddle a batch, whatever the chunk size and batch capacity', () => {
  const records: Rec[] = Array.from({ length: 200 }, (_, i) => ({ sec: 1000 + i, frac: i, incl: (i * 37) % 300 }));
  const bytes = buildPcap({ le: false }, records);
  const expected = records.map((r, i) => [r.incl, `${1000 + i}.${String(i * 1000).padStart(9, '0')}`, r.incl > 0 ? (i + 1) & 255 : undefined]);
  for (const chunkSize of [1, 7, 16, 100, 333, 4096, 1 << 20]) {
    for (const capacity of [1, 3, 64, 1000]) {
      const reader = open(bytes, chunkSize);
      const batch = createRawBatch(capacity);
      const got: unknown[] = [];
      let next = 1;
      let k: number;
      while ((k = reader.next(batch)) > 0) {
        assert.equal(batch.firstRecord, next);
        next += k;
        // Memory: the window is the chunk, or twice the largest record when that is bigger.
        assert.ok(batch.data.length <= Math.max(chunkSize, 2 * (16 + 299)), `window ${batch.data.length}`);
        for (let i = 0; i < k; i++) {
          const off = batch.offset[i]!;
          assert.ok(off + batch.caplen[i]! <= batch.data.length);
          got.push([batch.caplen[i], formatEpoch(batch.tsSec[i]!, batch.tsNsec[i]!), batch.caplen[i]! > 0 ? batch.data[off + batch.caplen[i]! - 1] : undefined]);
        }
      }
      assert.deepEqual(got, expected, `chunk ${chunkSize} capacity ${capacity}`);
      assert.equal(reader.bytesConsumed(), bytes.length);
      reader.close();
    }
  }
});

test('a consumer may transfer batch.data to another thread between calls', () => {
  const records: Rec[] = Array.from({ length: 300 }, (_, i) => ({ sec: i, frac: 0, incl: 50 + (i % 7) }));
  const reader = open(buildPcap({}, records), 4096);
  const batch = createRawBatch(16);
  const sizes: number[] = [];
  let k: number;
  while ((k = reader.next(batch)) > 0) {
    for (let i = 0; i < k; i++) {
      sizes.push(batch.caplen[i]!);
      assert.equal(batch.data[batch.offset[i]!], (sizes.length) & 255);
    }
    structuredClone(batch.data.buffer, { transfer: [batch.data.buffer as ArrayBuffer] }); // as postMessage does
    assert.equal(batch.data.byteLength, 0);
  }
  assert.deepEqual(sizes, records.map((r) => r.incl));
  assert.equal(reader.warnings.length, 0);
});

test('a header-only file reads zero packets without a warning', () => {
  const reader = open(buildPcap({}, []));
  assert.equal(readAllPackets(reader).packets.length, 0);
  assert.equal(reader.warnings.length, 0);
  assert.equal(reader.bytesConsumed(), 24);
});
