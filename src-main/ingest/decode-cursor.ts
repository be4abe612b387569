import { createDecodedBatch, NO_OFFSET, type DecodedBatch, type ExtraLayers } from './decoded-batch.js';
import { IpReassembly } from './ip-reassembly.js';

const EMPTY = new Uint8Array(0);

/**
 * Mutable state of the packet being decoded, shared by the layer decoders.
 *
 * The layer decoders are plain functions `(cursor, offset, end, reported)` where `offset..end`
 * is the captured part of the layer and `reported` its end as the headers say (≥ end): bytes
 * at or past `end` are never read. One cursor lives in each PacketDecoder and is reused for
 * every packet, so the hot path allocates nothing.
 */
export class DecodeCursor {
  /** The bytes being decoded: the RawBatch's data, or the batch's reassembled copy. */
  data: Uint8Array = EMPTY;
  out: DecodedBatch = createDecodedBatch(0);
  /** Index of the packet in `out`. */
  index = 0;
  /** ProtoBit flags met so far in this packet. */
  mask = 0;
  /** > 0 while decoding headers quoted inside an ICMP/ICMPv6 error: they set mask bits only. */
  quoted = 0;
  /** Encapsulation depth, bounded so that crafted tunnel chains cannot recurse forever. */
  depth = 0;
  /** A primary IP layer was written for this packet (an inner one replaces it). */
  hasIp = false;
  /** Primary transport fields were written for the current primary IP layer. */
  hasL4 = false;
  /** The primary slot holds a complete TCP/UDP header, to move to `layers` if an inner IP follows. */
  primaryL4 = false;
  /** Offset in `data` where the current frame starts. */
  frameStart = 0;
  /** Decoding a reassembled copy: fragments met inside are not reassembled again. */
  inCopy = false;
  /** Fragments waiting for the rest of their datagram (lives across batches). */
  readonly reassembly: IpReassembly;

  constructor(reassembly: IpReassembly = new IpReassembly()) {
    this.reassembly = reassembly;
  }

  /** Starts a packet. Output arrays are written by the layers found and by finish(). */
  begin(out: DecodedBatch, index: number, data: Uint8Array, frameStart: number): void {
    this.out = out;
    this.index = index;
    this.data = data;
    this.frameStart = frameStart;
    this.mask = 0;
    this.quoted = 0;
    this.depth = 0;
    this.hasIp = false;
    this.hasL4 = false;
    this.primaryL4 = false;
    this.inCopy = false;
  }

  /** Ends a packet: the flags, and "absent" values in every field no layer wrote. */
  finish(): void {
    const out = this.out;
    const i = this.index;
    out.protoMask[i] = this.mask;
    if (!this.hasIp) {
      out.ipVersion[i] = 0;
      out.ipOffset[i] = NO_OFFSET;
      out.ipProto[i] = 0;
    }
    if (!this.hasL4) clearTransport(out, i);
  }
}

/** Resets the primary transport fields of packet `i` to "absent". */
export function clearTransport(out: DecodedBatch, i: number): void {
  out.l4Offset[i] = NO_OFFSET;
  out.srcPort[i] = 0;
  out.dstPort[i] = 0;
  out.tcpFlags[i] = 0;
  out.tcpSeq[i] = 0;
  out.tcpAck[i] = 0;
  out.tcpWindow[i] = 0;
  out.payloadOffset[i] = NO_OFFSET;
  out.payloadLength[i] = 0;
}

/**
 * Makes the IP header at `off` the packet's primary IP layer. A complete TCP/UDP layer already
 * in the primary slot (the outer UDP of VXLAN, Geneve, GTP…) moves to the extra layers first.
 */
export function setPrimaryIp(c: DecodeCursor, version: number, off: number, proto: number): void {
  const out = c.out;
  const i = c.index;
  if (c.primaryL4) {
    pushExtraLayer(c);
    c.primaryL4 = false;
  }
  c.hasIp = true;
  c.hasL4 = false;
  out.ipVersion[i] = version;
  out.ipOffset[i] = off;
  out.ipProto[i] = proto;
}

function pushExtraLayer(c: DecodeCursor): void {
  const out = c.out;
  const i = c.index;
  let l = out.layers;
  if (l.count === l.capacity) l = growExtraLayers(l);
  const k = l.count++;
  l.packetIndex[k] = i;
  l.ipVersion[k] = out.ipVersion[i]!;
  l.ipOffset[k] = out.ipOffset[i]!;
  l.ipProto[k] = out.ipProto[i]!;
  l.srcPort[k] = out.srcPort[i]!;
  l.dstPort[k] = out.dstPort[i]!;
}

/** Doubles the capacity of an extra-layer list in place (rare: only tunnelled frames use it). */
function growExtraLayers(l: ExtraLayers): ExtraLayers {
  const cap = Math.max(16, l.capacity * 2);
  l.packetIndex = grow32(l.packetIndex, cap);
  l.ipOffset = grow32(l.ipOffset, cap);
  l.ipVersion = grow8(l.ipVersion, cap);
  l.ipProto = grow8(l.ipProto, cap);
  l.srcPort = grow16(l.srcPort, cap);
  l.dstPort = grow16(l.dstPort, cap);
  l.capacity = cap;
  return l;
}

function grow32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function grow16(a: Uint16Array, n: number): Uint16Array {
  const b = new Uint16Array(n);
  b.set(a);
  return b;
}

function grow8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

/**
 * Writes every primary transport field at once (fewer passes over the arrays than clearing
 * first): the transport header offset, ports, TCP fields (or ICMP type/code in `flags`) and
 * the payload's offset and length.
 */
export function writeTransport(
  c: DecodeCursor, l4Offset: number, sport: number, dport: number, flags: number,
  seq: number, ack: number, window: number, payloadOffset: number, payloadLength: number,
): void {
  const out = c.out;
  const i = c.index;
  out.l4Offset[i] = l4Offset;
  out.srcPort[i] = sport;
  out.dstPort[i] = dport;
  out.tcpFlags[i] = flags;
  out.tcpSeq[i] = seq;
  out.tcpAck[i] = ack;
  out.tcpWindow[i] = window;
  out.payloadOffset[i] = payloadOffset;
  out.payloadLength[i] = payloadLength;
  c.hasL4 = true;
}

/**
 * Moves the offsets already recorded for the current packet (primary IP, extra layers) by
 * `delta`: used when decoding continues in the reassembled copy of the frame.
 */
export function shiftRecordedOffsets(c: DecodeCursor, delta: number): void {
  const out = c.out;
  const i = c.index;
  if (out.ipOffset[i] !== NO_OFFSET) out.ipOffset[i] = out.ipOffset[i]! + delta;
  const l = out.layers;
  for (let k = l.count - 1; k >= 0 && l.packetIndex[k] === i; k--) {
    if (l.ipOffset[k] !== NO_OFFSET) l.ipOffset[k] = l.ipOffset[k]! + delta;
  }
}
