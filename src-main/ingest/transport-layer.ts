/**
 * Transport headers: TCP, UDP, SCTP, ICMP and ICMPv6 (including the IP header an ICMP error
 * quotes). Outside ICMP quotes they fill the packet's primary transport fields.
 */
import { NO_OFFSET, ProtoBit } from './decoded-batch.js';
import { writeTransport, type DecodeCursor } from './decode-cursor.js';
import { decodeIpv4, decodeIpv6 } from './network-layer.js';
import { decodeOpenFlow, decodeUdpPayload, isOpenFlowPort } from './tunnel-layer.js';

/** TCP header (RFC 9293 §3.1). Wireshark shows "tcp" once both ports are captured. */
export function decodeTcp(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  c.mask |= ProtoBit.TCP;
  if (c.quoted !== 0) return;
  const d = c.data;
  const sport = (d[off]! << 8) | d[off + 1]!;
  const dport = (d[off + 2]! << 8) | d[off + 3]!;
  if (off + 20 > end) {
    writeTransport(c, NO_OFFSET, sport, dport, 0, 0, 0, 0, NO_OFFSET, 0);
    return;
  }
  const seq = (d[off + 4]! << 24) | (d[off + 5]! << 16) | (d[off + 6]! << 8) | d[off + 7]!;
  const ack = (d[off + 8]! << 24) | (d[off + 9]! << 16) | (d[off + 10]! << 8) | d[off + 11]!;
  const b12 = d[off + 12]!;
  const flags = ((b12 & 1) << 8) | d[off + 13]!;
  const window = (d[off + 14]! << 8) | d[off + 15]!;
  const hlen = (b12 >> 4) << 2;
  // A bogus data offset or options cut by the capture or the IP length: Wireshark stops here
  // and its conversation tables skip the segment.
  if (hlen < 20 || off + hlen > end) {
    writeTransport(c, NO_OFFSET, sport, dport, flags, seq, ack, window, NO_OFFSET, 0);
    return;
  }
  writeTransport(c, off, sport, dport, flags, seq, ack, window, off + hlen, rep - off > hlen ? rep - off - hlen : 0);
  c.mask |= ProtoBit.L4_HEADER;
  c.primaryL4 = true;
  if (off + hlen < end && isOpenFlowPort(sport, dport)) decodeOpenFlow(c, off + hlen, end);
}

/** UDP header (RFC 768), then what its ports carry. */
export function decodeUdp(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 4 > end) return;
  c.mask |= ProtoBit.UDP;
  const d = c.data;
  const sport = (d[off]! << 8) | d[off + 1]!;
  const dport = (d[off + 2]! << 8) | d[off + 3]!;
  const primary = c.quoted === 0;
  const length = off + 8 <= end ? (d[off + 4]! << 8) | d[off + 5]! : 0;
  // Under 8 bytes captured, or a bogus length: Wireshark's UDP tap does not fire.
  if (length < 8) {
    if (primary) writeTransport(c, NO_OFFSET, sport, dport, 0, 0, 0, 0, NO_OFFSET, 0);
    return;
  }
  const udpRep = off + length < rep ? off + length : rep;
  if (primary) {
    writeTransport(c, off, sport, dport, 0, 0, 0, 0, off + 8, udpRep - off - 8);
    c.mask |= ProtoBit.L4_HEADER;
    c.primaryL4 = true;
  }
  // A length beyond the IP payload is "bad length": Wireshark hands the payload to "data".
  if (off + length > rep) return;
  decodeUdpPayload(c, sport, dport, off + 8, end < udpRep ? end : udpRep, udpRep);
}

/** SCTP common header (RFC 9260 §3.1); Wireshark needs all 12 bytes. */
export function decodeSctp(c: DecodeCursor, off: number, end: number, rep: number): void {
  if (off + 12 > end) return;
  c.mask |= ProtoBit.SCTP;
  if (c.quoted !== 0) return;
  const d = c.data;
  writeTransport(c, off, (d[off]! << 8) | d[off + 1]!, (d[off + 2]! << 8) | d[off + 3]!, 0, 0, 0, 0, off + 12, rep - off - 12);
  c.mask |= ProtoBit.L4_HEADER;
}

/** ICMP (RFC 792). Errors quote the offending IP header and 8+ bytes: decoded as "quoted". */
export function decodeIcmp(c: DecodeCursor, off: number, end: number, rep: number): void {
  // Wireshark shows "icmp" from 6 captured bytes on.
  if (off + 6 > end) return;
  c.mask |= ProtoBit.ICMP;
  const d = c.data;
  const type = d[off]!;
  if (c.quoted === 0) writeIcmp(c, off, end, rep, (type << 8) | d[off + 1]!);
  // Destination unreachable, source quench, redirect, time exceeded, parameter problem.
  if (off + 8 < end && (type === 3 || type === 4 || type === 5 || type === 11 || type === 12)) {
    c.quoted++;
    decodeIpv4(c, off + 8, end, rep);
    c.quoted--;
  }
}

/** ICMPv6 (RFC 4443 §2.1); error messages (types 1–4) quote the offending IPv6 packet. */
export function decodeIcmpv6(c: DecodeCursor, off: number, end: number, rep: number): void {
  // Wireshark shows "icmpv6" even with no byte of it captured.
  c.mask |= ProtoBit.ICMPV6;
  if (off + 4 > end) return;
  const d = c.data;
  const type = d[off]!;
  if (c.quoted === 0) writeIcmp(c, off, end, rep, (type << 8) | d[off + 1]!);
  if (off + 8 < end && type >= 1 && type <= 4) {
    c.quoted++;
    decodeIpv6(c, off + 8, end, rep);
    c.quoted--;
  }
}

/** Primary fields of an ICMP/ICMPv6 message: type and code in `tcpFlags`. */
function writeIcmp(c: DecodeCursor, off: number, end: number, rep: number, typeCode: number): void {
  if (off + 8 > end) {
    writeTransport(c, NO_OFFSET, 0, 0, typeCode, 0, 0, 0, NO_OFFSET, 0);
    return;
  }
  writeTransport(c, off, 0, 0, typeCode, 0, 0, 0, off + 8, rep - off - 8);
  c.mask |= ProtoBit.L4_HEADER;
}
