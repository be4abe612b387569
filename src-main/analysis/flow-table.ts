/**
 * The flow stage: bidirectional flows keyed by the primary 5-tuple and IP version, streaming
 * over decoded batches. Per packet it fills PacketAnnotations (flow slot, new flow, ack RTT,
 * handshake RTT, DNS / TCP request-response latency); finished flows go to a sink as
 * FlowRecords. Memory is bounded by the live flows (and the capped per-flow TCP and DNS
 * bookkeeping), never by the capture.
 *
 * Flow life (all times are packet times, never the wall clock, so a file always gives the
 * same flows):
 * - client: the sender of a SYN without ACK; the receiver of a SYN/ACK when the SYN was
 *   missed; else the first packet's source.
 * - idle timeout (TCP 300 s, others 120 s): the next packet of the key starts a new flow.
 * - active timeout (1800 s): an interim record (end_reason 'active_timeout', segment 0, 1, …)
 *   and the flow continues in the same slot with fresh statistics.
 * - TCP close: once both FINs are acknowledged the flow ends with that packet; after both
 *   FINs or a RST it lingers `closeLinger` seconds, absorbing stragglers. The same SYN again
 *   during the linger (a retry after a RST) reopens the flow, as Wireshark keeps one stream.
 * - a SYN whose sequence number differs from the one first seen in its direction is a new
 *   connection on reused ports (Wireshark's rule): the old flow ends (reason 'idle', as the
 *   FlowEndReason union has no 'port reuse').
 * - not placed in a flow (NO_FLOW): non-IP packets, IP fragments without their transport
 *   header (the datagram is counted on the frame that completes it, as Wireshark does).
 * Idle and lingering flows are also swept every `sweepInterval` seconds of packet time (and
 * at least a quarter of the live slots' count of packets apart).
 */
import type { RawBatch } from '../ingest/raw-batch.js';
import type { DecodedBatch } from '../ingest/decoded-batch.js';
import { ProtoBit } from '../ingest/decoded-batch.js';
import type { FlowEndReason, FlowRecord } from '../../src-shared/flow-record.js';
import { LatencyKind, NO_FLOW } from './packet-annotations.js';
import type { PacketAnnotations } from './packet-annotations.js';
import type { FlowKeyIndex } from './flow-key-index.js';
import { FlowLookup, NO_KEY } from './flow-lookup.js';
import { Dir, FlowStats } from './flow-stats.js';
import { TcpRtt } from './tcp-rtt.js';
import { BytesInFlight, sackedBytes } from './bytes-in-flight.js';
import { DnsTransactions, TcpRequestResponse } from './latency.js';
import { FlowDetails } from './flow-details.js';
import type { FlowCaptureStats } from './flow-details.js';
import { buildFlowRecord } from './flow-record-build.js';
import { looksLikeDns } from './dns-parser.js';

/** Receives every finished (or interim) flow. */
export type FlowSink = (record: FlowRecord) => void;

/** Flow-table settings; every field has a default. */
export interface FlowTableOptions {
  /** Idle timeout of TCP flows, seconds (default 300). */
  readonly tcpIdleTimeout?: number;
  /** Idle timeout of UDP and other flows, seconds (default 120). */
  readonly idleTimeout?: number;
  /** Active timeout, seconds: longer flows give interim records (default 1800). */
  readonly activeTimeout?: number;
  /** Seconds a closing TCP flow absorbs stragglers after both FINs or a RST (default 2). */
  readonly closeLinger?: number;
  /** Seconds of packet time between sweeps for idle flows (default 5). */
  readonly sweepInterval?: number;
  /** Initial slot capacity (grows by doubling; default 1024). */
  readonly initialCapacity?: number;
  /** Cap on remembered unacknowledged TCP segments over all flows. */
  readonly maxUnackedSegments?: number;
  /** Cap on remembered DNS transactions over all flows. */
  readonly maxDnsTransactions?: number;
}

const L4_HEADER = ProtoBit.L4_HEADER;
const REASSEMBLED = ProtoBit.REASSEMBLED;
const FRAGMENT = ProtoBit.IPV4_FRAGMENT | ProtoBit.IPV6_FRAGMENT;
const TCP = 6;
const UDP = 17;
const F_SYN = 0x02;
const F_FIN = 0x01;
const F_RST = 0x04;
const F_ACK = 0x10;

