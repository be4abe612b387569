/**
 * Ethernet and the layers that carry an EtherType or a PPP protocol number: 802.1Q/802.1ad
 * tags, 802.2 LLC/SNAP, MPLS, PPPoE, PPP, Cisco HDLC. Each decoder takes the captured range
 * `off .. end` and the reported end `rep` (see DecodeCursor) and sets the ProtoBit flags that
 * Wireshark's display filters would match, with the same minimum byte counts.
 */
import { ProtoBit } from './decoded-batch.js';
import type { DecodeCursor } from './decode-cursor.js';
import { decodeIpv4, decodeIpv6, MAX_DEPTH } from './network-layer.js';

/** EtherType values dispatched here (IEEE Registration Authority EtherType registry). */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  TRANSPARENT_BRIDGING: 0x6558,
  RARP: 0x8035,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  PPP: 0x880b,
  MPLS_UNICAST: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  QINQ_SERVICE: 0x88a8,
  CISCO_METADATA: 0x8909,
  QINQ_OLD: 0x9100,
} as const;

/** Ethernet II / IEEE 802.3 frame (IEEE 802.3 §3.1.1): a type ≥ 0x600, else a length + LLC. */
export function decodeEthernet(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 14 > end) return;
  const d = c.data;
  const type = (d[off + 12]! << 8) | d[off + 13]!;
  if (type === EtherType.IPV4) {
    decodeIpv4(c, off + 14, end, rep); // the common case, without the dispatch
  } else if (type >= 0x600) {
    decodeEthertype(c, type, off + 14, end, rep);
  } else if (type <= 1500) {
    // The length field bounds the LLC PDU; the rest is padding.
    const llcRep = Math.min(off + 14 + type, rep);
    decodeLlc(c, off + 14, Math.min(end, llcRep), llcRep);
  }
}

/** Dispatches on an EtherType (also used by SLL, GRE, SNAP, Cisco HDLC, Geneve). */
export function decodeEthertype(c: DecodeCursor, type: number, off: number, end: number, rep: number): void {
  if (c.depth >= MAX_DEPTH) return;
  c.depth++;
  switch (type) {
    case EtherType.IPV4:
      decodeIpv4(c, off, end, rep);
      break;
    case EtherType.IPV6:
      decodeIpv6(c, off, end, rep);
      break;
    case EtherType.ARP:
    case EtherType.RARP:
      decodeArp(c, off, end);
      break;
    case EtherType.VLAN:
    case EtherType.QINQ_OLD:
      decodeVlanTag(c, off, end, rep, ProtoBit.VLAN);
      break;
    case EtherType.QINQ_SERVICE:
      // 802.1ad S-tag: Wireshark's "ieee8021ad", which the "vlan" filter does not match.
      decodeVlanTag(c, off, end, rep, 0);
      break;
    case EtherType.MPLS_UNICAST:
    case EtherType.MPLS_MULTICAST:
      decodeMpls(c, off, end, rep);
      break;
    case EtherType.PPPOE_DISCOVERY:
      if (off + 6 <= end) c.mask |= ProtoBit.PPPOE_DISCOVERY;
      break;
    case EtherType.PPPOE_SESSION:
      decodePppoeSession(c, off, end, rep);
      break;
    case EtherType.TRANSPARENT_BRIDGING:
      decodeEthernet(c, off, end, rep);
      break;
    case EtherType.PPP:
      decodePpp(c, off, end, rep);
      break;
    case EtherType.CISCO_METADATA:
      // Cisco MetaData after an Ethernet header: version, length, option, SGT, then the EtherType.
      if (off + 8 <= end) decodeEthertype(c, (c.data[off + 6]! << 8) | c.data[off + 7]!, off + 8, end, rep);
      break;
    default:
      break;
  }
  c.depth--;
}

/** ATM ARP's hardware type (RFC 2225 §8.7). */
const ARP_HARDWARE_ATM = 19;

/**
 * ARP/RARP (RFC 826): Wireshark shows "arp" once the hardware type is captured. ATM ARP
 * (RFC 2225 §8.7) is shown only when its 12-byte header and all the addresses it announces
 * (type-and-length bytes, low 6 bits) are captured.
 */
export function decodeArp(c: DecodeCursor, off: number, end: number): void {
  if (off + 2 > end) return;
  const d = c.data;
  if (((d[off]! << 8) | d[off + 1]!) === ARP_HARDWARE_ATM) {
    if (off + 12 > end) return;
    const length = 12 + (d[off + 4]! & 0x3f) + (d[off + 5]! & 0x3f) + d[off + 8]!
      + (d[off + 9]! & 0x3f) + (d[off + 10]! & 0x3f) + d[off + 11]!;
    if (off + length > end) return;
  }
  c.mask |= ProtoBit.ARP;
}

