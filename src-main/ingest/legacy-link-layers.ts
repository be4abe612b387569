/**
 * Link layers other than Ethernet that the corpus holds: FDDI, ARCNET, Frame Relay, and
 * IEEE 802.11 data frames (raw or behind a radiotap header).
 */
import type { DecodeCursor } from './decode-cursor.js';
import { decodeArp, decodeEthertype, decodeLlc } from './link-layer.js';
import { decodeIpv4, decodeIpv6 } from './network-layer.js';

/** FDDI (ANSI X3.139): frame control, 6-byte destination and source; LLC frames carry 802.2. */
export function decodeFddi(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 13 > end) return;
  // Frame control CLFFZZZZ: FF = 01 marks an LLC frame.
  if ((c.data[off]! & 0x30) !== 0x10) return;
  decodeLlc(c, off + 13, end, rep);
}

/** ARCNET protocol ids that carry IP or ARP (RFC 1201 §4, RFC 1051; Linux arcnet headers). */
const ARC_IP_1051 = 0xf0;
const ARC_ARP_1051 = 0xf1;
const ARC_IP = 0xd4;
const ARC_ARP = 0xd5;
const ARC_RARP = 0xd6;
const ARC_IPV6 = 0xc4;

/**
 * ARCNET: source, destination, (Linux: a 2-byte offset), protocol id; RFC 1201 protocols
 * then have a split flag and a 2-byte sequence number, RFC 1051 ones follow the id directly.
 * In the BSD form an exception packet (split flag 0xFF) repeats padding, protocol and flag;
 * Wireshark reads the Linux form without exception packets.
 */
export function decodeArcnet(c: DecodeCursor, off: number, end: number, rep: number, linux: boolean): void {
  const d = c.data;
  let p = off + (linux ? 4 : 2);
  if (p >= end) return;
  let proto = d[p++]!;
  if (proto !== ARC_IP_1051 && proto !== ARC_ARP_1051) {
    if (p >= end) return;
    if (!linux && d[p] === 0xff) {
      if (p + 4 > end) return;
      proto = d[p + 3]!;
      p += 4;
    }
    p += 3; // split flag and sequence number
  }
  if (p > end) return;
  switch (proto) {
    case ARC_IP:
    case ARC_IP_1051:
      decodeIpv4(c, p, end, rep);
      break;
    case ARC_IPV6:
      decodeIpv6(c, p, end, rep);
      break;
    case ARC_ARP:
    case ARC_ARP_1051:
    case ARC_RARP:
      decodeArp(c, p, end);
      break;
    default:
      break;
  }
}

/** Network layer protocol ids after a Frame Relay UI control byte (RFC 2427 §3, ISO/IEC TR 9577). */
const NLPID_SNAP = 0x80;
const NLPID_IPV6 = 0x8e;
const NLPID_IPV4 = 0xcc;

/**
 * Frame Relay (ITU-T Q.922 address of 2–4 bytes up to the EA bit). A UI control byte (0x03)
 * starts RFC 2427 multiprotocol encapsulation (NLPID); anything else is Cisco's EtherType
 * encapsulation, as Wireshark's default "FRF 3.2 / Cisco HDLC" setting reads it.
 */
export function decodeFrameRelay(c: DecodeCursor, off: number, end: number, rep: number): void {
  const d = c.data;
  let p = off;
  for (let k = 0; k < 4; k++) {
    if (p >= end) return;
    if ((d[p++]! & 1) !== 0) break;
  }
  if (p + 2 > end) return;
  if (d[p] !== 0x03) {
    decodeEthertype(c, (d[p]! << 8) | d[p + 1]!, p + 2, end, rep);
    return;
  }
  p++;
  if (d[p] === 0x00) p++; // optional pad before the NLPID
  if (p >= end) return;
  const nlpid = d[p++]!;
  if (nlpid === NLPID_IPV4) decodeIpv4(c, p, end, rep);
  else if (nlpid === NLPID_IPV6) decodeIpv6(c, p, end, rep);
  else if (nlpid === NLPID_SNAP && p + 5 <= end && d[p] === 0 && d[p + 1] === 0 && d[p + 2] === 0) {
    decodeEthertype(c, (d[p + 3]! << 8) | d[p + 4]!, p + 5, end, rep);
  }
}

/** Radiotap flags (radiotap.org "Flags" field). */
const RADIOTAP_FCS_AT_END = 0x10;
const RADIOTAP_DATA_PAD = 0x20;

/**
 * Radiotap header (radiotap.org): version, pad, little-endian length, present bitmaps. Only
 * the Flags field matters here (FCS at the end, padding after the 802.11 header); it follows
 * TSFT (8 bytes, 8-aligned) when that is present.
 */
export function decodeRadiotap(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 8 > end) return;
  const d = c.data;
  const length = d[off + 2]! | (d[off + 3]! << 8);
  if (length < 8 || off + length > end) return;
  const present = d[off + 4]!;
  let p = off + 8;
  // Skip extended present words (bit 31 of each).
  let word = off + 4;
  while ((d[word + 3]! & 0x80) !== 0) {
    word += 4;
    p += 4;
    if (p > off + length) return;
  }
  let flags = 0;
  if ((present & 2) !== 0) {
    if ((present & 1) !== 0) p = off + ((p - off + 7) & ~7) + 8;
    if (p < off + length) flags = d[p]!;
  }
  let frameRep = rep;
  if ((flags & RADIOTAP_FCS_AT_END) !== 0) frameRep -= 4;
  decode80211(c, off + length, end < frameRep ? end : frameRep, frameRep, (flags & RADIOTAP_DATA_PAD) !== 0);
}

/**
 * IEEE 802.11 MAC frame (IEEE 802.11-2020 §9.2.4): only unprotected data frames are
 * followed, through 802.2 LLC/SNAP. Address 4 when both DS bits are set, QoS control for QoS
 * subtypes, HT control when a QoS frame sets the Order bit; A-MSDU subframes each hold
 * DA, SA, length and an LLC PDU, padded to 4 bytes.
 */
export function decode80211(c: DecodeCursor, off: number, end: number, rep: number, padded: boolean): void {
  if (off + 24 > end) return;
  const d = c.data;
  const fc0 = d[off]!;
  const fc1 = d[off + 1]!;
  if (((fc0 >> 2) & 3) !== 2) return; // not a data frame
  const subtype = fc0 >> 4;
  if ((subtype & 4) !== 0 || (fc1 & 0x40) !== 0) return; // no data, or protected
  let hlen = (fc1 & 3) === 3 ? 30 : 24;
  let amsdu = false;
  if ((subtype & 8) !== 0) {
    if (off + hlen + 2 > end) return;
    amsdu = (d[off + hlen]! & 0x80) !== 0;
    hlen += 2;
    if ((fc1 & 0x80) !== 0) hlen += 4;
  }
  if (padded) hlen = (hlen + 3) & ~3;
  let p = off + hlen;
  if (!amsdu) {
    decodeLlc(c, p, end, rep);
    return;
  }
  while (p + 14 <= end) {
    const length = (d[p + 12]! << 8) | d[p + 13]!;
    const subRep = p + 14 + length < rep ? p + 14 + length : rep;
    decodeLlc(c, p + 14, end < subRep ? end : subRep, subRep);
    if (c.data !== d) return; // a reassembly moved decoding to the copy: stop here
    p = p + 14 + ((length + 3) & ~3);
  }
}
