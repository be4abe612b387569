/**
 * The scenario generator: a seeded discrete-event simulation whose actors (flows, floods,
 * scans, flow spawners) emit packets in time order into a streaming pcapng writer, plus the
 * label file of the injected events. Same options → byte-identical capture and labels.
 * Memory is bounded by the live flows, never by the duration.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { err, ok, type Result } from '../../src-shared/result.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { TimeHeap, type Actor, type SimContext } from './actor.js';
import { FrameWriter, type Endpoint } from './frame-writer.js';
import { Rng } from './rng.js';
import {
  MAX_SHAPE, placeEvents, QUIET_FACTOR, rateShape, scenarioEvents, SPIKE_FACTOR,
  type EventLabel, type RateShape, type ScenarioName,
} from './scenario.js';
import { CLASS_MIX, makeFlow, makeHosts, type Hosts, type SessionObserver, type TrafficClass } from './traffic-mix.js';
import { dnsTunnel, PortScan, synFlood, udpFlood } from './udp-and-probes.js';

/** What to generate. */
export interface SimulateOptions {
  readonly scenario: ScenarioName;
  /** Seconds of traffic. */
  readonly duration: number;
  /** The capture written (pcapng). */
  readonly out: string;
  /** Mean baseline packets per second (default 1000). */
  readonly rate?: number;
  readonly seed?: number;
  /** Epoch second of the first packet's window (default 1767225600, 2026-01-01T00:00:00Z). */
  readonly start?: number;
  readonly shape?: RateShape;
  /** The label file (default: the capture's path with `.labels.json` for its extension). */
  readonly labelsPath?: string;
  /** Sees every TCP session's parameters (tests). */
  readonly observeSessions?: SessionObserver;
  /**
   * Told about every 50 000 events with the simulated time reached (µs from the start) and the
   * packets written; answering true stops the run: the partial files are removed and the
   * result is a `cancelled` error.
   */
  readonly onProgress?: (doneUs: number, packets: number) => boolean | void;
}

/** What was written. */
export interface SimulateResult {
  readonly path: string;
  readonly labelsPath: string;
  readonly packets: number;
  readonly bytes: number;
  readonly events: readonly EventLabel[];
  readonly start: number;
  readonly duration: number;
}

/** Default first second: 2026-01-01T00:00:00Z. */
export const DEFAULT_START = 1767225600;

/** `x.pcapng` → `x.labels.json`. */
export function labelsPathFor(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return `${dot > slash + 1 ? path.slice(0, dot) : path}.labels.json`;
}

/** Generates the scenario capture and its label file. */
export function simulate(o: SimulateOptions): Result<SimulateResult> {
  if (!(o.duration > 0 && o.duration <= 30 * 86400)) return err({ code: 'invalid_argument', message: `duration must be 1 s to 30 days, got ${o.duration}` });
  const rate = o.rate ?? 1000;
  if (!(rate > 0 && rate <= 1_000_000)) return err({ code: 'invalid_argument', message: `rate must be 1 to 1000000 packets/s, got ${rate}` });
  const seed = o.seed ?? 1;
  const start = Math.floor(o.start ?? DEFAULT_START);
  const shape = o.shape ?? 'diurnal';
  const labelsPath = o.labelsPath ?? labelsPathFor(o.out);
  const opened = PcapngWriter.open({ path: o.out, linkType: 1, snaplen: 65535, tsResolution: 'us', application: `flowbench simulate ${o.scenario} seed ${seed}` });
  if (!opened.ok) return opened;
  const rng = new Rng(seed);
  const events = placeEvents(scenarioEvents(o.scenario), start, Math.floor(o.duration), rng.fork(), o.scenario === 'mixed');
  const out = new FrameWriter(opened.value, start);
  const sim = new Engine(out);
  const hosts = makeHosts();
  const endUs = Math.round(o.duration * 1e6);
  const factor = (t: number): number => {
    let f = rateShape(shape, start + t / 1e6, start, o.duration);
    for (const e of events) {
      if (t >= (e.from - start) * 1e6 && t < (e.to - start) * 1e6) {
        if (e.kind === 'quiet') f *= QUIET_FACTOR;
        else if (e.kind === 'spike') f *= SPIKE_FACTOR;
      }
    }
    return f;
  };
  const maxFactor = MAX_SHAPE * (events.some((e) => e.kind === 'spike') ? SPIKE_FACTOR : 1);
  for (const m of CLASS_MIX) {
    const flowsPerSec = (rate * m.share) / m.packetsPerFlow;
    sim.spawn(new Spawner(m.cls, flowsPerSec, maxFactor, factor, endUs, hosts, rng.fork(), o.observeSessions));
  }
  for (const e of events) sim.spawn(eventActor(e, start, rate, hosts, rng.fork()) ?? idle());
  const stopped = sim.run(endUs, o.onProgress === undefined ? undefined : (tUs) => o.onProgress?.(tUs, out.packets) === true);
  out.flush();
  const closed = opened.value.close();
  if (!closed.ok) return closed;
  if (stopped) {
    rmSync(o.out, { force: true });
    return err({ code: 'cancelled', message: `${o.out}: simulation cancelled; the partial capture was removed` });
  }
  try {
    writeFileSync(labelsPath, `${JSON.stringify(events, null, 1)}\n`);
  } catch (e) {
    return err({ code: 'io_error', message: `${labelsPath}: cannot write the label file: ${(e as Error).message}` });
  }
  return ok({ path: o.out, labelsPath, packets: out.packets, bytes: out.bytes, events, start, duration: o.duration });
}