/** One 802.1Q tag (IEEE 802.1Q §9.6): TCI, then an EtherType or an 802.3 length. */
function decodeVlanTag(c: DecodeCursor, off: number, end: number, rep: number, bit: number): void {
  if (off + 2 > end) return;
  c.mask |= bit;
  if (off + 4 > end) return;
  const type = (c.data[off + 2]! << 8) | c.data[off + 3]!;
  if (type >= 0x600) {
    decodeEthertype(c, type, off + 4, end, rep);
  } else if (type <= 1500) {
    const llcRep = Math.min(off + 4 + type, rep);
    decodeLlc(c, off + 4, Math.min(end, llcRep), llcRep);
  }
}

/** IEEE 802.2 LLC; SNAP (RFC 1042) with an EtherType; SAP 0x06 carries IPv4 directly. */
export function decodeLlc(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 3 > end) return;
  const d = c.data;
  const dsap = d[off]!;
  const ssap = d[off + 1]!;
  // Control is one byte for U frames (low bits 11), two for I and S frames.
  const ctrlLen = (d[off + 2]! & 3) === 3 ? 1 : 2;
  const p = off + 2 + ctrlLen;
  if (dsap === 0xaa && ssap === 0xaa) {
    if (p + 5 > end) return;
    const oui = (d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!;
    // OUI 0 (RFC 1042) and 00-00-F8 (IEEE 802.1H bridge tunnel) carry an EtherType.
    if (oui === 0 || oui === 0xf8) decodeEthertype(c, (d[p + 3]! << 8) | d[p + 4]!, p + 5, end, rep);
  } else if (dsap === 0x06 && ssap === 0x06) {
    decodeIpv4(c, p, end, rep);
  }
}

/** MPLS label stack (RFC 3032 §2.1), then IPv4 or IPv6 guessed from the first nibble. */
export function decodeMpls(c: DecodeCursor, off: number, end: number, rep: number): void {
  const d = c.data;
  let p = off;
  let label = 0;
  for (;;) {
    if (p + 4 > end) return;
    c.mask |= ProtoBit.MPLS;
    label = (d[p]! << 12) | (d[p + 1]! << 4) | (d[p + 2]! >> 4);
    const bottom = d[p + 2]! & 1;
    p += 4;
    if (bottom !== 0) break;
  }
  // Bottom labels 13 (G-ACh label, RFC 5586) and 14 (OAM alert, RFC 3429) carry no IP.
  if (p >= end || label === 13 || label === 14) return;
  const version = d[p]! >> 4;
  if (version === 4) decodeIpv4(c, p, end, rep);
  else if (version === 6) decodeIpv6(c, p, end, rep);
}

/** PPPoE session stage (RFC 2516 §4): 6-byte header, then a PPP protocol number. */
function decodePppoeSession(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 6 > end) return;
  c.mask |= ProtoBit.PPPOE_SESSION;
  if (off + 8 > end) return;
  const d = c.data;
  const length = (d[off + 4]! << 8) | d[off + 5]!;
  const pppRep = Math.min(off + 6 + length, rep);
  decodePppProtocol(c, (d[off + 6]! << 8) | d[off + 7]!, off + 8, Math.min(end, pppRep), pppRep);
}

/** PPP in HDLC-like framing (RFC 1662 §3.1): optional FF 03, then a 1- or 2-byte protocol. */
export function decodePpp(c: DecodeCursor, off: number, end: number, rep: number): void {
  const d = c.data;
  let p = off;
  if (p + 2 <= end && d[p] === 0xff && d[p + 1] === 0x03) p += 2;
  if (p >= end) return;
  let proto = d[p]!;
  if ((proto & 1) !== 0) {
    p += 1; // protocol field compression (RFC 1661 §6.5)
  } else {
    if (p + 2 > end) return;
    proto = (proto << 8) | d[p + 1]!;
    p += 2;
  }
  decodePppProtocol(c, proto, p, end, rep);
}

/** PPP protocol numbers (RFC 1661 §2, IANA PPP DLL protocol numbers). */
function decodePppProtocol(c: DecodeCursor, proto: number, off: number, end: number, rep: number): void {
  switch (proto) {
    case 0x0021:
      decodeIpv4(c, off, end, rep);
      break;
    case 0x0057:
      decodeIpv6(c, off, end, rep);
      break;
    case 0x0281:
    case 0x0283:
      decodeMpls(c, off, end, rep);
      break;
    default:
      break;
  }
}

/** Cisco HDLC: address, control, then an EtherType-style protocol. */
export function decodeCiscoHdlc(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  decodeEthertype(c, (c.data[off + 2]! << 8) | c.data[off + 3]!, off + 4, end, rep);
}
