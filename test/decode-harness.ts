/**
 * Helpers for the decoder unit tests: frames written in hex, decoded one at a time or as a
 * batch, results read back relative to the frame start, and a truncation sweep that proves a
 * decoder never throws and never reads past the captured length.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { createDecodedBatch, NO_OFFSET, packetBytes, ProtoBit, type DecodedBatch } from '../src-main/ingest/decoded-batch.js';
import { PacketDecoder } from '../src-main/ingest/packet-decoder.js';
import { createRawBatch, type RawBatch } from '../src-main/ingest/raw-batch.js';

/** Bytes from hex text; spaces, newlines and `|` separators are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Concatenates byte arrays. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** One frame to decode: its bytes, link type (default Ethernet) and wire length (default caplen). */
export interface FrameSpec {
  readonly bytes: Uint8Array;
  readonly linkType?: number;
  readonly wirelen?: number;
}

/** Packs frames into one RawBatch, each preceded by `gap` bytes of `fill` (and followed by them). */
export function rawBatchOf(frames: readonly FrameSpec[], gap = 3, fill = 0xee): RawBatch {
  const raw = createRawBatch(Math.max(1, frames.length));
  const size = frames.reduce((n, f) => n + f.bytes.length + gap, gap);
  const data = new Uint8Array(size).fill(fill);
  let p = gap;
  frames.forEach((f, i) => {
    data.set(f.bytes, p);
    raw.offset[i] = p;
    raw.caplen[i] = f.bytes.length;
    raw.wirelen[i] = f.wirelen ?? f.bytes.length;
    raw.linkType[i] = f.linkType ?? 1;
    p += f.bytes.length + gap;
  });
  raw.data = data;
  raw.count = frames.length;
  return raw;
}

/** One extra (outer) TCP/UDP layer, with its IP header offset relative to the frame start. */
export interface ExtraLayerView {
  ipVersion: number;
  ipOffset: number;
  ipProto: number;
  srcPort: number;
  dstPort: number;
}

/** What the decoder said about one frame; offsets relative to the frame start (−1 = absent). */
export interface FrameView {
  protocols: string[];
  mask: number;
  ipVersion: number;
  ipOffset: number;
  ipProto: number;
  l4Offset: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  tcpSeq: number;
  tcpAck: number;
  tcpWindow: number;
  payloadOffset: number;
  payloadLength: number;
  extras: ExtraLayerView[];
  /** The bytes the offsets point into (the frame, or the reassembled copy). */
  bytes: Uint8Array;
}

/** Names of the ProtoBit flags set in `mask`, in ProtoBit order. */
export function protocolNames(mask: number): string[] {
  return Object.entries(ProtoBit).filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name);
}

/** Reads packet i of a decoded batch as a FrameView. */
export function viewOf(raw: RawBatch, out: DecodedBatch, i: number): FrameView {
  const reassembled = (out.protoMask[i]! & ProtoBit.REASSEMBLED) !== 0;
  // Offsets into the reassembled copy are relative to the frame's copy, which starts where
  // the copy of this frame begins: the smallest offset recorded for it.
  const base = reassembled ? frameBaseInCopy(out, i) : raw.offset[i]!;
  const rel = (o: number): number => (o === NO_OFFSET ? -1 : o - base);
  const extras: ExtraLayerView[] = [];
  for (let k = 0; k < out.layers.count; k++) {
    if (out.layers.packetIndex[k] !== i) continue;
    extras.push({
      ipVersion: out.layers.ipVersion[k]!, ipOffset: rel(out.layers.ipOffset[k]!),
      ipProto: out.layers.ipProto[k]!, srcPort: out.layers.srcPort[k]!, dstPort: out.layers.dstPort[k]!,
    });
  }
  const data = packetBytes(raw.data, out, i);
  const frameBytes = reassembled ? data.subarray(base, out.reassembled.length) : data.subarray(base, base + raw.caplen[i]!);
  return {
    protocols: protocolNames(out.protoMask[i]!),
    mask: out.protoMask[i]!,
    ipVersion: out.ipVersion[i]!,
    ipOffset: rel(out.ipOffset[i]!),
    ipProto: out.ipProto[i]!,
    l4Offset: rel(out.l4Offset[i]!),
    srcPort: out.srcPort[i]!,
    dstPort: out.dstPort[i]!,
    tcpFlags: out.tcpFlags[i]!,
    tcpSeq: out.tcpSeq[i]!,
    tcpAck: out.tcpAck[i]!,
    tcpWindow: out.tcpWindow[i]!,
    payloadOffset: rel(out.payloadOffset[i]!),
    payloadLength: out.payloadLength[i]!,
    extras,
    bytes: frameBytes,
  };
}

/** Start of packet i's copy in `reassembled.data`: 0, as tests complete one datagram per batch. */
function frameBaseInCopy(out: DecodedBatch, i: number): number {
  for (let j = 0; j < i; j++) {
    if ((out.protoMask[j]! & ProtoBit.REASSEMBLED) !== 0) {
      throw new Error('viewOf: only one reassembled frame per batch is supported');
    }
  }
  return 0;
}

/**
 * When set, every frame decoded through decodeFrames is appended to this JSONL file (link type,
 * hex, wire length, our flags), so that a developer can check the fixtures against tshark.
 */
const DUMP_PATH = process.env['FLOWBENCH_DUMP_FRAMES'];
let dumpGroup = 0;