/** The actor of an injected event (quiet and spike act through the spawners' rates). */
function eventActor(e: EventLabel, start: number, rate: number, hosts: Hosts, rng: Rng): Actor | null {
  const from = (e.from - start) * 1e6;
  const to = (e.to - start) * 1e6;
  const victim: Endpoint = hosts.server('www.example-shop.com', false);
  switch (e.kind) {
    case 'syn_flood': return synFlood(from, to, Math.max(200, rate * 3), victim, 443, hosts.gatewayMac, rng);
    case 'udp_flood': return udpFlood(from, to, Math.max(200, rate * 2), victim, hosts.gatewayMac, rng);
    case 'port_scan': {
      const scanner: Endpoint = { ip: Uint8Array.of(192, 0, 2, 66), mac: hosts.gatewayMac };
      const target: Endpoint = { ip: Uint8Array.of(10, 0, 1, 20), mac: Uint8Array.of(0x02, 0x42, 0x0a, 0x00, 0x01, 0x14) };
      const pps = Math.min(2000, Math.max(100, rate / 2));
      return new PortScan(from, to, Math.round(1e6 / pps), scanner, target, 800, rng);
    }
    case 'dns_tunnel': {
      const client: Endpoint = { ip: Uint8Array.of(10, 0, 3, 7), mac: Uint8Array.of(0x02, 0x42, 0x0a, 0x00, 0x03, 0x07) };
      return dnsTunnel(from, to, Math.min(1000, Math.max(20, rate / 5)), client, hosts.resolver, 't.tunnel-example.net', 6000, rng);
    }
    case 'quiet':
    case 'spike':
      return null;
    default: {
      const never: never = e.kind;
      throw new Error(`unknown event ${String(never)}`);
    }
  }
}

function idle(): Actor {
  return { t: 0, done: true, step: () => undefined };
}

/** Starts flows of one class as a Poisson process thinned by the rate factor. */
class Spawner implements Actor {
  t = 0;
  done = false;
  private readonly meanGapUs: number;

  constructor(private readonly cls: TrafficClass, private readonly perSec: number, private readonly maxFactor: number,
    private readonly factor: (tUs: number) => number, private readonly endUs: number, private readonly hosts: Hosts,
    private readonly rng: Rng, private readonly observe?: SessionObserver) {
    this.meanGapUs = 1e6 / (perSec * maxFactor);
    this.advance();
  }

  step(ctx: SimContext): void {
    if (this.rng.next() * this.maxFactor < this.factor(this.t)) {
      ctx.spawn(makeFlow(this.cls, this.t, this.hosts, this.rng.fork(), this.observe));
    }
    this.advance();
  }

  private advance(): void {
    this.t += Math.max(1, Math.round(this.rng.exp(this.meanGapUs)));
    if (this.t >= this.endUs || !(this.perSec > 0)) this.done = true;
  }
}

/** Engine steps between two progress reports. */
const PROGRESS_EVERY = 50_000;

/** Runs actors in time order until `endUs`. */
class Engine implements SimContext {
  private readonly heap = new TimeHeap<Actor>();

  constructor(readonly out: FrameWriter) {}

  spawn(actor: Actor): void {
    if (!actor.done) this.heap.push(actor.t, actor);
  }

  /** Runs to `endUs`; `progress` (every PROGRESS_EVERY steps) answering true stops early: returns true then. */
  run(endUs: number, progress?: (tUs: number) => boolean): boolean {
    let steps = 0;
    while (this.heap.peekTime() < endUs) {
      const a = this.heap.pop()!;
      a.step(this);
      if (!a.done) this.heap.push(a.t, a);
      if (progress !== undefined && ++steps % PROGRESS_EVERY === 0 && progress(Math.min(endUs, this.heap.peekTime()))) return true;
    }
    return false;
  }
}
