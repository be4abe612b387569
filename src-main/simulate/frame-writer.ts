/**
 * Builds Ethernet / IPv4 or IPv6 / TCP or UDP frames (IEEE 802.3, RFC 791, RFC 8200, RFC 9293,
 * RFC 768) with correct IPv4 header and transport checksums straight into a RawBatch, and hands
 * full batches to the streaming pcapng writer: memory stays at one batch whatever the length.
 */
import { createRawBatch, type RawBatch } from '../ingest/raw-batch.js';
import type { PcapngWriter } from '../capture/pcapng-writer.js';

/** One side of a conversation: its IP address (4 or 16 bytes) and MAC address. */
export interface Endpoint {
  readonly ip: Uint8Array;
  readonly mac: Uint8Array;
}

/** Fills payload bytes data[off, off + len) of a frame being built. */
export type PayloadFill = (data: Uint8Array, off: number, len: number) => void;

const BATCH_RECORDS = 4096;
const BATCH_BYTES = 8 << 20;
const MAX_FRAME = 1600;

/** TCP flag bits. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Writes frames at microsecond timestamps (relative to `startSec`) through a PcapngWriter. */
export class FrameWriter {
  private readonly raw: RawBatch = createRawBatch(BATCH_RECORDS);
  private readonly data = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private ipId = 0;
  /** Frames written so far. */
  packets = 0;
  /** Wire bytes written so far. */
  bytes = 0;
  private failed = false;

  constructor(private readonly writer: PcapngWriter, private readonly startSec: number) {
    this.raw.data = this.data;
  }

  /** A TCP segment of `len` payload bytes (zeros unless `fill` writes them). */
  tcp(tUs: number, src: Endpoint, dst: Endpoint, sport: number, dport: number, seq: number, ack: number,
    flags: number, len: number, fill?: PayloadFill): void {
    const d = this.begin(tUs);
    const l4 = this.ipHeader(d, src, dst, 6, 20 + len);
    const o = l4;
    put16(d, o, sport);
    put16(d, o + 2, dport);
    put32(d, o + 4, seq >>> 0);
    put32(d, o + 8, (flags & TcpFlag.ACK) !== 0 ? ack >>> 0 : 0);
    d[o + 12] = 5 << 4;
    d[o + 13] = flags;
    put16(d, o + 14, 65535);
    put16(d, o + 16, 0);
    put16(d, o + 18, 0);
    d.fill(0, o + 20, o + 20 + len);
    if (fill !== undefined && len > 0) fill(d, o + 20, len);
    put16(d, o + 16, transportChecksum(d, src.ip, dst.ip, 6, o, 20 + len));
    this.end(o + 20 + len);
  }

  /** A UDP datagram carrying `payload`. */
  udp(tUs: number, src: Endpoint, dst: Endpoint, sport: number, dport: number, payload: Uint8Array): void {
    const d = this.begin(tUs);
    const len = Math.min(payload.length, MAX_FRAME - 70);
    const o = this.ipHeader(d, src, dst, 17, 8 + len);
    put16(d, o, sport);
    put16(d, o + 2, dport);
    put16(d, o + 4, 8 + len);
    put16(d, o + 6, 0);
    d.set(payload.subarray(0, len), o + 8);
    const sum = transportChecksum(d, src.ip, dst.ip, 17, o, 8 + len);
    put16(d, o + 6, sum === 0 ? 0xffff : sum);
    this.end(o + 8 + len);
  }

  /** Writes what is buffered; false once a write failed. */
  flush(): boolean {
    if (this.raw.count > 0 && !this.failed) {
      if (!this.writer.writeBatch(this.raw)) this.failed = true;
    }
    this.raw.count = 0;
    this.used = 0;
    return !this.failed;
  }

  private begin(tUs: number): Uint8Array {
    if (this.raw.count >= BATCH_RECORDS || this.used + MAX_FRAME > BATCH_BYTES) this.flush();
    const i = this.raw.count;
    const sec = Math.floor(tUs / 1e6);
    this.raw.tsSec[i] = this.startSec + sec;
    this.raw.tsNsec[i] = (tUs - sec * 1e6) * 1000;
    this.raw.offset[i] = this.used;
    return this.data;
  }

  private end(frameEnd: number): void {
    const i = this.raw.count;
    const len = frameEnd - this.used;
    this.raw.caplen[i] = len;
    this.raw.wirelen[i] = len;
    this.raw.linkType[i] = 1;
    this.raw.interfaceId[i] = 0;
    this.raw.count = i + 1;
    this.used = frameEnd;
    this.packets++;
    this.bytes += len;
  }

  /** Ethernet II + IPv4 (RFC 791 §3.1) or IPv6 (RFC 8200 §3) header; returns the L4 offset. */
  private ipHeader(d: Uint8Array, src: Endpoint, dst: Endpoint, proto: number, l4Len: number): number {
    let o = this.used;
    d.set(dst.mac, o);
    d.set(src.mac, o + 6);
    const v6 = src.ip.length === 16;
    put16(d, o + 12, v6 ? 0x86dd : 0x0800);
    o += 14;
    if (v6) {
      put32(d, o, 0x60000000);
      put16(d, o + 4, l4Len);
      d[o + 6] = proto;
      d[o + 7] = 64;
      d.set(src.ip, o + 8);
      d.set(dst.ip, o + 24);
      return o + 40;
    }
    d[o] = 0x45;
    d[o + 1] = 0;
    put16(d, o + 2, 20 + l4Len);
    this.ipId = (this.ipId + 1) & 0xffff;
    put16(d, o + 4, this.ipId);
    put16(d, o + 6, 0x4000);
    d[o + 8] = 64;
    d[o + 9] = proto;
    put16(d, o + 10, 0);
    d.set(src.ip, o + 12);
    d.set(dst.ip, o + 16);
    put16(d, o + 10, ~sum16(d, o, 20, 0) & 0xffff);
    return o + 20;
  }
}

function put16(d: Uint8Array, o: number, v: number): void {
  d[o] = (v >>> 8) & 0xff;
  d[o + 1] = v & 0xff;
}

function put32(d: Uint8Array, o: number, v: number): void {
  d[o] = (v >>> 24) & 0xff;
  d[o + 1] = (v >>> 16) & 0xff;
  d[o + 2] = (v >>> 8) & 0xff;
  d[o + 3] = v & 0xff;
}

/** 16-bit one's-complement sum (RFC 1071), folded, starting from `acc`. */
function sum16(d: Uint8Array, o: number, len: number, acc: number): number {
  let s = acc;
  const end = o + (len & ~1);
  for (let p = o; p < end; p += 2) s += (d[p]! << 8) | d[p + 1]!;
  if (len & 1) s += d[o + len - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** TCP/UDP checksum over the pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1) and the segment. */
function transportChecksum(d: Uint8Array, src: Uint8Array, dst: Uint8Array, proto: number, o: number, len: number): number {
  let s = proto + len;
  for (let k = 0; k < src.length; k += 2) s += ((src[k]! << 8) | src[k + 1]!) + ((dst[k]! << 8) | dst[k + 1]!);
  return ~sum16(d, o, len, s) & 0xffff;
}
