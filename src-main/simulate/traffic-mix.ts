/**
 * The baseline traffic classes and how one flow of each is drawn: web/TLS sessions, DNS
 * lookups, streaming-like bulk downloads in chunks, and small interactive (SSH-like) sessions.
 * Every draw comes from the flow's own Rng, so a flow is a pure function of its seed.
 */
import type { Actor } from './actor.js';
import type { Endpoint } from './frame-writer.js';
import { clientHello } from './payloads.js';
import type { Rng } from './rng.js';
import { TcpSession, type Exchange, type TcpSessionParams } from './tcp-session.js';
import { DnsLookup } from './udp-and-probes.js';

/** Traffic classes of the baseline. */
export type TrafficClass = 'web' | 'dns' | 'bulk' | 'interactive';

/** Share of baseline packets per class and the mean packets of one flow (measured, rounded). */
export const CLASS_MIX: readonly { readonly cls: TrafficClass; readonly share: number; readonly packetsPerFlow: number }[] = [
  { cls: 'web', share: 0.45, packetsPerFlow: 110 },
  { cls: 'dns', share: 0.08, packetsPerFlow: 2.6 },
  { cls: 'bulk', share: 0.35, packetsPerFlow: 4200 },
  { cls: 'interactive', share: 0.12, packetsPerFlow: 70 },
];

const WEB_NAMES = ['www.example-shop.com', 'api.example-pay.net', 'cdn.example-static.org', 'mail.example-corp.com',
  'news.example-daily.com', 'login.example-id.net', 'docs.example-wiki.org', 'img.example-photos.com'];
const VIDEO_NAMES = ['video.example-stream.net', 'media.example-tube.com'];

/** Hosts of the simulated site. */
export interface Hosts {
  readonly gatewayMac: Uint8Array;
  readonly resolver: Endpoint;
  readonly resolverV6: Endpoint;
  client(rng: Rng, v6: boolean): Endpoint;
  server(name: string, v6: boolean): Endpoint;
}

/** Builds the hosts (deterministic: addresses follow from indexes and names). */
export function makeHosts(): Hosts {
  const gatewayMac = Uint8Array.of(0x00, 0x1b, 0x21, 0x00, 0x00, 0x01);
  const hostMac = (a: number, b: number): Uint8Array => Uint8Array.of(0x02, 0x42, 0x0a, 0x00, a & 0xff, b & 0xff);
  const v6 = (last: number, group: number): Uint8Array => {
    const ip = new Uint8Array(16);
    ip.set([0x20, 0x01, 0x0d, 0xb8, 0, group], 0);
    ip[14] = (last >> 8) & 0xff;
    ip[15] = last & 0xff;
    return ip;
  };
  const hash = (s: string): number => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  };
  return {
    gatewayMac,
    resolver: { ip: Uint8Array.of(10, 0, 0, 53), mac: hostMac(0, 53) },
    resolverV6: { ip: v6(53, 0), mac: hostMac(0, 53) },
    client(rng, six) {
      const n = rng.int(10, 249);
      const subnet = rng.int(1, 3);
      return six ? { ip: v6(n, subnet), mac: hostMac(subnet, n) } : { ip: Uint8Array.of(10, 0, subnet, n), mac: hostMac(subnet, n) };
    },
    server(name, six) {
      const h = hash(name);
      return six ? { ip: v6(0x100 + (h & 0xff), 0x99), mac: gatewayMac } : { ip: Uint8Array.of(203, 0, 113, 1 + (h % 250)), mac: gatewayMac };
    },
  };
}

/** Path RTT of a new flow, µs: log-normal, median 40 ms, within 2–400 ms. */
export function drawRttUs(rng: Rng): number {
  return Math.round(Math.min(400_000, Math.max(2_000, rng.logNormal(40_000, 0.6))));
}

/** Called with every TCP session's parameters as it is created (tests check RTTs with it). */
export type SessionObserver = (p: TcpSessionParams) => void;