// Per-slot state bits.
const S_CLIENT_IS_LO = 1;
const S_CLIENT_KNOWN = 2;
const S_FIN = 4; // << half
const S_FIN_ACKED = 16; // << half
const S_RST = 64;
const S_CLOSING = 128;
const S_SNI_DONE = 256;
const S_IS_TCP = 512;

/** Client payload segments inspected for a ClientHello before giving up. */
const SNI_TRIES = 8;

/** Bidirectional flow table; see the file comment for the flow life. */
export class FlowTable {
  private readonly sink: FlowSink;
  private readonly tcpIdle: number;
  private readonly idle: number;
  private readonly active: number;
  private readonly linger: number;
  private readonly sweepEvery: number;
  private readonly lookup: FlowLookup;
  private readonly index: FlowKeyIndex;
  private readonly stats: FlowStats;
  private readonly rtt: TcpRtt;
  private readonly bif: BytesInFlight;
  private readonly dns: DnsTransactions;
  private readonly tcpLatency: TcpRequestResponse;
  private readonly details: FlowDetails;
  private capacity = 0;
  private state = new Uint16Array(0);
  private finSeq = new Uint32Array(0);
  private closeTs = new Float64Array(0);
  private segment = new Uint32Array(0);
  private sniTries = new Uint8Array(0);
  /** Whole seconds of the first packet: times are kept relative to it (ns-exact differences). */
  private baseSec = Number.NaN;
  private maxT = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;
  private sinceSweep = 0;

  constructor(sink: FlowSink, options: FlowTableOptions = {}) {
    this.sink = sink;
    this.tcpIdle = options.tcpIdleTimeout ?? 300;
    this.idle = options.idleTimeout ?? 120;
    this.active = options.activeTimeout ?? 1800;
    this.linger = options.closeLinger ?? 2;
    this.sweepEvery = options.sweepInterval ?? 5;
    const cap = options.initialCapacity ?? 1024;
    this.lookup = new FlowLookup(cap);
    this.index = this.lookup.index;
    this.stats = new FlowStats(this.index.capacity);
    this.rtt = new TcpRtt(this.index.capacity, options.maxUnackedSegments);
    this.bif = new BytesInFlight(this.index.capacity);
    this.dns = new DnsTransactions(this.index.capacity, options.maxDnsTransactions);
    this.tcpLatency = new TcpRequestResponse(this.index.capacity);
    this.details = new FlowDetails(this.index.capacity);
    this.grow();
  }

  /** Live flows now. */
  get liveFlows(): number {
    return this.index.size;
  }

  /** Runs the flow stage over one batch and fills `out` (index-aligned with `raw`/`dec`). */
  process(raw: RawBatch, dec: DecodedBatch, out: PacketAnnotations): void {
    const n = raw.count;
    if (dec.count !== n) throw new RangeError(`batch counts differ: raw ${n}, decoded ${dec.count}`);
    if (out.capacity < n) throw new RangeError(`annotations hold ${out.capacity} packets, batch has ${n}`);
    out.count = n;
    // Defaults for every packet first (native fills); packet() writes only what it finds.
    out.flowSlot.fill(NO_FLOW, 0, n);
    out.newFlow.fill(0, 0, n);
    out.ackRtt.fill(Number.NaN, 0, n);
    out.handshakeRtt.fill(Number.NaN, 0, n);
    out.bytesInFlight.fill(Number.NaN, 0, n);
    out.latency.fill(Number.NaN, 0, n);
    out.latencyKind.fill(LatencyKind.NONE, 0, n);
    for (let i = 0; i < n; i++) this.packet(raw, dec, out, i);
  }

  /** Emits every live flow with `reason` (normally 'end_of_capture') and empties the table. */
  flushAll(reason: FlowEndReason = 'end_of_capture'): void {
    for (let s = 0; s < this.index.highWater; s++) {
      if (!this.index.isLive(s)) continue;
      this.emit(s, reason);
      this.release(s);
    }
    this.lookup.clear();
  }

