/**
 * A finished (or interim) bidirectional flow, as the flow table emits it and the flows table
 * stores it. Field names are data-column names (snake_case), the same in SQLite, JSON rows,
 * CSV/Parquet and classifier features. Times are epoch seconds; sizes are wire bytes.
 */

/** Why a flow record was emitted. */
export type FlowEndReason = 'fin' | 'rst' | 'idle' | 'active_timeout' | 'end_of_capture';

/** min / mean / max / population std of a series (0s when the series is empty). */
export interface SeriesStats {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly std: number;
}

/** One early packet: wire size, direction (1 client→server, -1 server→client), seconds since the previous packet of the flow. */
export type EarlyPacket = readonly [size: number, direction: 1 | -1, iat: number];

/** Number of early packets kept per flow (the early-packet sequence). */
export const EARLY_PACKETS = 30;

/** A flow as stored and exported. */
export interface FlowRecord {
  /** IP protocol number of the flow's transport (6, 17, 1, 58, …). */
  readonly proto: number;
  readonly ip_version: 4 | 6;
  /** The SYN sender for TCP, else the first packet's source. */
  readonly client_addr: string;
  readonly client_port: number;
  readonly server_addr: string;
  readonly server_port: number;
  readonly first_ts: number;
  readonly last_ts: number;
  readonly duration: number;
  readonly fwd_packets: number;
  readonly bwd_packets: number;
  readonly fwd_bytes: number;
  readonly bwd_bytes: number;
  /** Bytes of IP + transport headers per direction. */
  readonly fwd_header_bytes: number;
  readonly bwd_header_bytes: number;
  readonly pkt_len: SeriesStats;
  readonly fwd_pkt_len: SeriesStats;
  readonly bwd_pkt_len: SeriesStats;
  readonly iat: SeriesStats;
  readonly fwd_iat: SeriesStats;
  readonly bwd_iat: SeriesStats;
  readonly syn_count: number;
  readonly fin_count: number;
  readonly rst_count: number;
  readonly psh_count: number;
  readonly ack_count: number;
  readonly urg_count: number;
  /** SYN → ACK of the SYN/ACK, seconds; null without a complete handshake. */
  readonly handshake_rtt: number | null;
  /** TLS SNI from a ClientHello (TLS over TCP, or a QUIC Initial if decoded), else null. */
  readonly sni: string | null;
  /** First DNS query name seen in the flow, else null. */
  readonly dns_query: string | null;
  /** DNS answer addresses/names seen in the flow (at most a few). */
  readonly dns_answers: readonly string[];
  readonly end_reason: FlowEndReason;
  /** 0 for the first record of a flow; 1, 2, … for later interim records of a long flow. */
  readonly segment: number;
  readonly early_packets: readonly EarlyPacket[];
}
