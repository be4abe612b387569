/**
 * Tunnels: GRE (with enhanced GRE/PPTP, ERSPAN, Cisco MetaData), EtherIP, the UDP
 * encapsulations Wireshark dissects by port: VXLAN (4789), Geneve (6081), GTP-U (2152) and
 * UDP-encapsulated ESP (4500), and the frames OpenFlow carries over TCP (6633, 6653).
 */
import { ProtoBit } from './decoded-batch.js';
import type { DecodeCursor } from './decode-cursor.js';
import { decodeEthernet, decodeEthertype, EtherType } from './link-layer.js';
import { decodeIpv4, decodeIpv6, MAX_DEPTH } from './network-layer.js';

/** UDP ports of the encapsulations decoded here (IANA service name registry). */
export const TunnelPort = {
  GTP_U: 2152,
  IPSEC_NAT_T: 4500,
  VXLAN: 4789,
  GENEVE: 6081,
} as const;

/**
 * TCP ports of OpenFlow. Wireshark registers the IANA port; the legacy ones go through a
 * heuristic that accepts them as destination port and then marks the whole TCP conversation
 * as OpenFlow. Without a conversation table, a legacy port as source stands for "the client
 * spoke first" (true whenever the capture holds the connection's start).
 */
export const OpenFlowPort = {
  LEGACY: 6633,
  LEGACY_2: 6634,
  IANA: 6653,
} as const;

/** Whether a TCP segment between these ports is OpenFlow for Wireshark (see OpenFlowPort). */
export function isOpenFlowPort(sport: number, dport: number): boolean {
  return sport === OpenFlowPort.IANA || dport === OpenFlowPort.IANA
    || sport === OpenFlowPort.LEGACY || dport === OpenFlowPort.LEGACY
    || sport === OpenFlowPort.LEGACY_2 || dport === OpenFlowPort.LEGACY_2;
}

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080;
const ERSPAN_II = 0x88be;
const ERSPAN_III = 0x22eb;

/**
 * UDP payload by port. Like Wireshark, the lower port is tried first, then the higher one;
 * only the tunnel ports above lead anywhere that matters for decoding.
 */
export function decodeUdpPayload(c: DecodeCursor, sport: number, dport: number, off: number, end: number, rep: number): void {
  if (off >= end) return;
  const low = sport < dport ? sport : dport;
  const high = sport < dport ? dport : sport;
  if (!decodeUdpPort(c, low, off, end, rep)) decodeUdpPort(c, high, off, end, rep);
}

function decodeUdpPort(c: DecodeCursor, port: number, off: number, end: number, rep: number): boolean {
  switch (port) {
    case TunnelPort.VXLAN:
      decodeVxlan(c, off, end, rep);
      return true;
    case TunnelPort.GENEVE:
      decodeGeneve(c, off, end, rep);
      return true;
    case TunnelPort.GTP_U:
      decodeGtpU(c, off, end, rep);
      return true;
    case TunnelPort.IPSEC_NAT_T:
      decodeUdpEncapsulation(c, off, end, rep);
      return true;
    default:
      return false;
  }
}

/** VXLAN (RFC 7348 §5): 8-byte header, then an Ethernet frame. */
function decodeVxlan(c: DecodeCursor, off: number, end: number, rep: number): void {
  c.mask |= ProtoBit.VXLAN;
  decodeEthernet(c, off + 8, end, rep);
}

/** Geneve (RFC 8926 §3.4): 8 bytes + options, then the payload named by an EtherType. */
function decodeGeneve(c: DecodeCursor, off: number, end: number, rep: number): void {
  c.mask |= ProtoBit.GENEVE;
  if (off + 8 > end) return;
  const d = c.data;
  const optionBytes = (d[off]! & 0x3f) << 2;
  const type = (d[off + 2]! << 8) | d[off + 3]!;
  decodeEthertype(c, type, off + 8 + optionBytes, end, rep);
}

/**
 * GTP-U (3GPP TS 29.281 §5.1): 8-byte header, 4 more when any of E/S/PN is set, then the
 * extension header chain; a G-PDU (type 255) carries an IP packet.
 */
function decodeGtpU(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 8 > end) return;
  const d = c.data;
  const flags = d[off]!;
  if (flags >> 5 !== 1 || d[off + 1] !== 0xff) return;
  let p = off + 8;
  if ((flags & 0x07) !== 0) {
    if (p + 4 > end) return;
    let next = (flags & 0x04) !== 0 ? d[p + 3]! : 0;
    p += 4;
    while (next !== 0) {
      if (p >= end) return;
      const len = d[p]! << 2;
      if (len === 0 || p + len > end) return;
      next = d[p + len - 1]!;
      p += len;
    }
  }
  if (p >= end) return;
  const version = d[p]! >> 4;
  if (version === 4) decodeIpv4(c, p, end, rep);
  else if (version === 6) decodeIpv6(c, p, end, rep);
}

/** UDP-encapsulated IPsec (RFC 3948 §2): ESP unless a zero non-ESP marker or a keepalive. */
function decodeUdpEncapsulation(c: DecodeCursor, off: number, end: number, rep: number): void {
  const d = c.data;
  if (rep - off === 1 && d[off] === 0xff) return; // NAT keepalive
  if (off + 4 <= end && d[off] === 0 && d[off + 1] === 0 && d[off + 2] === 0 && d[off + 3] === 0) return; // IKE
  c.mask |= ProtoBit.ESP;
}

