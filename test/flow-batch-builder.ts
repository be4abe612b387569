/**
 * Hand-made RawBatch + DecodedBatch pairs for flow-stage unit tests: each packet is written
 * as real Ethernet / IPv4 or IPv6 / TCP or UDP bytes (RFC 791, RFC 8200, RFC 9293, RFC 768)
 * and its DecodedBatch fields are filled as the decoder contract describes, so tests do not
 * depend on the decoder.
 */
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import type { RawBatch } from '../src-main/ingest/raw-batch.js';
import { createDecodedBatch, NO_OFFSET, ProtoBit } from '../src-main/ingest/decoded-batch.js';
import type { DecodedBatch } from '../src-main/ingest/decoded-batch.js';

/** One packet to build. */
export interface PacketSpec {
  /** Whole epoch seconds and nanoseconds. */
  readonly sec: number;
  readonly ns?: number;
  readonly src: string;
  readonly dst: string;
  readonly proto?: 'tcp' | 'udp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flags as letters: S, A, F, R, P, U (e.g. 'SA', 'PA', 'FA'). */
  readonly flags?: string;
  readonly seq?: number;
  readonly ack?: number;
  /** Payload bytes, or a length of zero bytes. */
  readonly payload?: Uint8Array | number;
  /** Wire length (default: the built frame's length). */
  readonly wirelen?: number;
  /** Mark as an IPv4 fragment without transport header (non-first fragment). */
  readonly fragment?: boolean;
  /** Not IP at all (ARP). */
  readonly nonIp?: boolean;
}

/** Parses dotted IPv4 or RFC 4291 text IPv6 into 4 or 16 bytes. */
export function parseAddress(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const [head, tail] = text.split('::') as [string, string | undefined];
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, k) => {
    out[2 * k] = w >> 8;
    out[2 * k + 1] = w & 0xff;
  });
  return out;
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

/** TCP flag letters → bits. */
export function tcpFlags(letters: string): number {
  let f = 0;
  for (const c of letters) f |= FLAG_BITS[c] ?? 0;
  return f;
}

/** Builds one batch from packet specs (capacity = number of packets, at least 1). */
export function buildBatch(packets: readonly PacketSpec[]): { raw: RawBatch; dec: DecodedBatch } {
  const cap = Math.max(1, packets.length);
  const raw = createRawBatch(cap);
  const dec = createDecodedBatch(cap);
  const frames: Uint8Array[] = [];
  let total = 0;
  packets.forEach((p, i) => {
    const frame = writePacket(p, dec, i, total);
    frames.push(frame);
    raw.offset[i] = total;
    raw.caplen[i] = frame.length;
    raw.wirelen[i] = p.wirelen ?? frame.length;
    raw.tsSec[i] = p.sec;
    raw.tsNsec[i] = p.ns ?? 0;
    raw.linkType[i] = 1;
    total += frame.length;
  });
  raw.data = new Uint8Array(total);
  frames.forEach((f, i) => raw.data.set(f, raw.offset[i]!));
  raw.count = packets.length;
  dec.count = packets.length;
  return { raw, dec };
}

