/**
 * The small actors of a scenario: one DNS lookup (query → response after the resolver's RTT),
 * SYN and UDP floods, a SYN port scan with its RST or SYN/ACK answers, and a DNS tunnel
 * (long random-label TXT queries). Floods and scans are one actor each emitting many packets,
 * so they cost the engine one heap entry, not one per packet.
 */
import { ScheduledActor, type SimContext } from './actor.js';
import { TcpFlag, type Endpoint } from './frame-writer.js';
import { dnsQuery, dnsResponse, DnsType, randomLabel, txtRdata } from './payloads.js';
import type { Rng } from './rng.js';

/** One DNS lookup of `name` (A, and AAAA when asked), answered `rttUs` later. */
export class DnsLookup extends ScheduledActor {
  constructor(startUs: number, client: Endpoint, resolver: Endpoint, port: number, name: string,
    answerV4: Uint8Array, answerV6: Uint8Array | null, rttUs: number, rng: Rng) {
    super();
    const id = rng.int(0, 0xffff);
    this.pair(startUs, client, resolver, port, id, name, DnsType.A, answerV4, rttUs);
    if (answerV6 !== null) this.pair(startUs + 50, client, resolver, port, (id + 1) & 0xffff, name, DnsType.AAAA, answerV6, rttUs);
  }

  private pair(t: number, client: Endpoint, resolver: Endpoint, port: number, id: number, name: string, type: number,
    answer: Uint8Array, rtt: number): void {
    this.at(t, (ctx) => ctx.out.udp(t, client, resolver, port, 53, dnsQuery(id, name, type)));
    this.at(t + rtt, (ctx) => ctx.out.udp(t + rtt, resolver, client, 53, port, dnsResponse(id, name, type, answer)));
  }
}

/** Queues a follow-up packet (an answer) on the stream that sent the request. */
export type Later = (t: number, fn: (ctx: SimContext) => void) => void;

/** Packets per second over [fromUs, toUs) with exponential gaps, each written by `emit`. */
export class PoissonStream extends ScheduledActor {
  constructor(fromUs: number, private readonly toUs: number, private readonly meanGapUs: number,
    private readonly rng: Rng, private readonly emit: (ctx: SimContext, t: number, later: Later) => void) {
    super();
    this.schedule(fromUs);
  }

  private readonly later: Later = (t, fn) => this.at(t, fn);

  private schedule(t: number): void {
    if (t >= this.toUs) return;
    this.at(t, (ctx) => {
      this.emit(ctx, t, this.later);
      this.schedule(t + Math.max(1, Math.round(this.rng.exp(this.meanGapUs))));
    });
  }
}

/** Random spoofed source in 100.64.0.0/10 (RFC 6598), as floods use. */
export function spoofedSource(rng: Rng, mac: Uint8Array): Endpoint {
  const n = rng.uint32();
  return { ip: Uint8Array.of(100, 64 | ((n >>> 24) & 0x3f), (n >>> 16) & 0xff, n & 0xff), mac };
}

/** A SYN flood toward target:port. */
export function synFlood(fromUs: number, toUs: number, pps: number, target: Endpoint, port: number, gatewayMac: Uint8Array, rng: Rng): PoissonStream {
  return new PoissonStream(fromUs, toUs, 1e6 / pps, rng, (ctx, t) => {
    const src = spoofedSource(rng, gatewayMac);
    ctx.out.tcp(t, src, target, rng.int(1024, 65535), port, rng.uint32(), 0, TcpFlag.SYN, 0);
  });
}

/** A UDP flood from a few dozen sources toward random ports of the target. */
export function udpFlood(fromUs: number, toUs: number, pps: number, target: Endpoint, gatewayMac: Uint8Array, rng: Rng): PoissonStream {
  const bots = Array.from({ length: 24 }, () => spoofedSource(rng, gatewayMac));
  const payload = new Uint8Array(1024);
  for (let i = 0; i < payload.length; i++) payload[i] = rng.uint32() & 0xff;
  return new PoissonStream(fromUs, toUs, 1e6 / pps, rng, (ctx, t) => {
    const len = rng.int(512, 1024);
    ctx.out.udp(t, rng.pick(bots), target, rng.int(1024, 65535), rng.int(1, 65535), payload.subarray(0, len));
  });
}

/** Ports that answer a scan with SYN/ACK (the scanner then resets). */
const OPEN_PORTS = new Set([22, 53, 80, 443, 8080]);

/** A SYN scan of ports 1, 2, … of `target` at `pps`; closed ports answer RST/ACK after rttUs. */
export class PortScan extends ScheduledActor {
  private port = 0;

  constructor(fromUs: number, private readonly toUs: number, private readonly gapUs: number, private readonly scanner: Endpoint,
    private readonly target: Endpoint, private readonly rttUs: number, private readonly rng: Rng) {
    super();
    this.probe(fromUs);
  }

  private probe(t: number): void {
    if (t >= this.toUs) return;
    this.at(t, (ctx) => {
      this.port = (this.port % 65535) + 1;
      const dport = this.port;
      const sport = 40000 + (dport % 20000);
      const isn = this.rng.uint32();
      ctx.out.tcp(t, this.scanner, this.target, sport, dport, isn, 0, TcpFlag.SYN, 0);
      const tr = t + this.rttUs;
      if (OPEN_PORTS.has(dport)) {
        const sisn = this.rng.uint32();
        this.at(tr, (cx) => cx.out.tcp(tr, this.target, this.scanner, dport, sport, sisn, isn + 1, TcpFlag.SYN | TcpFlag.ACK, 0));
        this.at(tr + 20, (cx) => cx.out.tcp(tr + 20, this.scanner, this.target, sport, dport, isn + 1, 0, TcpFlag.RST, 0));
      } else {
        this.at(tr, (cx) => cx.out.tcp(tr, this.target, this.scanner, dport, sport, 0, isn + 1, TcpFlag.RST | TcpFlag.ACK, 0));
      }
      this.probe(t + this.gapUs);
    });
  }
}

/** A DNS tunnel: TXT queries for long random labels under `domain`, each answered with TXT. */
export function dnsTunnel(fromUs: number, toUs: number, qps: number, client: Endpoint, resolver: Endpoint, domain: string,
  rttUs: number, rng: Rng): PoissonStream {
  let id = rng.int(0, 0xffff);
  const port = rng.int(20000, 60000);
  return new PoissonStream(fromUs, toUs, 1e6 / qps, rng, (ctx, t, later) => {
    id = (id + 1) & 0xffff;
    const name = `${randomLabel(rng, 63)}.${randomLabel(rng, 63)}.${randomLabel(rng, rng.int(20, 50))}.${domain}`;
    ctx.out.udp(t, client, resolver, port, 53, dnsQuery(id, name, DnsType.TXT));
    const answer = txtRdata(randomLabel(rng, 63) + randomLabel(rng, 63) + randomLabel(rng, rng.int(10, 60)));
    const q = id;
    const tr = t + rttUs;
    later(tr, (cx) => cx.out.udp(tr, resolver, client, 53, port, dnsResponse(q, name, DnsType.TXT, answer, 0)));
  });
}
