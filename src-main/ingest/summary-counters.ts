import type { ProtocolCounts } from '../../src-shared/capture-summary.js';
import { ProtoBit, type DecodedBatch } from './decoded-batch.js';
import type { RawBatch } from './raw-batch.js';

/**
 * Capture-wide totals as capinfos and tshark's display filters count them: packets, captured
 * and wire bytes, the earliest and latest timestamp (capinfos' start/end are min and max, as
 * files may go back in time), and frames per protocol.
 */
export class SummaryCounters {
  packets = 0;
  capturedBytes = 0;
  wireBytes = 0;
  /** Earliest timestamp; minSec is +Infinity until a packet is seen. */
  minSec = Infinity;
  minNsec = 0;
  /** Latest timestamp; maxSec is −Infinity until a packet is seen. */
  maxSec = -Infinity;
  maxNsec = 0;
  ipv4 = 0;
  ipv6 = 0;
  tcp = 0;
  udp = 0;
  icmp = 0;
  icmpv6 = 0;

  /** Adds one batch; `dec` is index-aligned with `raw`. */
  add(raw: RawBatch, dec: DecodedBatch): void {
    const n = raw.count;
    const caplen = raw.caplen;
    const wirelen = raw.wirelen;
    const tsSec = raw.tsSec;
    const tsNsec = raw.tsNsec;
    const mask = dec.protoMask;
    let cap = 0;
    let wire = 0;
    let v4 = 0, v6 = 0, tcp = 0, udp = 0, icmp = 0, icmp6 = 0;
    let minSec = this.minSec, minNsec = this.minNsec, maxSec = this.maxSec, maxNsec = this.maxNsec;
    for (let i = 0; i < n; i++) {
      cap += caplen[i]!;
      wire += wirelen[i]!;
      const s = tsSec[i]!;
      const ns = tsNsec[i]!;
      if (s < minSec || (s === minSec && ns < minNsec)) { minSec = s; minNsec = ns; }
      if (s > maxSec || (s === maxSec && ns > maxNsec)) { maxSec = s; maxNsec = ns; }
      const m = mask[i]!;
      // Bit tests add 0 or 1 without branches.
      v4 += m & ProtoBit.IPV4;
      v6 += (m & ProtoBit.IPV6) >>> 1;
      tcp += (m & ProtoBit.TCP) >>> 2;
      udp += (m & ProtoBit.UDP) >>> 3;
      icmp += (m & ProtoBit.ICMP) >>> 4;
      icmp6 += (m & ProtoBit.ICMPV6) >>> 5;
    }
    this.packets += n;
    this.capturedBytes += cap;
    this.wireBytes += wire;
    this.minSec = minSec; this.minNsec = minNsec; this.maxSec = maxSec; this.maxNsec = maxNsec;
    this.ipv4 += v4; this.ipv6 += v6; this.tcp += tcp; this.udp += udp;
    this.icmp += icmp; this.icmpv6 += icmp6;
  }

  /** Frames per protocol, as the summary reports them. */
  protocols(): ProtocolCounts {
    return { ipv4: this.ipv4, ipv6: this.ipv6, tcp: this.tcp, udp: this.udp, icmp: this.icmp, icmpv6: this.icmpv6 };
  }

  /** Earliest timestamp as epoch seconds with 9 fractional digits, or null without packets. */
  firstTimestamp(): string | null {
    return this.packets === 0 ? null : formatEpoch(this.minSec, this.minNsec);
  }

  /** Latest timestamp as epoch seconds with 9 fractional digits, or null without packets. */
  lastTimestamp(): string | null {
    return this.packets === 0 ? null : formatEpoch(this.maxSec, this.maxNsec);
  }

  /** Latest − earliest in seconds (0 without packets). */
  durationSeconds(): number {
    if (this.packets === 0) return 0;
    return (this.maxSec - this.minSec) + (this.maxNsec - this.minNsec) / 1e9;
  }
}

/** Epoch seconds + nanoseconds as "S.NNNNNNNNN" (a negative second keeps its sign). */
export function formatEpoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}
