/**
 * The analysis chain shared by file ingest and live capture: PacketDecoder → SummaryCounters →
 * ConversationTable → FlowTable → WindowAggregator, with flows and windows handed to a sink
 * (the SourceWriter) as they finish, and the whole-source statistics built at the end.
 * The caller owns where batches come from (a file reader, a capture worker) and the commits.
 */
import type { FlowRecord } from '../../src-shared/flow-record.js';
import { PACKET_LENGTH_BUCKETS } from '../../src-shared/window-metrics.js';
import { createDecodedBatch, type DecodedBatch } from '../ingest/decoded-batch.js';
import { PacketDecoder } from '../ingest/packet-decoder.js';
import type { RawBatch } from '../ingest/raw-batch.js';
import { SummaryCounters } from '../ingest/summary-counters.js';
import type { SourceTotals } from '../store/sources-repo.js';
import type { SourceStatsWrite, StatSummary } from '../store/stats-repo.js';
import { ConversationTable } from './conversation-table.js';
import { conversationWrites } from './conversation-writes.js';
import { FlowTable, type FlowTableOptions } from './flow-table.js';
import { createPacketAnnotations, type PacketAnnotations } from './packet-annotations.js';
import type { SeriesSummary } from './series-summary.js';
import { WindowAggregator } from './window-aggregator.js';
import type { WindowAggregateRow } from './window-aggregate-row.js';

/** Where finished rows go (a SourceWriter; tests pass arrays). */
export interface AnalysisSink {
  window(row: WindowAggregateRow): void;
  flow(record: FlowRecord): void;
}

/** What the end of the chain produces for the source's final transaction. */
export interface AnalysisFinal {
  readonly totals: SourceTotals;
  readonly conversations: ReturnType<typeof conversationWrites>;
  readonly stats: SourceStatsWrite;
}

/** Options of {@link AnalysisStages}. */
export interface AnalysisStagesOptions {
  /** Largest batch that will be added (decoded/annotation arrays are sized once). */
  readonly batchCapacity: number;
  readonly flows?: FlowTableOptions;
  /** Also told about every window row written (a live view). */
  readonly onWindows?: (rows: readonly WindowAggregateRow[]) => void;
}

/** One source's analysis state; add batches in timestamp order, then finish() once. */
export class AnalysisStages {
  readonly counters = new SummaryCounters();
  private readonly dec: DecodedBatch;
  private readonly ann: PacketAnnotations;
  private readonly decoder = new PacketDecoder();
  private readonly conversations = new ConversationTable();
  private readonly flows: FlowTable;
  private readonly windows: WindowAggregator;
  private readonly plen = new Float64Array(PACKET_LENGTH_BUCKETS.length);
  private readonly sniCount = new Map<string, number>();
  private readonly dnsCount = new Map<string, number>();

  constructor(sink: AnalysisSink, options: AnalysisStagesOptions) {
    this.dec = createDecodedBatch(options.batchCapacity);
    this.ann = createPacketAnnotations(options.batchCapacity);
    const { onWindows } = options;
    this.flows = new FlowTable((f) => {
      sink.flow(f);
      if (f.sni !== null) this.sniCount.set(f.sni, (this.sniCount.get(f.sni) ?? 0) + 1);
      if (f.dns_query !== null) this.dnsCount.set(f.dns_query, (this.dnsCount.get(f.dns_query) ?? 0) + 1);
    }, options.flows ?? {});
    this.windows = new WindowAggregator((rows) => {
      for (const r of rows) {
        sink.window(r);
        // Whole-source packet-length buckets: the 1 s rows partition the packets.
        if (r.resolution === 1) {
          for (let b = 0; b < PACKET_LENGTH_BUCKETS.length; b++) this.plen[b]! += r[PACKET_LENGTH_BUCKETS[b]!.column];
        }
      }
      onWindows?.(rows);
    });
  }

  /** Decodes and analyses one batch (at most batchCapacity records). */
  add(raw: RawBatch): void {
    this.decoder.decode(raw, this.dec);
    this.counters.add(raw, this.dec);
    this.conversations.addBatch(raw, this.dec);
    this.flows.process(raw, this.dec, this.ann);
    this.windows.add(raw, this.dec, this.ann);
  }

  /** Live capture: the wall clock reached `epochSec`; windows no packet can reach close now. */
  advanceClock(epochSec: number): void {
    this.windows.advanceClock(epochSec);
  }

  /** Running totals (the writer's heartbeat). */
  totals(): SourceTotals {
    const c = this.counters;
    return {
      packets: c.packets,
      bytes: c.wireBytes,
      capturedBytes: c.capturedBytes,
      firstTimestamp: c.firstTimestamp(),
      lastTimestamp: c.lastTimestamp(),
    };
  }

  /** Closes every window and flow (their rows go to the sink) and builds the final tables. */
  finish(): AnalysisFinal {
    this.windows.flush();
    this.flows.flushAll();
    const cs = this.flows.captureStats();
    const { sniCount, dnsCount } = this;
    // Names a flow record did not carry (a later query in the same flow) count once.
    for (const n of cs.sni) if (!sniCount.has(n)) sniCount.set(n, 1);
    for (const n of cs.dns_names) if (!dnsCount.has(n)) dnsCount.set(n, 1);
    // Names beyond the capture stats' distinct list (capped) are dropped as it drops them.
    const known = (m: Map<string, number>, names: readonly string[]): Map<string, number> => {
      const keep = new Set(names);
      return new Map([...m].filter(([k]) => keep.has(k)));
    };
    const stats: SourceStatsWrite = {
      ack_rtt: statOf(cs.ack_rtt),
      handshake_rtt: statOf(cs.handshake_rtt),
      dns_latency: statOf(cs.dns_latency),
      packet_length_buckets: this.plen,
      sni: known(sniCount, cs.sni),
      dns_names: known(dnsCount, cs.dns_names),
    };
    return { totals: this.totals(), conversations: conversationWrites(this.conversations), stats };
  }
}

function statOf(s: SeriesSummary): StatSummary {
  return { count: s.count, mean: s.mean, p50: s.p50, p99: s.p99, max: s.max };
}
