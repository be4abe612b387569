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
 * does; earlier fragments carry no transport header.
 */
export interface DecodedBatch {
  readonly capacity: number;
  count: number;
  /** ProtoBit flags. */
  readonly protoMask: Uint32Array;
  /** 0 = no IP, 4 or 6: the primary IP layer. */
  readonly ipVersion: Uint8Array;
  /** Offset of the primary IP header in the raw data, or NO_OFFSET. */
  readonly ipOffset: Uint32Array;
  /** Transport protocol number of the primary layer (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …). */
  readonly ipProto: Uint8Array;
  /** Offset of the transport header, or NO_OFFSET (fragment, truncated, reassembled). */
  readonly l4Offset: Uint32Array;
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
