/**
 * Decoded packets as struct-of-arrays, index-aligned with the RawBatch they came from.
 * Offsets point into that RawBatch's `data`. The decoder fills every array for i < count.
 */

/** Protocols present anywhere in a frame (Wireshark display-filter semantics: tunnels and
 * headers quoted inside ICMP errors included). One bit each in `protoMask`. */
export const ProtoBit = {
  IPV4: 1 << 0,
  IPV6: 1 << 1,
  TCP: 1 << 2,
  UDP: 1 << 3,
  ICMP: 1 << 4,
  ICMPV6: 1 << 5,
  ARP: 1 << 6,
  VLAN: 1 << 7,
  PPPOE_SESSION: 1 << 8,
  PPPOE_DISCOVERY: 1 << 9,
  MPLS: 1 << 10,
  GRE: 1 << 11,
  VXLAN: 1 << 12,
  GENEVE: 1 << 13,
  SCTP: 1 << 14,
  ESP: 1 << 15,
  IPV4_FRAGMENT: 1 << 16,
  IPV6_FRAGMENT: 1 << 17,
  /** The primary transport header (TCP/UDP/SCTP/ICMP/ICMPv6) is complete and valid, so its
   * fields can be used and Wireshark's conversation tables count it (TCP: data offset ≥ 5 and
   * all options captured; UDP: length field ≥ 8). Then l4Offset is set too. */
  L4_HEADER: 1 << 18,
  /** This frame completed an IP datagram by reassembly, and the layers inside it were decoded
   * from a copy: EVERY offset of this packet (ipOffset, l4Offset, payloadOffset and its extra
   * layers' ipOffset) then points into `reassembled.data`, not into the RawBatch. */
  REASSEMBLED: 1 << 19,
  /** The link type of this record is not decoded (counted, never fatal). */
  UNKNOWN_LINK: 1 << 30,
} as const;

/** Marks an absent offset (no IP / no transport header in the frame). */
export const NO_OFFSET = 0xffffffff;

/**
 * Per-packet decode results. "Primary" fields describe the innermost IP layer and its
 * transport header, not counting headers quoted inside ICMP errors (the ICMP message itself
 * is then the transport). For a reassembled IP fragment the transport fields come from the
 * first fragment and are reported on the frame that completes the datagram, as Wireshark
 * does (ProtoBit.REASSEMBLED; offsets then point into `reassembled.data`, see packetBytes);
 * earlier fragments carry no transport header.
 */
export interface DecodedBatch {
  readonly capacity: number;
  count: number;
  /** ProtoBit flags. */
  readonly protoMask: Uint32Array;
  /** 0 = no IP, 4 or 6: the primary IP layer. */
  readonly ipVersion: Uint8Array;
  /** Offset of the primary IP header in the raw data (see packetBytes), or NO_OFFSET. */
  readonly ipOffset: Uint32Array;
  /** Transport protocol number of the primary layer (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …). */
  readonly ipProto: Uint8Array;
  /** Offset of the transport header when it is complete (ProtoBit.L4_HEADER), else NO_OFFSET
   * (non-first fragment, truncated or bogus header). */
  readonly l4Offset: Uint32Array;
  /** TCP/UDP/SCTP ports: filled as soon as both are captured, even in a truncated header. */
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  /** TCP flags (low 9 bits: NS CWR ECE URG ACK PSH RST SYN FIN); ICMP: type << 8 | code. */
  readonly tcpFlags: Uint16Array;
  readonly tcpSeq: Uint32Array;
  readonly tcpAck: Uint32Array;
  readonly tcpWindow: Uint16Array;
  /** Offset of the transport payload in the raw data, or NO_OFFSET. */
  readonly payloadOffset: Uint32Array;
  /** Transport payload length per the headers (TCP segment length; may exceed caplen). */
  readonly payloadLength: Uint32Array;
  /** Extra TCP/UDP layers of tunnelled frames (outer layers), for conversation tables. */
  readonly layers: ExtraLayers;
  /** Bytes of the frames that completed a reassembly (ProtoBit.REASSEMBLED), for this batch. */
  readonly reassembled: ReassembledBytes;
}

/**
 * Per frame that completed a reassembly: a copy of the frame's bytes up to the payload of the
 * completing fragment, followed by the first bytes of the reassembled datagram payload (up to
 * the decoder's prefix size, 2048 bytes by default: later payload bytes are not kept, as if
 * cut by a snaplen). Only `data[0 .. length)` is meaningful; it is refilled for every batch.
 */
export interface ReassembledBytes {
  data: Uint8Array;
  length: number;
}

/** The bytes that packet i's offsets point into: the RawBatch's, or the reassembled copy. */
export function packetBytes(rawData: Uint8Array, dec: DecodedBatch, i: number): Uint8Array {
  return (dec.protoMask[i]! & ProtoBit.REASSEMBLED) !== 0 ? dec.reassembled.data : rawData;
}

/** Sparse list of additional TCP/UDP layers (tunnels carry more than one per frame). */
export interface ExtraLayers {
  count: number;
  capacity: number;
  packetIndex: Uint32Array;
  ipVersion: Uint8Array;
  ipOffset: Uint32Array;
  ipProto: Uint8Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
}

/** Allocates an empty decoded batch for up to `capacity` packets. */
export function createDecodedBatch(capacity = 8192): DecodedBatch {
  return {
    capacity,
    count: 0,
    protoMask: new Uint32Array(capacity),
    ipVersion: new Uint8Array(capacity),
    ipOffset: new Uint32Array(capacity),
    ipProto: new Uint8Array(capacity),
    l4Offset: new Uint32Array(capacity),
    srcPort: new Uint16Array(capacity),
    dstPort: new Uint16Array(capacity),
    tcpFlags: new Uint16Array(capacity),
    tcpSeq: new Uint32Array(capacity),
    tcpAck: new Uint32Array(capacity),
    tcpWindow: new Uint16Array(capacity),
    payloadOffset: new Uint32Array(capacity),
    payloadLength: new Uint32Array(capacity),
    layers: createExtraLayers(256),
    reassembled: { data: new Uint8Array(0), length: 0 },
  };
}

/** Allocates an extra-layer list; the decoder grows it when a batch needs more. */
export function createExtraLayers(capacity: number): ExtraLayers {
  return {
    count: 0,
    capacity,
    packetIndex: new Uint32Array(capacity),
    ipVersion: new Uint8Array(capacity),
    ipOffset: new Uint32Array(capacity),
    ipProto: new Uint8Array(capacity),
    srcPort: new Uint16Array(capacity),
    dstPort: new Uint16Array(capacity),
  };
}