/** Decodes frames as one batch with a fresh (or the given) decoder. */
export function decodeFrames(frames: readonly FrameSpec[], decoder = new PacketDecoder()): { raw: RawBatch; out: DecodedBatch; views: FrameView[] } {
  const raw = rawBatchOf(frames);
  const out = createDecodedBatch(Math.max(1, frames.length));
  decoder.decode(raw, out);
  const views = frames.map((_, i) => viewOf(raw, out, i));
  if (DUMP_PATH !== undefined && DUMP_PATH !== '') {
    const group = `${process.pid}-${dumpGroup++}`;
    const lines = frames.map((f, i) => JSON.stringify({
      linkType: f.linkType ?? 1, hex: Buffer.from(f.bytes).toString('hex'),
      wirelen: f.wirelen ?? f.bytes.length, protocols: views[i]!.protocols, group, batch: frames.length > 1,
    }));
    appendFileSync(DUMP_PATH, lines.join('\n') + '\n');
  }
  return { raw, out, views };
}

/** Decodes one frame. */
export function decodeFrame(bytes: Uint8Array, linkType = 1, wirelen?: number): FrameView {
  return decodeFrames([{ bytes, linkType, ...(wirelen === undefined ? {} : { wirelen }) }]).views[0]!;
}

/** A FrameView without its byte view, for deep comparisons. */
function comparable(v: FrameView): Omit<FrameView, 'bytes'> {
  const { bytes: _bytes, ...rest } = v;
  return rest;
}

/**
 * Truncates `bytes` to every length 0..n (keeping the full wire length) and decodes each cut
 * three times: with 0x00 bytes after the cut, with 0xFF after it, and with the cut at the very
 * end of the buffer. Decoding must not throw, and the three results must be identical: a read
 * past the captured length would see different bytes (or none) and change something.
 */
export function assertTruncationSafe(bytes: Uint8Array, linkType = 1): void {
  for (let k = 0; k <= bytes.length; k++) {
    const cut = bytes.subarray(0, k);
    const spec = { bytes: cut, linkType, wirelen: bytes.length };
    const results = [0x00, 0xff].map((fill) => {
      const raw = rawBatchOf([spec], 64, fill);
      const out = createDecodedBatch(1);
      new PacketDecoder().decode(raw, out);
      return comparable(viewOf(raw, out, 0));
    });
    const atEnd = createRawBatch(1);
    atEnd.data = Uint8Array.from(cut);
    atEnd.offset[0] = 0;
    atEnd.caplen[0] = k;
    atEnd.wirelen[0] = bytes.length;
    atEnd.linkType[0] = linkType;
    atEnd.count = 1;
    const out = createDecodedBatch(1);
    new PacketDecoder().decode(atEnd, out);
    const last = comparable(viewOf(atEnd, out, 0));
    assert.deepEqual(results[0], results[1], `cut at ${k} of ${bytes.length}: bytes past the cut changed the result`);
    assert.deepEqual(results[0], last, `cut at ${k} of ${bytes.length}: result differs when the buffer ends at the cut`);
  }
}

// ---- Header builders (checksums left zero: decoders do not verify them) ----

/** Ethernet II header (IEEE 802.3 §3.1.1) with fixed MAC addresses. */
export function eth(type: number): Uint8Array {
  return cat(hex('02 00 00 00 00 02 | 02 00 00 00 00 01'), u16(type));
}

/** IPv4 header (RFC 791) of 20 bytes + options, total length = header + payloadLength. */
export function ipv4(proto: number, payloadLength: number, opts: { src?: string; dst?: string; id?: number; flagsFrag?: number; options?: Uint8Array; totalLength?: number } = {}): Uint8Array {
  const options = opts.options ?? new Uint8Array(0);
  const hlen = 20 + options.length;
  const total = opts.totalLength ?? hlen + payloadLength;
  return cat(
    Uint8Array.of(0x40 | (hlen >> 2), 0), u16(total), u16(opts.id ?? 0x1234), u16(opts.flagsFrag ?? 0x4000),
    Uint8Array.of(64, proto), u16(0), addr4(opts.src ?? '10.0.0.1'), addr4(opts.dst ?? '10.0.0.2'), options,
  );
}

/** IPv6 fixed header (RFC 8200 §3), payload length given, addresses 2001:db8::1 → ::2. */
export function ipv6(nextHeader: number, payloadLength: number): Uint8Array {
  return cat(hex('60 00 00 00'), u16(payloadLength), Uint8Array.of(nextHeader, 64),
    hex('20010db8000000000000000000000001'), hex('20010db8000000000000000000000002'));
}

/** TCP header (RFC 9293 §3.1): 20 bytes + options (padded by the caller to 4 bytes). */
export function tcp(sport: number, dport: number, opts: { seq?: number; ack?: number; flags?: number; window?: number; options?: Uint8Array; dataOffset?: number } = {}): Uint8Array {
  const options = opts.options ?? new Uint8Array(0);
  const words = opts.dataOffset ?? (20 + options.length) / 4;
  const flags = opts.flags ?? 0x018;
  return cat(u16(sport), u16(dport), u32(opts.seq ?? 1000), u32(opts.ack ?? 2000),
    Uint8Array.of((words << 4) | ((flags >> 8) & 1), flags & 0xff), u16(opts.window ?? 512), u16(0), u16(0), options);
}

/** UDP header (RFC 768); `length` defaults to 8 + payloadLength. */
export function udp(sport: number, dport: number, payloadLength: number, length = 8 + payloadLength): Uint8Array {
  return cat(u16(sport), u16(dport), u16(length), u16(0));
}

/** Big-endian 16-bit value. */
export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}

/** Big-endian 32-bit value. */
export function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function addr4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** `n` payload bytes 0x61 ('a'). */
export function payload(n: number): Uint8Array {
  return new Uint8Array(n).fill(0x61);
}