  /** Whole-capture figures: RTT and latency summaries, distinct SNI and DNS names. */
  captureStats(): FlowCaptureStats {
    return this.details.captureStats();
  }

  private packet(raw: RawBatch, dec: DecodedBatch, out: PacketAnnotations, i: number): void {
    const version = dec.ipVersion[i]!;
    if (version !== 4 && version !== 6) return;
    const mask = dec.protoMask[i]!;
    const proto = dec.ipProto[i]!;
    const hasL4 = (mask & L4_HEADER) !== 0;
    const ported = proto === TCP || proto === UDP || proto === 132;
    // A fragment without the transport header cannot be placed in its flow.
    if (ported && !hasL4 && (mask & FRAGMENT) !== 0) return;
    // A frame that completed an IP reassembly has its offsets in the decoder's copy.
    const reassembled = (mask & REASSEMBLED) !== 0;
    const bytes = reassembled ? dec.reassembled.data : raw.data;
    const frameStart = reassembled ? 0 : raw.offset[i]!;
    const capEnd = reassembled ? dec.reassembled.length : frameStart + raw.caplen[i]!;

    if (this.baseSec !== this.baseSec) this.baseSec = raw.tsSec[i]!;
    const sec = raw.tsSec[i]! - this.baseSec;
    const ns = raw.tsNsec[i]!;
    const t = sec + ns * 1e-9;
    if (t > this.maxT) this.maxT = t;
    // A sweep costs one check per slot: it waits for as many packets as a quarter of the
    // slots, so it stays a small share of the work on big tables.
    if (++this.sinceSweep >= this.index.highWater >> 2 && this.maxT >= this.nextSweep) this.sweep(this.maxT);

    const lookup = this.lookup;
    let slot = lookup.locate(bytes, dec.ipOffset[i]!, capEnd, version, proto,
      ported ? dec.srcPort[i]! : 0, ported ? dec.dstPort[i]! : 0);
    if (slot === NO_KEY) return;
    const fromLo = lookup.fromLo;

    const isTcp = proto === TCP && hasL4;
    const flags = isTcp ? dec.tcpFlags[i]! & 0x1ff : 0;
    const half = fromLo === 1 ? 0 : 1;
    if (slot >= 0) slot = this.continueOrEnd(slot, t, sec, ns, flags, half, isTcp ? dec.tcpSeq[i]! : 0);
    if (slot < 0) {
      slot = this.open(sec, ns, flags, fromLo === 1, isTcp);
      out.newFlow[i] = 1;
    }
    out.flowSlot[i] = slot;

    const st = this.state[slot]!;
    const fromClient = (fromLo === 1) === ((st & S_CLIENT_IS_LO) !== 0);
    const ipOff = dec.ipOffset[i]!;
    const payOff = dec.payloadOffset[i]!;
    const payInFrame = hasL4 && payOff >= frameStart && payOff <= capEnd;
    const headerBytes = payInFrame && payOff > ipOff ? payOff - ipOff : 0;
    this.stats.add(slot, fromClient ? Dir.FWD : Dir.BWD, sec, ns, raw.wirelen[i]!, headerBytes, flags);

    const payLen = hasL4 ? dec.payloadLength[i]! : 0;
    if (isTcp) {
      const l4 = dec.l4Offset[i]!;
      // TCP options lie between the fixed 20-byte header and the payload (RFC 9293 §3.1).
      const sacked = payInFrame && payOff > l4 + 20 ? sackedBytes(bytes, l4 + 20, payOff) : Number.NaN;
      this.tcpSegment(slot, half, t, sec, ns, dec.tcpSeq[i]!, dec.tcpAck[i]!, payLen, flags, sacked, out, i);
      if (payLen > 0) {
        const lat = this.tcpLatency.payload(slot, fromClient, sec, ns);
        if (lat === lat) this.latencySample(out, i, lat, LatencyKind.TCP_REQUEST_RESPONSE);
        if (payInFrame && (this.state[slot]! & S_SNI_DONE) === 0) this.sniCandidate(slot, fromClient, bytes, payOff, capEnd, payLen);
      }
    }
    if (payInFrame && payLen > 0 && (proto === UDP || isTcp)) {
      const sp = dec.srcPort[i]!;
      const dp = dec.dstPort[i]!;
      const dnsPort = isTcp ? isDnsTcpPort(sp) || isDnsTcpPort(dp) : isDnsUdpPort(sp) || isDnsUdpPort(dp);
      if (dnsPort || (!isTcp && sp !== 137 && dp !== 137 && looksLikeDns(bytes, payOff, capEnd, payLen))) {
        const end = Math.min(capEnd, payOff + payLen);
        const lat = this.details.dnsPayload(slot, bytes, payOff, end, isTcp, sec, ns, this.dns);
        if (lat === lat) this.latencySample(out, i, lat, LatencyKind.DNS);
      }
    }
    if ((this.state[slot]! & S_FIN_ACKED * 3) === S_FIN_ACKED * 3) this.end(slot, 'fin');
  }

