import type { FlowRecord } from '../src-shared/flow-record.js';

/** A deterministic pseudo-random generator (mulberry32), so every run builds the same rows. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stats = (min: number, mean: number, max: number, std: number) => ({ min, mean, max, std });

/**
 * `count` synthetic flow records starting at `start` (epoch seconds), spread over `spanSeconds`
 * in time order: TCP and UDP, IPv4, plausible sizes, an SNI on some, a few early packets each.
 */
export function* syntheticFlows(count: number, start = 1_706_659_200, spanSeconds = 2 * 86_400, seed = 7): Generator<FlowRecord> {
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const tcp = r() < 0.7;
    const fwdPackets = 1 + Math.floor(r() * 40);
    const bwdPackets = Math.floor(r() * 40);
    const fwdBytes = fwdPackets * (60 + Math.floor(r() * 1400));
    const bwdBytes = bwdPackets * (60 + Math.floor(r() * 1400));
    const first = start + (spanSeconds * i) / count;
    const duration = r() * 30;
    yield {
      proto: tcp ? 6 : 17, ip_version: 4,
      client_addr: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, client_port: 1024 + (i % 60000),
      server_addr: `192.0.2.${i % 250}`, server_port: tcp ? 443 : 53,
      first_ts: first, last_ts: first + duration, duration,
      fwd_packets: fwdPackets, bwd_packets: bwdPackets, fwd_bytes: fwdBytes, bwd_bytes: bwdBytes,
      fwd_header_bytes: fwdPackets * 40, bwd_header_bytes: bwdPackets * 40,
      pkt_len: stats(60, 700, 1500, 400), fwd_pkt_len: stats(60, 600, 1500, 380), bwd_pkt_len: stats(60, 800, 1500, 420),
      iat: stats(0, 0.1, 2, 0.3), fwd_iat: stats(0, 0.2, 2, 0.3), bwd_iat: stats(0, 0.2, 2, 0.3),
      syn_count: tcp ? 2 : 0, fin_count: tcp ? 2 : 0, rst_count: 0, psh_count: tcp ? 3 : 0, ack_count: tcp ? fwdPackets + bwdPackets - 1 : 0, urg_count: 0,
      handshake_rtt: tcp ? 0.01 + r() * 0.1 : null,
      sni: tcp && i % 3 === 0 ? `host-${i % 1000}.example.com` : null,
      dns_query: tcp ? null : `q${i % 500}.example.org`,
      dns_answers: tcp ? [] : ['192.0.2.1'],
      end_reason: tcp ? 'fin' : 'idle', segment: 0,
      early_packets: [[74, 1, 0], [74, -1, 0.012], [66, 1, 0.0004]],
    };
  }
}
