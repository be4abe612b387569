/**
 * The packet decoder: RawBatch in, DecodedBatch out, one switch on the link type per packet
 * and straight-line header parsing below it, with no allocation per packet.
 */
import { ProtoBit, type DecodedBatch } from './decoded-batch.js';
import { DecodeCursor } from './decode-cursor.js';
import { IpReassembly } from './ip-reassembly.js';
import { LinkType } from './link-types.js';
import type { RawBatch } from './raw-batch.js';
import { decodeIpnet, decodeIpoib, decodeNflog, decodeNullHeader, decodeSll, decodeSll2 } from './capture-link-headers.js';
import { decodeArcnet, decode80211, decodeFddi, decodeFrameRelay, decodeRadiotap } from './legacy-link-layers.js';
import { decodeCiscoHdlc, decodeEthernet, decodeLlc, decodePpp } from './link-layer.js';
import { decodeIpv4, decodeIpv6 } from './network-layer.js';

/** Raw IP under the DLT numbers some systems wrote into pcap headers (12 BSD, 14 OpenBSD). */
const LINKTYPE_RAW_DLT12 = 12;
const LINKTYPE_RAW_DLT14 = 14;

/** Options of a PacketDecoder. */
export interface PacketDecoderOptions {
  /** Most IP datagrams reassembled at once (default 1024); the oldest is dropped past it. */
  readonly maxReassemblies?: number;
}

/**
 * Decodes captured frames into protocol flags, the primary IP/transport fields and the extra
 * TCP/UDP layers of tunnels. Stateful across batches (IP fragments wait for the rest of their
 * datagram), so one decoder serves one capture from start to end.
 */
export class PacketDecoder {
  private readonly cursor: DecodeCursor;

  constructor(options: PacketDecoderOptions = {}) {
    const reassembly = new IpReassembly(options.maxReassemblies ?? 1024);
    this.cursor = new DecodeCursor(reassembly);
  }

  /** Datagrams waiting for more fragments. */
  get pendingReassemblies(): number {
    return this.cursor.reassembly.pending;
  }

  /** Fills `out` for every record of `raw` (index-aligned); `out.capacity` must be ≥ `raw.count`. */
  decode(raw: RawBatch, out: DecodedBatch): void {
    const n = raw.count;
    if (n > out.capacity) {
      throw new RangeError(`decoded batch holds ${out.capacity} packets, raw batch has ${n}`);
    }
    out.count = n;
    out.layers.count = 0;
    out.reassembled.length = 0;
    const c = this.cursor;
    const data = raw.data;
    const size = data.length;
    const offsets = raw.offset;
    const caplens = raw.caplen;
    const wirelens = raw.wirelen;
    const linkTypes = raw.linkType;
    for (let i = 0; i < n; i++) {
      const start = offsets[i]!;
      const caplen = caplens[i]!;
      const wirelen = wirelens[i]!;
      let end = start + caplen;
      if (end > size) end = size;
      // Reported length: what the wire had. A record claiming less than it captured keeps
      // its captured bytes.
      const rep = start + (wirelen > caplen ? wirelen : caplen);
      c.begin(out, i, data, start);
      decodeLink(c, linkTypes[i]!, start, end, rep);
      c.finish();
    }
  }

  /** Forgets fragments in progress (before decoding another capture with this decoder). */
  reset(): void {
    this.cursor.reassembly.clear();
  }
}

/** Decodes one frame by its LINKTYPE_ number; unknown link types set UNKNOWN_LINK. */
function decodeLink(c: DecodeCursor, linkType: number, off: number, end: number, rep: number): void {
  switch (linkType) {
    case LinkType.ETHERNET:
      decodeEthernet(c, off, end, rep);
      break;
    case LinkType.NULL:
    case LinkType.LOOP:
      decodeNullHeader(c, off, end, rep);
      break;
    case LinkType.RAW:
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
      decodeRawIp(c, off, end, rep);
      break;
    case LinkType.IPV4:
      decodeIpv4(c, off, end, rep);
      break;
    case LinkType.IPV6:
      decodeIpv6(c, off, end, rep);
      break;
    case LinkType.LINUX_SLL:
      decodeSll(c, off, end, rep);
      break;
    case LinkType.LINUX_SLL2:
      decodeSll2(c, off, end, rep);
      break;
    case LinkType.PPP:
    case LinkType.PPP_HDLC:
      decodePpp(c, off, end, rep);
      break;
    case LinkType.C_HDLC:
      decodeCiscoHdlc(c, off, end, rep);
      break;
    case LinkType.FRELAY:
      decodeFrameRelay(c, off, end, rep);
      break;
    case LinkType.FDDI:
      decodeFddi(c, off, end, rep);
      break;
    case LinkType.ATM_RFC1483:
      decodeLlc(c, off, end, rep);
      break;
    case LinkType.IEEE802_11:
      decode80211(c, off, end, rep, false);
      break;
    case LinkType.IEEE802_11_RADIOTAP:
      decodeRadiotap(c, off, end, rep);
      break;
    case LinkType.ARCNET_LINUX:
      decodeArcnet(c, off, end, rep, true);
      break;
    case LinkType.ARCNET_BSD:
      decodeArcnet(c, off, end, rep, false);
      break;
    case LinkType.PPI:
      decodePpi(c, off, end, rep);
      break;
    case LinkType.IPNET:
      decodeIpnet(c, off, end, rep);
      break;
    case LinkType.NFLOG:
      decodeNflog(c, off, end, rep);
      break;
    case LinkType.IPOIB:
      decodeIpoib(c, off, end, rep);
      break;
    case LinkType.VSOCK:
      break; // host–guest sockets: decoded, but never IP
    default:
      c.mask |= ProtoBit.UNKNOWN_LINK;
      break;
  }
}

/** Raw IP (LINKTYPE_RAW): the version nibble says IPv4 or IPv6. */
function decodeRawIp(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off >= end) return;
  const version = c.data[off]! >> 4;
  if (version === 4) decodeIpv4(c, off, end, rep);
  else if (version === 6) decodeIpv6(c, off, end, rep);
}

/**
 * Per-Packet Information (LINKTYPE_PPI, PPI specification 1.0 §3): version, flags,
 * little-endian header length and inner link type; the frame follows the header.
 */
function decodePpi(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 8 > end) return;
  const d = c.data;
  const length = d[off + 2]! | (d[off + 3]! << 8);
  const inner = (d[off + 4]! | (d[off + 5]! << 8) | (d[off + 6]! << 16) | (d[off + 7]! << 24)) >>> 0;
  if (length < 8 || off + length > end || inner === LinkType.PPI) return;
  decodeLink(c, inner, off + length, end, rep);
}