  /** The slot if the packet continues its flow (after an interim record if due), else -1. */
  private continueOrEnd(slot: number, t: number, sec: number, ns: number, flags: number, half: number, seq: number): number {
    const st = this.state[slot]!;
    const synOnly = (flags & (F_SYN | F_ACK)) === F_SYN;
    if (st & S_CLOSING) {
      const reuse = synOnly && this.rtt.isPortReuse(slot, half, flags, seq);
      if (reuse || t - this.closeTs[slot]! > this.linger) {
        this.end(slot, st & S_RST ? 'rst' : 'fin');
        return -1;
      }
      // The same SYN again (a retry after a RST): the connection attempt goes on.
      if (synOnly) this.state[slot] = st & ~(S_CLOSING | S_RST | S_FIN * 3 | S_FIN_ACKED * 3);
    }
    const idle = st & S_IS_TCP ? this.tcpIdle : this.idle;
    if (t - this.stats.lastTs(slot) > idle) {
      this.end(slot, 'idle');
      return -1;
    }
    if (synOnly && this.rtt.isPortReuse(slot, half, flags, seq)) {
      this.end(slot, 'idle');
      return -1;
    }
    if (t - this.stats.firstTs(slot) > this.active) {
      this.emit(slot, 'active_timeout');
      this.segment[slot]! += 1;
      this.stats.reset(slot, sec, ns);
    }
    return slot;
  }

  private open(sec: number, ns: number, flags: number, fromLo: boolean, isTcp: boolean): number {
    const slot = this.lookup.insert();
    if (this.index.capacity > this.capacity) this.grow();
    const sa = flags & (F_SYN | F_ACK);
    // The SYN sender is the client; a SYN/ACK's receiver is, when the SYN was missed.
    const clientIsLo = sa === (F_SYN | F_ACK) ? !fromLo : fromLo;
    let st = clientIsLo ? S_CLIENT_IS_LO : 0;
    if (flags & F_SYN) st |= S_CLIENT_KNOWN;
    if (isTcp) st |= S_IS_TCP;
    this.state[slot] = st;
    this.segment[slot] = 0;
    this.sniTries[slot] = 0;
    this.stats.reset(slot, sec, ns);
    this.tcpLatency.reset(slot, (st & S_CLIENT_KNOWN) !== 0);
    this.details.reset(slot);
    return slot;
  }

  /** TCP sequence analysis, handshake timing and close tracking for one segment. */
  private tcpSegment(slot: number, half: number, t: number, sec: number, ns: number, seq: number, ack: number,
    len: number, flags: number, sacked: number, out: PacketAnnotations, i: number): void {
    this.bif.before(slot, half, seq, ack, len, flags);
    const ackRtt = this.rtt.analyze(slot, half, sec, ns, seq, ack, len, flags);
    out.bytesInFlight[i] = this.bif.after(slot, half, len, flags, this.rtt, sacked);
    if (ackRtt === ackRtt) {
      out.ackRtt[i] = ackRtt;
      this.details.ackRtt.add(ackRtt);
    }
    const hs = this.rtt.handshake(slot, sec, ns, flags, len);
    if (hs === hs) {
      out.handshakeRtt[i] = hs;
      this.details.handshakeRtt.add(hs);
    }
    let st = this.state[slot]!;
    if (flags & F_FIN) {
      st |= S_FIN << half;
      this.finSeq[slot * 2 + half] = (seq + len) >>> 0;
    }
    const other = half ^ 1;
    if (flags & F_ACK && st & (S_FIN << other) && ack === ((this.finSeq[slot * 2 + other]! + 1) >>> 0)) {
      st |= S_FIN_ACKED << other;
    }
    if (flags & F_RST) st |= S_RST;
    if ((st & S_CLOSING) === 0 && (st & S_RST || (st & S_FIN * 3) === S_FIN * 3)) {
      st |= S_CLOSING;
      this.closeTs[slot] = t;
    }
    this.state[slot] = st;
  }

