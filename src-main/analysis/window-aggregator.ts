/**
 * Streaming window aggregator: decoded packets in, one row per non-empty window out, at 1 s
 * (aligned on the Unix epoch: floor(timestamp)) and as 10 s and 60 s rollups built from the
 * closed 1 s windows' counters, flow sets and sketches (never by re-reading packets).
 *
 * Memory is bounded by the open windows (WindowLevel: a handful per resolution, at most
 * `maxOpenWindows`) and by the highest live-flow slot, never by the span or size of the
 * capture: a trace with a gap of years opens two windows, not a bucket per empty second.
 * Packets whose timestamp goes back land in the window of their own timestamp; if that
 * window already closed, it is reopened and emitted again as a `partial` row to be merged
 * additively (WindowAggregateRow documents the merge).
 *
 * Distinct flows (active_connections) are counted exactly, not estimated: each flow gets a
 * serial number (a new one whenever the flow table reports a new flow, even in a reused
 * slot), each window holds the set of serials seen (FlowIdSet), and rollups take the union
 * of their children's sets. Exact because the numbers are checked against flow records, and
 * cheap because a per-slot stamp skips the set for every packet after a flow's first in a
 * window, and the sets live only while their window is open (memory ∝ flows per open window).
 *
 * Protocol shares partition the packets (classifyTransport): ICMPv6 counts as icmp, a frame
 * with ICMP anywhere (an error quoting TCP/UDP) is icmp, and the rest is tcp, udp or other.
 * RTT and latency samples come from the flow stage in seconds and are kept in milliseconds.
 */
import type { RawBatch } from '../ingest/raw-batch.js';
import type { DecodedBatch } from '../ingest/decoded-batch.js';
import { NO_FLOW } from './packet-annotations.js';
import type { PacketAnnotations } from './packet-annotations.js';
import { packetLengthBucket } from '../../src-shared/window-metrics.js';
import type { WindowResolution } from '../../src-shared/window-metrics.js';
import { WindowLevel } from './window-level.js';
import type { OpenWindow } from './open-window.js';
import { classifyTransport, withGradients } from './window-aggregate-row.js';
import type { WindowAggregateRow } from './window-aggregate-row.js';

/** Receives the rows of windows that closed, once per `add()` that closed any, and at `flush()`. */
export type WindowRowSink = (rows: WindowAggregateRow[]) => void;

/** Tuning of the aggregator (defaults suit files and live capture alike). */
export interface WindowAggregatorOptions {
  /**
   * A 1 s window closes once a window this many seconds newer opens and it has had no packet
   * for 8 window switches (default 2; WindowLevel explains the policy).
   */
  readonly lagSeconds?: number;
  /** Open windows per resolution before the least recently used one is closed (default 32). */
  readonly maxOpenWindows?: number;
}

const DEFAULT_LAG_SECONDS = 2;
const DEFAULT_MAX_OPEN = 32;
/**
 * A passed window closes after this many window switches without a packet (WindowLevel):
 * room for that many interleaved sources before rows split into partial ones. Rollups keep
 * fewer, because their flow sets are the large ones (a 60 s window holds every live flow).
 */
const IDLE_SWITCHES = 8;
const ROLLUP_IDLE_SWITCHES = 4;

/** Turns decoded, annotated batches into 1 s / 10 s / 60 s window rows. */
export class WindowAggregator {
  private readonly sink: WindowRowSink;
  private readonly lagSeconds: number;
  private readonly seconds: WindowLevel;
  private readonly tens: WindowLevel;
  private readonly minutes: WindowLevel;
  private pending: WindowAggregateRow[] = [];
  /** Per live-flow slot: serial of the flow now in it (0: none yet). */
  private serialOfSlot = new Uint32Array(1024);
  /** Per slot: id of the 1 s window in which its current flow was last counted (0: none). */
  private stampOfSlot = new Uint32Array(1024);
  private nextSerial = 0;
  /** Last complete row emitted per resolution (the previous window of the gradients). */
  private readonly lastRow = new Map<number, WindowAggregateRow>();

