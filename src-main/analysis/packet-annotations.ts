/**
 * Per-packet results of the flow stage, index-aligned with a RawBatch/DecodedBatch, read by
 * the window aggregator. Filled by the flow table for every packet of a batch.
 */

/** Marks "no flow" (non-IP or undecodable packet) in `flowSlot`. */
export const NO_FLOW = 0xffffffff;

/** Latency sample kinds in `latencyKind`. */
export const LatencyKind = { NONE: 0, DNS: 1, TCP_REQUEST_RESPONSE: 2 } as const;

/** What the flow stage learned about each packet of one batch. */
export interface PacketAnnotations {
  readonly capacity: number;
  count: number;
  /** Live-flow slot of the packet's flow (stable while the flow lives), or NO_FLOW. */
  readonly flowSlot: Uint32Array;
  /** 1 when this packet opened a new flow (new_connections). */
  readonly newFlow: Uint8Array;
  /** tcp.analysis.ack_rtt carried by this packet, seconds; NaN when none. */
  readonly ackRtt: Float64Array;
  /** Handshake RTT completed by this packet (the ACK of the SYN/ACK), seconds; NaN when none. */
  readonly handshakeRtt: Float64Array;
  /** tcp.analysis.bytes_in_flight carried by this packet (BytesInFlight); NaN when none. */
  readonly bytesInFlight: Float64Array;
  /** Request→response latency completed by this packet, seconds; NaN when none. */
  readonly latency: Float64Array;
  /** LatencyKind of `latency`. */
  readonly latencyKind: Uint8Array;
}

/** Allocates annotations for up to `capacity` packets. */
export function createPacketAnnotations(capacity = 8192): PacketAnnotations {
  return {
    capacity,
    count: 0,
    flowSlot: new Uint32Array(capacity),
    newFlow: new Uint8Array(capacity),
    ackRtt: new Float64Array(capacity),
    handshakeRtt: new Float64Array(capacity),
    bytesInFlight: new Float64Array(capacity),
    latency: new Float64Array(capacity),
    latencyKind: new Uint8Array(capacity),
  };
}