  private sniCandidate(slot: number, fromClient: boolean, d: Uint8Array, payOff: number, capEnd: number, len: number): void {
    const st = this.state[slot]!;
    if (!fromClient && st & S_CLIENT_KNOWN) return;
    const tries = this.sniTries[slot]! + 1;
    this.sniTries[slot] = tries;
    if (this.details.tlsPayload(slot, d, payOff, Math.min(capEnd, payOff + len)) || tries >= SNI_TRIES) {
      this.state[slot] = st | S_SNI_DONE;
    }
  }

  private latencySample(out: PacketAnnotations, i: number, value: number, kind: number): void {
    out.latency[i] = value;
    out.latencyKind[i] = kind;
    if (kind === LatencyKind.DNS) this.details.dnsLatency.add(value);
    else this.details.tcpLatency.add(value);
  }

  /** Ends idle and lingering flows as of relative time `now`. */
  private sweep(now: number): void {
    this.nextSweep = now + this.sweepEvery;
    this.sinceSweep = 0;
    for (let s = 0; s < this.index.highWater; s++) {
      if (!this.index.isLive(s)) continue;
      const st = this.state[s]!;
      if (st & S_CLOSING && now - this.closeTs[s]! > this.linger) this.end(s, st & S_RST ? 'rst' : 'fin');
      else if (now - this.stats.lastTs(s) > (st & S_IS_TCP ? this.tcpIdle : this.idle)) this.end(s, 'idle');
    }
  }

  private end(slot: number, reason: FlowEndReason): void {
    this.emit(slot, reason);
    this.release(slot);
    this.lookup.remove(slot);
  }

  private release(slot: number): void {
    this.rtt.resetFlow(slot);
    this.bif.resetFlow(slot);
    this.dns.resetFlow(slot);
    this.details.release(slot);
  }

  private emit(slot: number, reason: FlowEndReason): void {
    this.sink(buildFlowRecord({
      key: this.index.keyOf(slot),
      clientIsLo: (this.state[slot]! & S_CLIENT_IS_LO) !== 0,
      baseSec: this.baseSec,
      stats: this.stats.fields(slot),
      handshakeRtt: this.rtt.initialRtt(slot),
      sni: this.details.sni(slot),
      dnsQuery: this.details.dnsQuery(slot),
      dnsAnswers: this.details.dnsAnswers(slot),
      reason,
      segment: this.segment[slot]!,
    }));
  }

  private grow(): void {
    const cap = this.index.capacity;
    this.stats.ensureCapacity(cap);
    this.rtt.ensureCapacity(cap);
    this.bif.ensureCapacity(cap);
    this.dns.ensureCapacity(cap);
    this.tcpLatency.ensureCapacity(cap);
    this.details.ensureCapacity(cap);
    this.state = growTo(this.state, cap);
    this.finSeq = growTo(this.finSeq, cap * 2);
    this.closeTs = growTo(this.closeTs, cap);
    this.segment = growTo(this.segment, cap);
    this.sniTries = growTo(this.sniTries, cap);
    this.capacity = cap;
  }
}

/** UDP ports Wireshark decodes as DNS: DNS (53), mDNS (5353), LLMNR (5355). */
function isDnsUdpPort(p: number): boolean {
  return p === 53 || p === 5353 || p === 5355;
}

/** TCP ports Wireshark decodes as DNS. */
function isDnsTcpPort(p: number): boolean {
  return p === 53 || p === 5353;
}


function growTo<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, size: number): T {
  if (a.length >= size) return a;
  const g = new (a.constructor as new (n: number) => T)(size);
  g.set(a);
  return g;
}