  constructor(sink: WindowRowSink, options: WindowAggregatorOptions = {}) {
    this.sink = sink;
    this.lagSeconds = options.lagSeconds ?? DEFAULT_LAG_SECONDS;
    const maxOpen = options.maxOpenWindows ?? DEFAULT_MAX_OPEN;
    const level = (resolution: WindowResolution, lag: number, onClose: (w: OpenWindow) => void): WindowLevel =>
      new WindowLevel({
        resolution, lag, maxOpen, idleSwitches: resolution === 1 ? IDLE_SWITCHES : ROLLUP_IDLE_SWITCHES,
      }, onClose);
    // Rollups use lag 0: their children already arrive after the 1 s level's lag, in order.
    this.minutes = level(60, 0, (w) => this.pending.push(w.toRow(60)));
    this.tens = level(10, 0, (w) => {
      this.pending.push(w.toRow(10));
      this.minutes.windowAt(Math.floor(w.t / 60) * 60).absorb(w);
    });
    this.seconds = level(1, this.lagSeconds, (w) => {
      this.pending.push(w.toRow(1));
      this.tens.windowAt(Math.floor(w.t / 10) * 10).absorb(w);
    });
  }

  /**
   * Adds one batch. `dec` (and `ann` when given) must be index-aligned with `raw`. Without
   * `ann` (no flow stage), active/new connections and the RTT/latency metrics are null.
   */
  add(raw: RawBatch, dec: DecodedBatch, ann?: PacketAnnotations): void {
    const n = raw.count;
    if (dec.count !== n || (ann !== undefined && ann.count !== n)) {
      throw new RangeError(`batch counts differ: raw ${n}, decoded ${dec.count}, annotations ${ann?.count ?? '-'}`);
    }
    if (ann === undefined) this.addCounts(raw, dec);
    else this.addAnnotated(raw, dec, ann);
    this.emit();
  }

  /** Packet, byte, size and protocol counts (no flow stage). */
  private addCounts(raw: RawBatch, dec: DecodedBatch): void {
    const level = this.seconds;
    const n = raw.count;
    const tsSec = raw.tsSec;
    const wirelen = raw.wirelen;
    const caplen = raw.caplen;
    const protoMask = dec.protoMask;
    const ipProto = dec.ipProto;
    let w: OpenWindow | null = null;
    let wt = Number.NaN;
    for (let i = 0; i < n; i++) {
      const ts = tsSec[i]!;
      if (w === null || ts !== wt) {
        w = level.windowAt(Math.floor(ts));
        wt = ts;
      }
      const len = wirelen[i]!;
      w.packets++;
      w.bytes += len;
      w.capturedBytes += caplen[i]!;
      w.plen[packetLengthBucket(len)]!++;
      const c = classifyTransport(protoMask[i]!, ipProto[i]!);
      w.classPackets[c]!++;
      w.classBytes[c]! += len;
    }
  }

