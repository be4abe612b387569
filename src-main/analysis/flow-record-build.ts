/**
 * Assembles a FlowRecord from a flow's key words and what the flow stage kept for it. Called
 * once per emitted record (never per packet), so it may allocate strings and objects.
 */
import type { FlowEndReason, FlowRecord } from '../../src-shared/flow-record.js';
import type { FlowStatsFields } from './flow-stats.js';
import { formatIpv4, formatIpv6 } from './format-endpoint.js';

/** The parts of a record besides its statistics. */
export interface FlowRecordParts {
  /** Key words as FlowKeyIndex stores them (lower endpoint first). */
  readonly key: Uint32Array;
  readonly clientIsLo: boolean;
  /** Epoch seconds the stats' relative times count from. */
  readonly baseSec: number;
  readonly stats: FlowStatsFields;
  /** Reported initial RTT, or NaN. */
  readonly handshakeRtt: number;
  readonly sni: string | null;
  readonly dnsQuery: string | null;
  readonly dnsAnswers: readonly string[];
  readonly reason: FlowEndReason;
  readonly segment: number;
}

/** Builds the record (client/server from the key's sides, epoch times from relative ones). */
export function buildFlowRecord(p: FlowRecordParts): FlowRecord {
  const key = p.key;
  const version = key[9]! >>> 8 === 4 ? 4 : 6;
  const loAddr = version === 4 ? formatIpv4(key[0]!) : formatIpv6(key.subarray(0, 4));
  const hiAddr = version === 4 ? formatIpv4(key[4]!) : formatIpv6(key.subarray(4, 8));
  const loPort = key[8]! >>> 16;
  const hiPort = key[8]! & 0xffff;
  const lo = p.clientIsLo;
  const s = p.stats;
  const hs = p.handshakeRtt;
  // An explicit literal (no object spread): one allocation and a stable shape per record.
  return {
    proto: key[9]! & 0xff,
    ip_version: version,
    client_addr: lo ? loAddr : hiAddr,
    client_port: lo ? loPort : hiPort,
    server_addr: lo ? hiAddr : loAddr,
    server_port: lo ? hiPort : loPort,
    first_ts: p.baseSec + s.first[0] + s.first[1] * 1e-9,
    last_ts: p.baseSec + s.last[0] + s.last[1] * 1e-9,
    duration: s.duration,
    fwd_packets: s.fwd_packets,
    bwd_packets: s.bwd_packets,
    fwd_bytes: s.fwd_bytes,
    bwd_bytes: s.bwd_bytes,
    fwd_header_bytes: s.fwd_header_bytes,
    bwd_header_bytes: s.bwd_header_bytes,
    pkt_len: s.pkt_len,
    fwd_pkt_len: s.fwd_pkt_len,
    bwd_pkt_len: s.bwd_pkt_len,
    iat: s.iat,
    fwd_iat: s.fwd_iat,
    bwd_iat: s.bwd_iat,
    syn_count: s.syn_count,
    fin_count: s.fin_count,
    rst_count: s.rst_count,
    psh_count: s.psh_count,
    ack_count: s.ack_count,
    urg_count: s.urg_count,
    handshake_rtt: hs === hs ? hs : null,
    sni: p.sni,
    dns_query: p.dnsQuery,
    dns_answers: p.dnsAnswers,
    end_reason: p.reason,
    segment: p.segment,
    early_packets: s.early_packets,
  };
}
