/**
 * Link-layer headers that capture tools write rather than wires carry: BSD loopback, Linux
 * cooked captures (SLL, SLL2), NFLOG, Solaris ipnet, IP over InfiniBand.
 */
import type { DecodeCursor } from './decode-cursor.js';
import { decodeEthertype, decodeLlc } from './link-layer.js';
import { decodeIpv4, decodeIpv6 } from './network-layer.js';
import { decodeGre } from './tunnel-layer.js';

/**
 * BSD loopback (LINKTYPE_NULL, LINKTYPE_LOOP): a 4-byte address family in the capturing
 * host's byte order (network order for LOOP). Like Wireshark, a value with high bits set is
 * read the other way round; a value above 1500 is taken as an EtherType.
 */
export function decodeNullHeader(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  const d = c.data;
  let family = ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
  if ((family & 0xffff0000) !== 0) {
    family = ((d[off + 3]! << 24) | (d[off + 2]! << 16) | (d[off + 1]! << 8) | d[off]!) >>> 0;
  }
  if (family > 1500) {
    decodeEthertype(c, family & 0xffff, off + 4, end, rep);
    return;
  }
  switch (family) {
    case 2: // AF_INET everywhere
      decodeIpv4(c, off + 4, end, rep);
      break;
    case 24: // AF_INET6: NetBSD/OpenBSD/BSD/OS
    case 28: // FreeBSD/DragonFly
    case 30: // macOS/iOS
      decodeIpv6(c, off + 4, end, rep);
      break;
    default:
      break;
  }
}

/** ARPHRD_ values that change how a cooked header's protocol field reads (linux/if_arp.h). */
const ARPHRD_IPGRE = 778;
const ARPHRD_NETLINK = 824;
/** Linux "protocol" values below 0x600 that are not EtherTypes (linux/if_ether.h). */
const LINUX_P_802_2 = 0x0004;

/**
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes): packet type, ARPHRD type, address
 * length, 8 address bytes, protocol.
 */
export function decodeSll(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 16 > end) return;
  const d = c.data;
  const hatype = (d[off + 2]! << 8) | d[off + 3]!;
  const proto = (d[off + 14]! << 8) | d[off + 15]!;
  decodeCookedPayload(c, hatype, proto, off + 16, end, rep);
}

/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes): protocol, reserved, interface
 * index, ARPHRD type, packet type, address length, 8 address bytes.
 */
export function decodeSll2(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 20 > end) return;
  const d = c.data;
  const proto = (d[off]! << 8) | d[off + 1]!;
  const hatype = (d[off + 8]! << 8) | d[off + 9]!;
  decodeCookedPayload(c, hatype, proto, off + 20, end, rep);
}

function decodeCookedPayload(c: DecodeCursor, hatype: number, proto: number, off: number, end: number, rep: number): void {
  if (hatype === ARPHRD_NETLINK) return;
  if (hatype === ARPHRD_IPGRE) {
    decodeGre(c, off, end, rep);
    return;
  }
  if (proto >= 0x600) decodeEthertype(c, proto, off, end, rep);
  else if (proto === LINUX_P_802_2) decodeLlc(c, off, end, rep);
}

/** NFLOG attribute carrying the packet (linux/netfilter/nfnetlink_log.h NFULA_PAYLOAD). */
const NFULA_PAYLOAD = 9;

/**
 * Linux NFLOG (LINKTYPE_NFLOG): family, version, resource id, then type-length-value
 * attributes whose lengths are in host byte order and padded to 4 bytes. The payload is an IP
 * packet of the header's family.
 */
export function decodeNflog(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  const d = c.data;
  const family = d[off]!;
  let p = off + 4;
  while (p + 4 <= end) {
    let length = d[p]! | (d[p + 1]! << 8);
    let type = d[p + 2]! | (d[p + 3]! << 8);
    if (length < 4 || p + length > rep) {
      // Written on a big-endian host?
      length = (d[p]! << 8) | d[p + 1]!;
      type = (d[p + 2]! << 8) | d[p + 3]!;
      if (length < 4 || p + length > rep) return;
    }
    if ((type & 0x7fff) === NFULA_PAYLOAD) {
      const payloadRep = p + length;
      const payloadEnd = end < payloadRep ? end : payloadRep;
      if (family === 2) decodeIpv4(c, p + 4, payloadEnd, payloadRep);
      else if (family === 10) decodeIpv6(c, p + 4, payloadEnd, payloadRep);
      return;
    }
    p += (length + 3) & ~3;
  }
}

/** Solaris ipnet (LINKTYPE_IPNET): 24-byte header whose family byte says IPv4 (2) or IPv6 (26). */
export function decodeIpnet(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 24 > end) return;
  const family = c.data[off + 1]!;
  if (family === 2) decodeIpv4(c, off + 24, end, rep);
  else if (family === 26) decodeIpv6(c, off + 24, end, rep);
}

/**
 * IP over InfiniBand (LINKTYPE_IPOIB, RFC 4391 §6 with the 40-byte address pseudo-header the
 * Linux capture adds): EtherType at 40, 2 reserved bytes, payload at 44.
 */
export function decodeIpoib(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 44 > end) return;
  decodeEthertype(c, (c.data[off + 40]! << 8) | c.data[off + 41]!, off + 44, end, rep);
}
