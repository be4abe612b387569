/**
 * IPv4 and IPv6 headers, IPv6 extension headers, fragment reassembly hand-off, and the
 * dispatch on the IP protocol number. Follows what Wireshark 4.0 does with its default
 * preferences, because protocol counts are checked against tshark's display filters.
 */
import { ProtoBit } from './decoded-batch.js';
import { setPrimaryIp, shiftRecordedOffsets, type DecodeCursor } from './decode-cursor.js';
import { decodeIcmp, decodeIcmpv6, decodeSctp, decodeTcp, decodeUdp } from './transport-layer.js';
import { decodeEtherIp, decodeGre } from './tunnel-layer.js';
import { decodeMpls } from './link-layer.js';

/** Deepest encapsulation decoded (tunnels, tags, extension headers); deeper layers are ignored. */
export const MAX_DEPTH = 24;

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  DSTOPTS: 60,
  ETHERIP: 97,
  SCTP: 132,
  MPLS_IN_IP: 137,
} as const;

/**
 * IPv4 header (RFC 791 §3.1). Like Wireshark's "ip" handle, a version-6 header is passed to
 * IPv6 (and counts as both). Total length 0 is TCP segmentation offload ("BIG TCP"): the
 * datagram then runs to the end of the frame.
 */
export function decodeIpv4(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off >= end) return;
  const d = c.data;
  const b0 = d[off]!;
  c.mask |= ProtoBit.IPV4;
  const version = b0 >> 4;
  if (version !== 4) {
    if (version === 6) decodeIpv6(c, off, end, rep);
    return;
  }
  const hlen = (b0 & 15) << 2;
  if (hlen < 20 || off + 4 > end) return;
  let total = (d[off + 2]! << 8) | d[off + 3]!;
  if (total === 0) total = rep - off; // presumed TSO: not checked against the header length
  else if (total < hlen) return; // bogus length: Wireshark adds no further field
  const frag = off + 8 <= end ? ((d[off + 6]! & 0x3f) << 8) | d[off + 7]! : 0;
  if (frag !== 0) c.mask |= ProtoBit.IPV4_FRAGMENT;
  if (off + 20 > end) return;
  const ipRep = off + total < rep ? off + total : rep;
  const ipEnd = end < ipRep ? end : ipRep;
  const proto = d[off + 9]!;
  if (c.quoted === 0) setPrimaryIp(c, 4, off, proto);
  if (off + hlen > ipEnd) return;
  if (frag !== 0) {
    const fragOffset = (frag & 0x1fff) << 3;
    // Reassembly needs the whole fragment captured (Wireshark: tvb_bytes_exist); otherwise a
    // first fragment is decoded as it stands and later ones carry no transport header.
    if (c.quoted === 0 && !c.inCopy && total > hlen && off + total <= end) {
      const id = (d[off + 4]! << 8) | d[off + 5]!;
      const length = c.reassembly.add(d, 4, off + 12, off + 16, 4, id, proto, fragOffset,
        off + hlen, total - hlen, (frag & 0x2000) !== 0);
      if (length >= 0) decodeReassembled(c, proto, off + hlen, length, off);
      return;
    }
    if (fragOffset !== 0) return;
  }
  // The common cases go straight to their decoder, skipping the dispatch.
  if (proto === IpProto.TCP) decodeTcp(c, off + hlen, ipEnd, ipRep);
  else if (proto === IpProto.UDP) decodeUdp(c, off + hlen, ipEnd, ipRep);
  else decodeIpPayload(c, proto, off + hlen, ipEnd, ipRep, off);
}

/**
 * IPv6 fixed header (RFC 8200 §3). Payload length 0 is a jumbogram (RFC 2675) when the
 * hop-by-hop header carries a Jumbo Payload option, else (as Wireshark presumes) the payload
 * runs to the end of the frame.
 */
export function decodeIpv6(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off >= end) return;
  c.mask |= ProtoBit.IPV6;
  const d = c.data;
  if (d[off]! >> 4 !== 6 || off + 40 > end) return;
  const plen = (d[off + 4]! << 8) | d[off + 5]!;
  const nh = d[off + 6]!;
  let ipRep = rep;
  if (plen !== 0) {
    if (off + 40 + plen < rep) ipRep = off + 40 + plen;
  } else if (nh === IpProto.HOPOPTS) {
    const jumbo = jumboLength(d, off + 40, end);
    if (jumbo > 0 && off + 40 + jumbo < rep) ipRep = off + 40 + jumbo;
  }
  if (c.quoted === 0) setPrimaryIp(c, 6, off, nh);
  const ipEnd = end < ipRep ? end : ipRep;
  if (nh === IpProto.TCP) decodeTcp(c, off + 40, ipEnd, ipRep);
  else decodeIpPayload(c, nh, off + 40, ipEnd, ipRep, off);
}

/** Value of the Jumbo Payload option (RFC 2675 §2) in the hop-by-hop header at `p`, or 0. */
function jumboLength(d: Uint8Array, p: number, end: number): number {
  if (p + 2 > end) return 0;
  const hend = p + ((d[p + 1]! + 1) << 3);
  let q = p + 2;
  while (q < hend && q < end) {
    const type = d[q]!;
    if (type === 0) { q++; continue; } // Pad1
    if (q + 2 > end) return 0;
    const len = d[q + 1]!;
    if (type === 0xc2 && len === 4 && q + 6 <= end) {
      return ((d[q + 2]! << 24) | (d[q + 3]! << 16) | (d[q + 4]! << 8) | d[q + 5]!) >>> 0;
    }
    q += 2 + len;
  }
  return 0;
}