/**
 * GRE (RFC 2784, key and sequence per RFC 2890, routing per RFC 1701, version 1 = enhanced
 * GRE of PPTP per RFC 2637 §4.1), then the payload named by the protocol type.
 */
export function decodeGre(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  c.mask |= ProtoBit.GRE;
  const d = c.data;
  const flags = (d[off]! << 8) | d[off + 1]!;
  const type = (d[off + 2]! << 8) | d[off + 3]!;
  let p = off + 4;
  if ((flags & (GRE_CHECKSUM | GRE_ROUTING)) !== 0) p += 4;
  if ((flags & GRE_KEY) !== 0) p += 4;
  if ((flags & GRE_SEQUENCE) !== 0) p += 4;
  if ((flags & 7) === 1 && (flags & GRE_ACK) !== 0) p += 4;
  if ((flags & GRE_ROUTING) !== 0) {
    // Source route entries: address family, SRE offset, SRE length; a null entry ends them.
    for (;;) {
      if (p + 4 > end) return;
      const family = (d[p]! << 8) | d[p + 1]!;
      const length = d[p + 3]!;
      p += 4 + length;
      if (family === 0 && length === 0) break;
    }
  }
  if (p > end) return;
  switch (type) {
    case ERSPAN_II:
      // Type II has an 8-byte header and sets the sequence bit; type I has neither.
      decodeEthernet(c, (flags & GRE_SEQUENCE) !== 0 ? p + 8 : p, end, rep);
      break;
    case ERSPAN_III: {
      // 12-byte header, plus an 8-byte platform subheader when the O bit is set.
      if (p + 12 > end) return;
      decodeEthernet(c, (d[p + 11]! & 1) !== 0 ? p + 20 : p + 12, end, rep);
      break;
    }
    case EtherType.CISCO_METADATA:
      // Inside GRE, Cisco MetaData starts with the inner EtherType: type, version, length,
      // option, SGT.
      if (p + 8 <= end) decodeEthertype(c, (d[p]! << 8) | d[p + 1]!, p + 8, end, rep);
      break;
    default:
      decodeEthertype(c, type, p, end, rep);
      break;
  }
}

/** EtherIP (RFC 3378 §3): a 2-byte header, then an Ethernet frame. */
export function decodeEtherIp(c: DecodeCursor, off: number, end: number, rep: number): void {
  decodeEthernet(c, off + 2, end, rep);
}

/** OpenFlow message types that carry a whole frame (OpenFlow 1.0 §5.4.1/§5.3.6, 1.3 §7.4.1/§7.3.7). */
const OFPT_PACKET_IN = 10;
const OFPT_PACKET_OUT = 13;

/**
 * OpenFlow messages in one TCP segment (8-byte header: version, type, length, xid). The
 * Ethernet frame inside a packet-in or packet-out is decoded as Wireshark does. Messages
 * that continue in a later segment are not followed (no TCP reassembly here).
 */
export function decodeOpenFlow(c: DecodeCursor, off: number, end: number): void {
  if (c.depth >= MAX_DEPTH) return;
  c.depth++;
  decodeOpenFlowMessages(c, off, end);
  c.depth--;
}

function decodeOpenFlowMessages(c: DecodeCursor, off: number, end: number): void {
  const d = c.data;
  let p = off;
  while (p + 8 <= end) {
    const version = d[p]!;
    const type = d[p + 1]!;
    const length = (d[p + 2]! << 8) | d[p + 3]!;
    if (version < 1 || version > 6 || length < 8 || p + length > end) return;
    const msgEnd = p + length;
    const data = type === OFPT_PACKET_IN ? packetInData(d, p, msgEnd, version)
      : type === OFPT_PACKET_OUT ? packetOutData(d, p, msgEnd, version) : -1;
    if (data >= 0 && data < msgEnd) decodeEthernet(c, data, msgEnd, msgEnd);
    if (c.data !== d) return; // a reassembly moved decoding to the copy: stop here
    p = msgEnd;
  }
}

/** Start of the frame in a packet-in, or −1. 1.0: fixed 18 bytes; 1.3+: 16 + padded match + 2. */
function packetInData(d: Uint8Array, p: number, end: number, version: number): number {
  if (version === 1) return p + 18;
  if (version < 4 || p + 28 > end) return -1;
  const matchLength = (d[p + 26]! << 8) | d[p + 27]!;
  return p + 24 + ((matchLength + 7) & ~7) + 2;
}

/** Start of the frame in a packet-out, or −1: after the actions (1.0: 16-byte head; 1.3/1.4: 24). */
function packetOutData(d: Uint8Array, p: number, end: number, version: number): number {
  if (version === 1) {
    if (p + 16 > end) return -1;
    return p + 16 + ((d[p + 14]! << 8) | d[p + 15]!);
  }
  if (version !== 4 && version !== 5) return -1;
  if (p + 24 > end) return -1;
  return p + 24 + ((d[p + 16]! << 8) | d[p + 17]!);
}
