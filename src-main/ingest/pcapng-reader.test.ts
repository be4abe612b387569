import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureReader } from './capture-reader.js';
import { MAX_RECORD_SPAN } from './chunk-source.js';
import { LinkType } from './link-types.js';
import { openCapture } from './open-capture.js';
import { createRawBatch } from './raw-batch.js';
import { formatEpoch } from './timestamp.js';

// Synthetic pcapng files (draft-ietf-opsawg-pcapng §3.1 block layout, §4.1-4.8, Appendix A).

const dir = mkdtempSync(join(tmpdir(), 'flowbench-pcapng-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** Builds blocks in one byte order per section; `bytes()` concatenates them. */
class NgBuilder {
  private readonly parts: number[] = [];
  private le = true;
  /** Byte offset where each block starts, in order (block n is at starts[n - 1]). */
  readonly starts: number[] = [];

  shb(le = true): this {
    this.le = le;
    return this.block(0x0a0d0d0a, [...this.u32(0x1a2b3c4d), ...this.u16(1), ...this.u16(0), ...this.u32(0xffffffff), ...this.u32(0xffffffff)]);
  }

  idb(linkType: number, options: { snaplen?: number; tsresol?: number; tsoffset?: bigint } = {}): this {
    const body = [...this.u16(linkType), 0, 0, ...this.u32(options.snaplen ?? 262144)];
    if (options.tsresol !== undefined) body.push(...this.option(9, [options.tsresol]));
    if (options.tsoffset !== undefined) body.push(...this.option(14, this.i64(options.tsoffset)));
    if (options.tsresol !== undefined || options.tsoffset !== undefined) body.push(0, 0, 0, 0);
    return this.block(1, body);
  }

  epb(ifid: number, ticks: bigint, data: readonly number[], orig = data.length, claimedIncl = data.length): this {
    return this.block(6, [...this.u32(ifid), ...this.u64(ticks), ...this.u32(claimedIncl), ...this.u32(orig), ...this.pad(data)]);
  }

  pb(ifid: number, ticks: bigint, data: readonly number[], orig = data.length): this {
    return this.block(2, [...this.u16(ifid), ...this.u16(0), ...this.u64(ticks), ...this.u32(data.length), ...this.u32(orig), ...this.pad(data)]);
  }

  spb(orig: number, data: readonly number[]): this {
    return this.block(3, [...this.u32(orig), ...this.pad(data)]);
  }

  /** Any block; `trailer` overrides the trailing length copy (corruption tests). */
  block(type: number, body: readonly number[], trailer?: number): this {
    const padded = this.pad(body);
    const len = 12 + padded.length;
    this.starts.push(this.parts.length);
    this.parts.push(...this.u32(type), ...this.u32(len));
    for (const byte of padded) this.parts.push(byte); // bodies may exceed the spread limit
    this.parts.push(...this.u32(trailer ?? len));
    return this;
  }

  /** Raw bytes (a block header claiming more than follows, garbage...). */
  raw(bytes: readonly number[]): this {
    this.starts.push(this.parts.length);
    this.parts.push(...bytes);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  u32(v: number): number[] {
    const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    return this.le ? b.reverse() : b;
  }

  u16(v: number): number[] {
    const b = [(v >>> 8) & 255, v & 255];
    return this.le ? b.reverse() : b;
  }

  /** §4.3: timestamp upper 32 bits first, each half in the section's byte order. */
  u64(v: bigint): number[] {
    return [...this.u32(Number(v >> 32n)), ...this.u32(Number(v & 0xffffffffn))];
  }

  /** A 64-bit option value (if_tsoffset): one integer in the section's byte order. */
  i64(v: bigint): number[] {
    const u = BigInt.asUintN(64, v);
    const be = Array.from({ length: 8 }, (_, i) => Number((u >> BigInt(56 - 8 * i)) & 0xffn));
    return this.le ? be.reverse() : be;
  }

  private option(code: number, value: readonly number[]): number[] {
    return [...this.u16(code), ...this.u16(value.length), ...this.pad(value)];
  }

  private pad(data: readonly number[]): number[] {
    const out = data.slice();
    while (out.length % 4 !== 0) out.push(0);
    return out;
  }
}

function open(bytes: Uint8Array, chunkSize?: number): CaptureReader {
  const path = join(dir, `g${fileNo++}.pcap`); // misleading extension on purpose: magic decides
  writeFileSync(path, bytes);
  const r = openCapture(path, chunkSize === undefined ? {} : { chunkSize });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

interface Packet {
  caplen: number;
  wirelen: number;
  ts: string;
  linkType: number;
  iface: number;
  bytes: number[];
}

function readAll(reader: CaptureReader, capacity = 64): Packet[] {
  const batch = createRawBatch(capacity);
  const out: Packet[] = [];
  let k: number;
  while ((k = reader.next(batch)) > 0) {
    for (let i = 0; i < k; i++) {
      const off = batch.offset[i]!;
      out.push({
        caplen: batch.caplen[i]!,
        wirelen: batch.wirelen[i]!,
        ts: formatEpoch(batch.tsSec[i]!, batch.tsNsec[i]!),
        linkType: batch.linkType[i]!,
        iface: batch.interfaceId[i]!,
        bytes: [...batch.data.subarray(off, off + batch.caplen[i]!)],
      });
    }
  }
  return out;
}

const DATA_A = [1, 2, 3, 4, 5, 6, 7];
const DATA_B = Array.from({ length: 60 }, (_, i) => i);

for (const le of [true, false]) {
  test(`EPBs in a ${le ? 'little' : 'big'}-endian section with µs and ns interfaces`, () => {
    const ng = new NgBuilder().shb(le)
      .idb(LinkType.ETHERNET) // no if_tsresol: 10^-6
      .idb(LinkType.LINUX_SLL, { tsresol: 9 })
      .epb(0, 1382197969322823n, DATA_A)
      .epb(1, 1722540110397706326n, DATA_B, 1500);
    const reader = open(ng.bytes());
    assert.equal(reader.format, 'pcapng');
    const packets = readAll(reader);
    assert.deepEqual(packets.map((p) => [p.caplen, p.wirelen, p.ts, p.linkType, p.iface]), [
      [7, 7, '1382197969.322823000', 1, 0],
      [60, 1500, '1722540110.397706326', 113, 1],
    ]);
    assert.deepEqual(packets[0]?.bytes, DATA_A);
    assert.deepEqual(packets[1]?.bytes, DATA_B);
    assert.deepEqual(reader.linkTypes(), [1, 113]);
    assert.equal(reader.warnings.length, 0);
    assert.equal(reader.bytesConsumed(), reader.fileSize);
  });
}

test('if_tsresol 2^-20 and a negative if_tsoffset', () => {
  const ng = new NgBuilder().shb()
    .idb(LinkType.RAW, { tsresol: 0x80 | 20, tsoffset: -100n })
    .idb(LinkType.RAW, { tsresol: 6, tsoffset: 1000000000n })
    .epb(0, (1700000000n << 20n) + 524288n, DATA_A) // + 0.5 s
    .epb(1, 5n, DATA_A);
  const packets = readAll(open(ng.bytes()));
  assert.deepEqual(packets.map((p) => p.ts), ['1699999900.500000000', '1000000000.000005000']);
});

test('the 64-bit timestamp reaches past 2^32 seconds (tcpdump time_2106_overflow)', () => {
  const ng = new NgBuilder().shb().idb(LinkType.ETHERNET).epb(0, 4294967296n * 1000000n, DATA_B);
  assert.deepEqual(readAll(open(ng.bytes())).map((p) => p.ts), ['4294967296.000000000']);
});

test('SPB: interface 0, captured length = min(original, snaplen, block data)', () => {
  const ng = new NgBuilder().shb()
    .idb(LinkType.ETHERNET, { snaplen: 20 })
    .spb(60, DATA_B.slice(0, 20)) // snaplen cut
    .spb(5, [9, 9, 9, 9, 9]) // original shorter than the padded data
    .spb(1000, DATA_B.slice(0, 8)); // original longer than the snaplen and the block
  const packets = readAll(open(ng.bytes()));
  assert.deepEqual(packets.map((p) => [p.caplen, p.wirelen, p.iface, p.linkType, p.ts]), [
    [20, 60, 0, 1, '0.000000000'],
    [5, 5, 0, 1, '0.000000000'],
    [8, 1000, 0, 1, '0.000000000'],
  ]);
  const unlimited = new NgBuilder().shb().idb(LinkType.ETHERNET, { snaplen: 0 }).spb(12, DATA_B.slice(0, 12));
  assert.deepEqual(readAll(open(unlimited.bytes())).map((p) => p.caplen), [12]);
});

test('obsolete Packet Block (Appendix A) reads like an EPB with a 16-bit interface id', () => {
  const ng = new NgBuilder().shb().idb(LinkType.ETHERNET).idb(LinkType.PPP, { tsresol: 3 })
    .pb(1, 1234567n, DATA_A, 99);
  assert.deepEqual(readAll(open(ng.bytes())).map((p) => [p.caplen, p.wirelen, p.iface, p.linkType, p.ts]),
    [[7, 99, 1, LinkType.PPP, '1234.567000000']]);
});

test('a second section resets the interfaces and may switch byte order', () => {
  const ng = new NgBuilder().shb(true).idb(LinkType.ETHERNET).idb(LinkType.RAW).epb(1, 1n, DATA_A)
    .shb(false).idb(LinkType.LINUX_SLL2, { tsresol: 9 }).epb(0, 2n, DATA_B);
  const reader = open(ng.bytes());
  assert.deepEqual(readAll(reader).map((p) => [p.linkType, p.iface, p.ts]), [
    [LinkType.RAW, 1, '0.000001000'],
    [LinkType.LINUX_SLL2, 0, '0.000000002'],
  ]);
  assert.deepEqual(reader.linkTypes(), [1, 101, 276]);
  // Interface 1 no longer exists after the second SHB.
  const stale = new NgBuilder().shb().idb(1).idb(1).shb().idb(1).epb(1, 1n, DATA_A);
  const r2 = open(stale.bytes());
  assert.equal(readAll(r2).length, 0);
  assert.deepEqual(r2.warnings.map((w) => [w.offset, w.record]), [[stale.starts[5], 6]]);
  assert.match(r2.warnings[0]!.message, /interface 1 but the section has 1 interface/);
});

test('NRB, ISB, DSB, custom and unknown blocks are skipped', () => {
  const ng = new NgBuilder().shb().idb(LinkType.ETHERNET)
    .block(4, [0, 0, 0, 0]) // NRB with only nrb_record_end
    .epb(0, 1n, DATA_A)
    .block(5, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) // ISB
    .block(0x0a, [0x4b, 0x53, 0x4c, 0x54, 0, 0, 0, 0]) // DSB, no secrets
    .block(0x00000bad, [1, 2, 3, 4, 9, 9]) // custom, copyable
    .block(0x40000bad, [1, 2, 3, 4]) // custom, do not copy
    .block(0x12345678, Array.from({ length: 40 }, () => 7)) // unknown type
    .epb(0, 2n, DATA_B);
  const reader = open(ng.bytes());
  assert.deepEqual(readAll(reader).map((p) => p.caplen), [7, 60]);
  assert.equal(reader.warnings.length, 0);
});

test('a large block we do not parse is skipped by seeking, its trailer still checked', () => {
  const big = MAX_RECORD_SPAN + 4096;
  const ok = new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A).block(0x00000bad, new Array<number>(big).fill(1)).epb(0, 2n, DATA_A);
  assert.deepEqual(readAll(open(ok.bytes(), 4096)).map((p) => p.ts), ['0.000001000', '0.000002000']);
  const bad = new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A).block(0x00000bad, new Array<number>(big).fill(1), 16);
  const reader = open(bad.bytes(), 4096);
  assert.equal(readAll(reader).length, 1);
  assert.deepEqual(reader.warnings.map((w) => [w.offset, w.record]), [[bad.starts[3], 4]]);
});

test('a packet block claiming more than the limit is a fault, never an allocation', () => {
  const ng = new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A)
    .raw([6, 0, 0, 0, 0x10, 0, 0, 0x80, 0, 0, 0, 0]); // EPB claiming 0x80000010 bytes
  const reader = open(ng.bytes(), 64);
  const batch = createRawBatch(8);
  assert.equal(reader.next(batch), 1);
  assert.equal(reader.next(batch), 0);
  assert.ok(batch.data.length <= MAX_RECORD_SPAN);
  assert.deepEqual(reader.warnings.map((w) => [w.offset, w.record]), [[ng.starts[3], 4]]);
  assert.match(reader.warnings[0]!.message, /claims 2147483664 bytes/);
});

test('block length checks: minimum, multiple of 4, trailing copy', () => {
  const base = (): NgBuilder => new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A);
  const cases: [NgBuilder, RegExp][] = [
    [base().raw([6, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0]), /block length 8 is invalid/],
    [base().raw([6, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /block length 14 is invalid/],
    [base().block(6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 116), /lengths differ: 32 at the start, 116 at the end/],
  ];
  for (const [ng, message] of cases) {
    for (const chunkSize of [undefined, 13]) {
      const reader = open(ng.bytes(), chunkSize);
      assert.equal(readAll(reader).length, 1);
      assert.equal(reader.warnings.length, 1);
      assert.deepEqual([reader.warnings[0]?.offset, reader.warnings[0]?.record], [ng.starts[3], 4]);
      assert.match(reader.warnings[0]!.message, message);
    }
  }
});

test('EPB captured length beyond its block, and a block running past the end of the file', () => {
  const tooLong = new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A).epb(0, 2n, DATA_A, 7, 200);
  const r1 = open(tooLong.bytes());
  assert.equal(readAll(r1).length, 1);
  assert.match(r1.warnings[0]!.message, /captured length 200 does not fit the 40-byte block/);
  assert.equal(r1.warnings[0]?.record, 4);

  const whole = new NgBuilder().shb().idb(1).epb(0, 1n, DATA_A).epb(0, 2n, DATA_B);
  for (const cut of [4, 10, 50]) {
    for (const chunkSize of [undefined, 16]) {
      const reader = open(whole.bytes().subarray(0, whole.starts[3]! + cut), chunkSize);
      assert.equal(readAll(reader).length, 1);
      assert.deepEqual(reader.warnings.map((w) => [w.offset, w.record]), [[whole.starts[3], 4]]);
      assert.match(reader.warnings[0]!.message, /truncated/);
    }
  }
});

test('blocks never straddle a batch, whatever the chunk size and capacity', () => {
  const ng = new NgBuilder().shb(false).idb(LinkType.ETHERNET).idb(LinkType.RAW, { tsresol: 9 });
  const expected: unknown[] = [];
  for (let i = 0; i < 150; i++) {
    const data = Array.from({ length: (i * 29) % 200 }, (_, k) => (i + k) & 255);
    if (i % 17 === 0) ng.block(0x0bad, [0, 0, 0x7f, 0xff, i]);
    ng.epb(i % 2, BigInt(i) * 1000n, data);
    expected.push([data.length, i % 2 === 0 ? `0.${String(i * 1000).padStart(6, '0')}000` : `0.000${String(i * 1000).padStart(6, '0')}`, data]);
  }
  const bytes = ng.bytes();
  for (const chunkSize of [1, 12, 50, 257, 4096]) {
    for (const capacity of [1, 5, 100]) {
      const reader = open(bytes, chunkSize);
      const got = readAll(reader, capacity).map((p) => [p.caplen, p.ts, p.bytes]);
      assert.deepEqual(got, expected, `chunk ${chunkSize} capacity ${capacity}`);
      assert.equal(reader.bytesConsumed(), bytes.length);
    }
  }
});

test('an unsupported if_tsresol is reported and microseconds assumed', () => {
  const reader = open(new NgBuilder().shb().idb(1, { tsresol: 40 }).epb(0, 3n, DATA_A).bytes());
  assert.deepEqual(readAll(reader).map((p) => p.ts), ['0.000003000']);
  assert.equal(reader.warnings.length, 1);
  assert.match(reader.warnings[0]!.message, /if_tsresol 0x00000028 is out of range/);
});