/**
 * What an IP header carries, by protocol number. `ipOff` is the enclosing IP header (for the
 * addresses of an IPv6 fragment). Extension headers update the primary protocol number so it
 * ends on the transport protocol.
 */
export function decodeIpPayload(c: DecodeCursor, proto: number, off: number, end: number, rep: number, ipOff: number): void {
  if (c.depth >= MAX_DEPTH) return;
  c.depth++;
  switch (proto) {
    case IpProto.TCP:
      decodeTcp(c, off, end, rep);
      break;
    case IpProto.UDP:
      decodeUdp(c, off, end, rep);
      break;
    case IpProto.ICMP:
      decodeIcmp(c, off, end, rep);
      break;
    case IpProto.ICMPV6:
      decodeIcmpv6(c, off, end, rep);
      break;
    case IpProto.SCTP:
      decodeSctp(c, off, end, rep);
      break;
    case IpProto.ESP:
      // Wireshark shows "esp" even with no byte of it captured.
      c.mask |= ProtoBit.ESP;
      break;
    case IpProto.IPIP:
      decodeIpv4(c, off, end, rep);
      break;
    case IpProto.IPV6:
      decodeIpv6(c, off, end, rep);
      break;
    case IpProto.GRE:
      decodeGre(c, off, end, rep);
      break;
    case IpProto.MPLS_IN_IP:
      decodeMpls(c, off, end, rep);
      break;
    case IpProto.ETHERIP:
      decodeEtherIp(c, off, end, rep);
      break;
    case IpProto.HOPOPTS:
    case IpProto.ROUTING:
    case IpProto.DSTOPTS:
    case IpProto.AH:
      decodeExtensionHeader(c, proto, off, end, rep, ipOff);
      break;
    case IpProto.FRAGMENT:
      decodeIpv6Fragment(c, off, end, rep, ipOff);
      break;
    default:
      break;
  }
  c.depth--;
}

/** Hop-by-hop, routing, destination options (RFC 8200 §4.3–4.6) and AH (RFC 4302 §2). */
function decodeExtensionHeader(c: DecodeCursor, proto: number, off: number, end: number, rep: number, ipOff: number): void {
  if (off + 2 > end) return;
  const d = c.data;
  const next = d[off]!;
  const len = proto === IpProto.AH ? (d[off + 1]! + 2) << 2 : (d[off + 1]! + 1) << 3;
  if (off + len > end) return;
  if (c.quoted === 0) c.out.ipProto[c.index] = next;
  decodeIpPayload(c, next, off + len, end, rep, ipOff);
}

/**
 * IPv6 Fragment header (RFC 8200 §4.5). An atomic fragment (offset 0, M = 0) is decoded
 * straight on; otherwise fragments go to reassembly when fully captured.
 */
function decodeIpv6Fragment(c: DecodeCursor, off: number, end: number, rep: number, ipOff: number): void {
  if (off + 8 > end) return;
  c.mask |= ProtoBit.IPV6_FRAGMENT;
  const d = c.data;
  const next = d[off]!;
  const field = (d[off + 2]! << 8) | d[off + 3]!;
  const fragOffset = field & 0xfff8;
  const more = (field & 1) !== 0;
  if (c.quoted === 0) c.out.ipProto[c.index] = next;
  if (fragOffset !== 0 || more) {
    if (c.quoted === 0 && !c.inCopy && rep <= end && rep > off + 8 && d[ipOff]! >> 4 === 6) {
      const id = ((d[off + 4]! << 24) | (d[off + 5]! << 16) | (d[off + 6]! << 8) | d[off + 7]!) >>> 0;
      const length = c.reassembly.add(d, 6, ipOff + 8, ipOff + 24, 16, id, 0, fragOffset,
        off + 8, rep - off - 8, more);
      if (length >= 0) decodeReassembled(c, next, off + 8, length, ipOff);
      return;
    }
    if (fragOffset !== 0) return;
  }
  decodeIpPayload(c, next, off + 8, end, rep, ipOff);
}

/**
 * Decodes a datagram that the fragment at `payload` just completed. The frame's bytes up to
 * that payload, then the datagram's stored prefix, are copied to `out.reassembled`; every
 * offset of this packet is moved there (ProtoBit.REASSEMBLED) and decoding goes on in the copy.
 */
function decodeReassembled(c: DecodeCursor, proto: number, payload: number, length: number, ipOff: number): void {
  const r = c.reassembly;
  const copy = c.out.reassembled;
  const head = payload - c.frameStart;
  const n = length < r.prefixBytes ? length : r.prefixBytes;
  const base = copy.length;
  if (base + head + n > copy.data.length) {
    const grown = new Uint8Array(Math.max(4096, 2 * copy.data.length, base + head + n));
    grown.set(copy.data.subarray(0, base));
    copy.data = grown;
  }
  copy.data.set(c.data.subarray(c.frameStart, payload), base);
  copy.data.set(r.completed.subarray(0, n), base + head);
  copy.length = base + head + n;
  const delta = base - c.frameStart;
  shiftRecordedOffsets(c, delta);
  c.mask |= ProtoBit.REASSEMBLED;
  c.data = copy.data;
  c.frameStart = base;
  c.inCopy = true;
  decodeIpPayload(c, proto, base + head, base + head + n, base + head + length, ipOff + delta);
  // Nothing after this layer reads the frame again: the caller returns straight away.
}