/** One flow of class `cls` starting at startUs. */
export function makeFlow(cls: TrafficClass, startUs: number, hosts: Hosts, rng: Rng, observe?: SessionObserver): Actor {
  switch (cls) {
    case 'dns': {
      const six = rng.chance(0.15);
      const name = rng.pick([...WEB_NAMES, ...VIDEO_NAMES]);
      const client = hosts.client(rng, six);
      const answer = hosts.server(name, false).ip;
      const answer6 = rng.chance(0.4) ? hosts.server(name, true).ip : null;
      const rtt = Math.round(Math.min(200_000, Math.max(300, rng.logNormal(8_000, 0.8))));
      return new DnsLookup(startUs, client, six ? hosts.resolverV6 : hosts.resolver, rng.int(20000, 60999), name, answer, answer6, rtt, rng);
    }
    case 'web': {
      const name = rng.pick(WEB_NAMES);
      const exchanges: Exchange[] = [{ request: 0, response: rng.int(3000, 6000), thinkUs: 20, serverDelayUs: rng.int(200, 3000) }];
      const n = rng.int(1, 4);
      for (let i = 0; i < n; i++) {
        exchanges.push({
          request: rng.int(200, 900),
          response: Math.round(Math.min(2_000_000, rng.logNormal(12_000, 1.1))),
          thinkUs: Math.round(rng.exp(300_000)),
          serverDelayUs: Math.round(rng.exp(5_000)),
        });
      }
      return session(startUs, hosts, rng, name, 443, exchanges, rng.range(20e6, 100e6), rng.int(32, 64), true, observe);
    }
    case 'bulk': {
      const name = rng.pick(VIDEO_NAMES);
      const exchanges: Exchange[] = [{ request: 0, response: rng.int(3000, 6000), thinkUs: 20, serverDelayUs: rng.int(200, 3000) }];
      const chunks = rng.int(3, 8);
      for (let i = 0; i < chunks; i++) {
        exchanges.push({ request: rng.int(300, 600), response: rng.int(600_000, 1_500_000), thinkUs: rng.int(500_000, 3_000_000), serverDelayUs: rng.int(1_000, 10_000) });
      }
      return session(startUs, hosts, rng, name, 443, exchanges, rng.range(10e6, 40e6), rng.int(48, 128), true, observe);
    }
    case 'interactive': {
      const exchanges: Exchange[] = [];
      const n = rng.int(10, 50);
      for (let i = 0; i < n; i++) {
        exchanges.push({ request: rng.int(36, 120), response: rng.int(36, 300), thinkUs: Math.round(rng.exp(400_000)), serverDelayUs: rng.int(50, 500) });
      }
      return session(startUs, hosts, rng, null, 22, exchanges, 50e6, 16, false, observe);
    }
    default: {
      const never: never = cls;
      throw new Error(`unknown class ${String(never)}`);
    }
  }
}

function session(startUs: number, hosts: Hosts, rng: Rng, sni: string | null, port: number, exchanges: Exchange[],
  bottleneckBps: number, maxWindow: number, tls: boolean, observe?: SessionObserver): TcpSession {
  const six = rng.chance(0.15);
  const params: TcpSessionParams = {
    startUs,
    client: hosts.client(rng, six),
    server: hosts.server(sni ?? `ssh-${rng.int(1, 6)}`, six),
    clientPort: rng.int(32768, 60999),
    serverPort: port,
    rttUs: drawRttUs(rng),
    clientShare: rng.range(0.05, 0.5),
    exchanges,
    ...(sni === null ? {} : { firstRequest: clientHello(sni, rng) }),
    tls,
    serverGapUs: Math.max(1, Math.round((1514 * 8 * 1e6) / bottleneckBps)),
    maxWindow,
    clientIsn: rng.uint32(),
    serverIsn: rng.uint32(),
  };
  observe?.(params);
  return new TcpSession(params);
}
