/**
 * The mutable state of one open window (any resolution): counters, distinct-flow set and
 * RTT/latency sketches. Pooled and reused by WindowLevel, so a capture allocates a few of
 * these, not one per window.
 */
import type { WindowResolution } from '../../src-shared/window-metrics.js';
import { FlowIdSet } from './flow-id-set.js';
import { QuantileSketch } from './quantile-sketch.js';
import { buildWindowRow, TRANSPORT_CLASSES, TransportClass } from './window-aggregate-row.js';
import type { WindowAggregateRow } from './window-aggregate-row.js';

const PLEN_BUCKETS = 10;

/** Accumulating state of one window; fields are public for the aggregator's hot loop. */
export class OpenWindow {
  /** Window start, epoch seconds (a multiple of the resolution). */
  t = 0;
  /** Unique per opening (never reused), so per-flow "already counted here" stamps stay valid. */
  id = 0;
  /** A row for this window may already have been emitted. */
  partial = false;
  /** WindowLevel bookkeeping: its window-switch counter when this window last got a packet. */
  lastTouch = 0;

  packets = 0;
  bytes = 0;
  capturedBytes = 0;
  /** Packets and wire bytes per TransportClass. */
  readonly classPackets = new Float64Array(TRANSPORT_CLASSES);
  readonly classBytes = new Float64Array(TRANSPORT_CLASSES);
  /** Packets per packet-length bucket (packetLengthBucket). */
  readonly plen = new Float64Array(PLEN_BUCKETS);
  /** Flows opened in the window; -1 while no packet carried flow annotations. */
  newConnections = -1;
  /** Serials of the flows with a packet in the window. */
  readonly flows = new FlowIdSet();
  rttSum = 0;
  readonly rtt = new QuantileSketch();
  latencySum = 0;
  readonly latency = new QuantileSketch();
  /** Sum, count and max of the bytes-in-flight values of the window's segments. */
  bifSum = 0;
  bifCount = 0;
  bifMax = Number.NEGATIVE_INFINITY;

  /** Prepares a pooled window for a new opening. */
  open(t: number, id: number, partial: boolean): void {
    this.t = t;
    this.id = id;
    this.partial = partial;
    this.lastTouch = 0;
    this.packets = 0;
    this.bytes = 0;
    this.capturedBytes = 0;
    this.classPackets.fill(0);
    this.classBytes.fill(0);
    this.plen.fill(0);
    this.newConnections = -1;
    this.flows.clear();
    this.rttSum = 0;
    this.rtt.clear();
    this.latencySum = 0;
    this.latency.clear();
    this.bifSum = 0;
    this.bifCount = 0;
    this.bifMax = Number.NEGATIVE_INFINITY;
  }

  /** Adds a closed child window (a finer resolution inside this one) to this window. */
  absorb(child: OpenWindow): void {
    this.packets += child.packets;
    this.bytes += child.bytes;
    this.capturedBytes += child.capturedBytes;
    for (let c = 0; c < TRANSPORT_CLASSES; c++) {
      this.classPackets[c]! += child.classPackets[c]!;
      this.classBytes[c]! += child.classBytes[c]!;
    }
    for (let b = 0; b < PLEN_BUCKETS; b++) this.plen[b]! += child.plen[b]!;
    if (child.newConnections >= 0) {
      this.newConnections = Math.max(this.newConnections, 0) + child.newConnections;
    }
    this.flows.addAll(child.flows);
    this.rttSum += child.rttSum;
    this.rtt.merge(child.rtt);
    this.latencySum += child.latencySum;
    this.latency.merge(child.latency);
    this.bifSum += child.bifSum;
    this.bifCount += child.bifCount;
    if (child.bifMax > this.bifMax) this.bifMax = child.bifMax;
  }

  /** The emitted row: counts, sums and the metrics derived from them (DESIGN.md Definitions). */
  toRow(resolution: WindowResolution): WindowAggregateRow {
    const cp = this.classPackets;
    const cb = this.classBytes;
    const plen = this.plen;
    const hasFlows = this.newConnections >= 0;
    return buildWindowRow({
      t: this.t,
      resolution,
      partial: this.partial,
      packets: this.packets,
      bytes: this.bytes,
      captured_bytes: this.capturedBytes,
      latency_p99_ms: this.latency.quantile(0.99),
      tcp_rtt_p99_ms: this.rtt.quantile(0.99),
      active_connections: hasFlows ? this.flows.size : null,
      new_connections: hasFlows ? this.newConnections : null,
      tcp_packets: cp[TransportClass.TCP]!,
      tcp_bytes: cb[TransportClass.TCP]!,
      udp_packets: cp[TransportClass.UDP]!,
      udp_bytes: cb[TransportClass.UDP]!,
      icmp_packets: cp[TransportClass.ICMP]!,
      icmp_bytes: cb[TransportClass.ICMP]!,
      other_packets: cp[TransportClass.OTHER]!,
      other_bytes: cb[TransportClass.OTHER]!,
      plen_0_19: plen[0]!,
      plen_20_39: plen[1]!,
      plen_40_79: plen[2]!,
      plen_80_159: plen[3]!,
      plen_160_319: plen[4]!,
      plen_320_639: plen[5]!,
      plen_640_1279: plen[6]!,
      plen_1280_2559: plen[7]!,
      plen_2560_5119: plen[8]!,
      plen_5120_plus: plen[9]!,
      rtt_sum: this.rttSum,
      rtt_count: this.rtt.count,
      latency_sum: this.latencySum,
      latency_count: this.latency.count,
      bif_sum: this.bifSum,
      bif_count: this.bifCount,
      bif_max: this.bifCount > 0 ? this.bifMax : null,
    });
  }
}