function writePacket(p: PacketSpec, dec: DecodedBatch, i: number, base: number): Uint8Array {
  dec.protoMask[i] = 0;
  dec.ipVersion[i] = 0;
  dec.ipOffset[i] = NO_OFFSET;
  dec.l4Offset[i] = NO_OFFSET;
  dec.payloadOffset[i] = NO_OFFSET;
  dec.payloadLength[i] = 0;
  dec.srcPort[i] = 0;
  dec.dstPort[i] = 0;
  dec.tcpFlags[i] = 0;
  dec.ipProto[i] = 0;
  if (p.nonIp) {
    dec.protoMask[i] = ProtoBit.ARP;
    return new Uint8Array(42);
  }
  const src = parseAddress(p.src);
  const dst = parseAddress(p.dst);
  const v6 = src.length === 16;
  const proto = p.proto ?? 'tcp';
  const payload = typeof p.payload === 'number' ? new Uint8Array(p.payload) : (p.payload ?? new Uint8Array(0));
  const l4len = proto === 'tcp' ? 20 : 8;
  const ipLen = v6 ? 40 : 20;
  const frame = new Uint8Array(14 + ipLen + (p.fragment ? payload.length : l4len + payload.length));
  const ip = 14;
  frame[12] = v6 ? 0x86 : 0x08;
  frame[13] = v6 ? 0xdd : 0x00;
  const protoNum = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : 1;
  if (v6) {
    frame[ip] = 0x60;
    frame[ip + 6] = protoNum;
    frame.set(src, ip + 8);
    frame.set(dst, ip + 24);
  } else {
    frame[ip] = 0x45;
    frame[ip + 9] = protoNum;
    frame.set(src, ip + 12);
    frame.set(dst, ip + 16);
  }
  dec.ipVersion[i] = v6 ? 6 : 4;
  dec.ipOffset[i] = base + ip;
  dec.ipProto[i] = protoNum;
  let mask: number = (v6 ? ProtoBit.IPV6 : ProtoBit.IPV4) | (proto === 'tcp' ? ProtoBit.TCP : proto === 'udp' ? ProtoBit.UDP : ProtoBit.ICMP);
  if (p.fragment) {
    dec.protoMask[i] = mask | (v6 ? ProtoBit.IPV6_FRAGMENT : ProtoBit.IPV4_FRAGMENT);
    return frame;
  }
  const l4 = ip + ipLen;
  const sport = p.sport ?? 0;
  const dport = p.dport ?? 0;
  if (proto === 'tcp') {
    const v = new DataView(frame.buffer);
    v.setUint16(l4, sport);
    v.setUint16(l4 + 2, dport);
    v.setUint32(l4 + 4, (p.seq ?? 0) >>> 0);
    v.setUint32(l4 + 8, (p.ack ?? 0) >>> 0);
    frame[l4 + 12] = 0x50;
    frame[l4 + 13] = tcpFlags(p.flags ?? 'A');
    dec.tcpSeq[i] = (p.seq ?? 0) >>> 0;
    dec.tcpAck[i] = (p.ack ?? 0) >>> 0;
    dec.tcpFlags[i] = tcpFlags(p.flags ?? 'A');
  } else if (proto === 'udp') {
    const v = new DataView(frame.buffer);
    v.setUint16(l4, sport);
    v.setUint16(l4 + 2, dport);
    v.setUint16(l4 + 4, 8 + payload.length);
  } else {
    frame[l4] = 8; // echo request
    dec.tcpFlags[i] = 8 << 8;
  }
  frame.set(payload, l4 + l4len);
  mask |= ProtoBit.L4_HEADER;
  dec.protoMask[i] = mask;
  dec.srcPort[i] = proto === 'icmp' ? 0 : sport;
  dec.dstPort[i] = proto === 'icmp' ? 0 : dport;
  dec.l4Offset[i] = base + l4;
  dec.payloadOffset[i] = base + l4 + l4len;
  dec.payloadLength[i] = payload.length;
  return frame;
}

/** A DNS message with one question (type A) and, for a response, one A answer. */
export function dnsMessage(id: number, response: boolean, name: string, answer?: number[]): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  const q = [...labels, 0, 0, 1, 0, 1];
  const an = answer ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...answer] : [];
  return Uint8Array.from([id >> 8, id & 0xff, response ? 0x81 : 0x01, response ? 0x80 : 0, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0, ...q, ...an]);
}

/** A minimal TLS 1.2 ClientHello record carrying one server_name. */
export function clientHello(host: string): Uint8Array {
  const name = [...new TextEncoder().encode(host)];
  const sni = [0, 0, 0, name.length + 5, 0, name.length + 3, 0, name.length >> 8, name.length & 0xff, ...name];
  const body = [3, 3, ...new Array<number>(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0, 0, sni.length, ...sni];
  const hs = [1, 0, body.length >> 8, body.length & 0xff, ...body];
  return Uint8Array.from([22, 3, 1, hs.length >> 8, hs.length & 0xff, ...hs]);
}