  /**
   * The same counts plus flows, RTT and latency. One loop with everything in locals: this is
   * the aggregator's hot path (a method call per packet costs a third of its speed).
   */
  private addAnnotated(raw: RawBatch, dec: DecodedBatch, ann: PacketAnnotations): void {
    this.ensureSlots(ann);
    const level = this.seconds;
    const n = raw.count;
    const tsSec = raw.tsSec;
    const wirelen = raw.wirelen;
    const caplen = raw.caplen;
    const protoMask = dec.protoMask;
    const ipProto = dec.ipProto;
    const flowSlot = ann.flowSlot;
    const newFlow = ann.newFlow;
    const ackRtt = ann.ackRtt;
    const latency = ann.latency;
    const bif = ann.bytesInFlight;
    const serials = this.serialOfSlot;
    const stamps = this.stampOfSlot;
    let w: OpenWindow | null = null;
    let wt = Number.NaN;
    let wid = 0;
    for (let i = 0; i < n; i++) {
      const ts = tsSec[i]!;
      if (w === null || ts !== wt) {
        w = level.windowAt(Math.floor(ts));
        wt = ts;
        wid = w.id;
        if (w.newConnections < 0) w.newConnections = 0;
      }
      const len = wirelen[i]!;
      w.packets++;
      w.bytes += len;
      w.capturedBytes += caplen[i]!;
      w.plen[packetLengthBucket(len)]!++;
      const c = classifyTransport(protoMask[i]!, ipProto[i]!);
      w.classPackets[c]!++;
      w.classBytes[c]! += len;
      const slot = flowSlot[i]!;
      if (slot !== NO_FLOW) {
        if (newFlow[i] === 1) {
          serials[slot] = this.newSerial();
          stamps[slot] = 0;
          w.newConnections++;
        }
        if (stamps[slot] !== wid) {
          stamps[slot] = wid;
          let serial = serials[slot]!;
          // A flow that began before this aggregator saw it (no newFlow packet) still counts.
          if (serial === 0) serial = serials[slot] = this.newSerial();
          w.flows.add(serial);
        }
      }
      const rtt = ackRtt[i]!;
      if (rtt === rtt) {
        w.rttSum += rtt * 1000;
        w.rtt.add(rtt * 1000);
      }
      const lat = latency[i]!;
      if (lat === lat) {
        w.latencySum += lat * 1000;
        w.latency.add(lat * 1000);
      }
      const b = bif[i]!;
      if (b === b) {
        w.bifSum += b;
        w.bifCount++;
        if (b > w.bifMax) w.bifMax = b;
      }
    }
  }

  /** Live capture: the clock reached `epochSec`; close windows no packet can reach any more. */
  advanceClock(epochSec: number): void {
    const t = epochSec - this.lagSeconds;
    this.seconds.closeBefore(t);
    this.tens.closeBefore(t);
    this.minutes.closeBefore(t);
    this.emit();
  }

  /** Closes every open window (end of input) and hands their rows to the sink. */
  flush(): void {
    this.seconds.closeAll();
    this.tens.closeAll();
    this.minutes.closeAll();
    this.emit();
  }

  /** Open windows per resolution (1 s, 10 s, 60 s): bounded, for tests and diagnostics. */
  openWindows(): readonly [number, number, number] {
    return [this.seconds.openCount, this.tens.openCount, this.minutes.openCount];
  }

  private newSerial(): number {
    // Wrapping after 2^32 flows is harmless: only serials inside one open window must differ.
    this.nextSerial = this.nextSerial >= 0xffffffff ? 1 : this.nextSerial + 1;
    return this.nextSerial;
  }

  /** Grows the per-slot arrays to cover every slot of the batch (slots are bounded by live flows). */
  private ensureSlots(ann: PacketAnnotations): void {
    const slots = ann.flowSlot;
    let top = -1;
    for (let i = 0; i < ann.count; i++) {
      const s = slots[i]!;
      if (s !== NO_FLOW && s > top) top = s;
    }
    if (top < this.serialOfSlot.length) return;
    let size = this.serialOfSlot.length;
    while (size <= top) size *= 2;
    const serials = new Uint32Array(size);
    serials.set(this.serialOfSlot);
    const stamps = new Uint32Array(size);
    stamps.set(this.stampOfSlot);
    this.serialOfSlot = serials;
    this.stampOfSlot = stamps;
  }

  private emit(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      // Gradients against the last complete row of the same resolution (rows of one level
      // close in time order); a partial row gets none and does not move the reference.
      if (row.partial) continue;
      const prev = this.lastRow.get(row.resolution) ?? null;
      if (prev !== null && row.t < prev.t) continue;
      rows[k] = withGradients(row, prev);
      this.lastRow.set(row.resolution, row);
    }
    this.sink(rows);
  }
}
