/**
 * The one API contract (DESIGN.md, One API): every request `domain.verb` with its argument and
 * answer, and every event. `src-main/workbench` implements it once; Electron IPC, the WebSocket
 * server and direct calls (CLI, tests) carry it; the renderer reaches it only through its client.
 *
 * Pure types and constants: no node:*, no DOM, no electron.
 */
import type { AppError } from './result.js';
import type { ReadWarning } from './capture-summary.js';
import type { EarlyPacket, FlowEndReason, SeriesStats } from './flow-record.js';
import type { FlowLabel, LabelImportResult, LabelRule, LabelRuleInput, LabelSource } from './classify-api.js';
import type { AnomalyDetectRequest, AnomalyDetectResult, DriftReport, DriftSideRequest, ResidualAnomalyResult } from './anomaly-api.js';
import type { ForecastSeries, LivePrediction, ModelDetail, ModelInfo, TrainingEpoch, TrainRequest, TypeSeriesList } from './models-api.js';
import type { FeatureExploreRequest, FeatureExploreResult } from './explore-api.js';
import type { FlowBehaviour, SourceClassifyResult, TrafficClassifyResult } from './classify-api.js';

/** Where a source's data came from. */
export type SourceKind = 'file' | 'capture' | 'series';

/** Ingest state: `partial` = interrupted, cancelled or damaged (rows so far kept). */
export type SourceStatus = 'ingesting' | 'complete' | 'partial' | 'failed';

/** A source of the workspace as the UI lists it. */
export interface SourceInfo {
  readonly id: number;
  readonly kind: SourceKind;
  readonly displayName: string;
  /** Path on the machine running the workbench (null for uploads kept nowhere else). */
  readonly path: string | null;
  readonly size: number | null;
  readonly format: string | null;
  readonly linkTypes: readonly number[];
  readonly status: SourceStatus;
  readonly packets: number;
  /** Wire bytes. */
  readonly bytes: number;
  readonly capturedBytes: number;
  /** Epoch seconds as decimal strings, with the file's resolution. */
  readonly firstTimestamp: string | null;
  readonly lastTimestamp: string | null;
  readonly error: string | null;
  /** Reader warnings of a damaged file (offset, record, message). */
  readonly warnings: readonly ReadWarning[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What the workbench host is. */
export interface AppInfo {
  readonly version: string;
  /** Which host serves the API: the Electron shell or `flowbench serve`. */
  readonly host: 'electron' | 'server';
  readonly workspacePath: string;
  /** True when the sample capture shipped in assets/ can be opened. */
  readonly hasSample: boolean;
  /** True when `capture.*` can run (cap loaded); the reason when it cannot. */
  readonly capture: { readonly available: boolean; readonly reason: string | null };
}

/** A long job's kind. */
export type JobKind = 'ingest' | 'capture' | 'train' | 'simulate';

/** A long job's state. */
export type JobPhase = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** A job's progress, reported a few times a second (`jobs.progress`) and by `jobs.list`. */
export interface JobInfo {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly label: string;
  readonly phase: JobPhase;
  /** The source the job writes, once known. */
  readonly sourceId: number | null;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly packets: number;
  readonly packetsPerSecond: number;
  /** Seconds left; null while unknown. */
  readonly etaSeconds: number | null;
  readonly startedAt: number;
  /** Set when phase is `failed` (and for a damaged file that still finished partial). */
  readonly error: AppError | null;
  readonly warnings: readonly ReadWarning[];
}

/** Downsampled chart series: at most maxPoints buckets, min/max/avg each (null: no value). */
export interface ChartRequest {
  readonly sourceId: number;
  /** Window columns (`bytes_per_second`, `plen_40_79`, `tcp_bytes`, …). */
  readonly metrics: readonly string[];
  /** Epoch seconds, from inclusive, to exclusive; omitted = the source's extent. */
  readonly from?: number;
  readonly to?: number;
  readonly maxPoints: number;
  readonly resolution?: number | 'auto';
}

/** One series, column-wise. */
export interface ChartSeries {
  readonly metric: string;
  readonly t: readonly number[];
  readonly min: readonly (number | null)[];
  readonly max: readonly (number | null)[];
  readonly avg: readonly (number | null)[];
}

/** A chart answer: resolution read, bucket width, range covered, series. */
export interface ChartResult {
  readonly resolution: number;
  readonly bucketSeconds: number;
  readonly from: number;
  readonly to: number;
  readonly series: readonly ChartSeries[];
}

/** A time range of a source (epoch seconds, from inclusive, to exclusive); both optional. */
export interface RangeRequest {
  readonly sourceId: number;
  readonly from?: number;
  readonly to?: number;
}

/** count / mean / p50 / p99 / max in seconds (nulls when count is 0). */
export interface StatSummary {
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Whole-source figures (`flowbench query stats`). */
export interface SourceStats {
  readonly ack_rtt: StatSummary;
  readonly handshake_rtt: StatSummary;
  readonly dns_latency: StatSummary;
  readonly packet_length_buckets: readonly { readonly range: string; readonly count: number }[];
  readonly sni: readonly string[];
  readonly dns_names: readonly string[];
}

/** Totals of a range: what the dashboard's headline numbers show. */
export interface RangeTotals {
  readonly packets: number;
  readonly bytes: number;
  readonly flows: number;
  readonly from: number | null;
  readonly to: number | null;
  /** Packets and bytes per transport within the range. */
  readonly protocols: readonly { readonly name: 'tcp' | 'udp' | 'icmp' | 'other'; readonly packets: number; readonly bytes: number }[];
  /** Packet-length buckets within the range (Wireshark's buckets). */
  readonly packetLengths: readonly { readonly range: string; readonly count: number }[];
}

/** Top talker by address. */
export interface IpTalker {
  readonly addr: string;
  readonly packets: number;
  readonly bytes: number;
  readonly tx_packets: number;
  readonly tx_bytes: number;
  readonly rx_packets: number;
  readonly rx_bytes: number;
  readonly flows: number;
}

/** Top talker by transport port. */
export interface PortTalker {
  readonly proto: number;
  readonly port: number;
  readonly packets: number;
  readonly bytes: number;
  readonly flows: number;
}

/** Which of Wireshark's conversation tables. */
export type ConversationProto = 'tcp' | 'udp' | 'ipv4' | 'ipv6';

/** One row of Wireshark's Conversations table. */
export interface ConversationRow {
  readonly id: number;
  readonly proto: ConversationProto;
  readonly addr_a: string;
  readonly port_a: number | null;
  readonly addr_b: string;
  readonly port_b: number | null;
  readonly packets: number;
  readonly bytes: number;
  readonly packets_ab: number;
  readonly bytes_ab: number;
  readonly packets_ba: number;
  readonly bytes_ba: number;
  /** Epoch seconds of the first packet. */
  readonly start: number;
  /** Seconds since the source's first packet. */
  readonly rel_start: number | null;
  readonly duration: number;
  readonly bps_ab: number | null;
  readonly bps_ba: number | null;
}

/** Flow-table filters (all optional, AND-ed); text filters match substrings. */
export interface FlowFilter {
  readonly from?: number;
  readonly to?: number;
  readonly addr?: string;
  readonly port?: number;
  readonly proto?: number;
  /** Substring of the SNI or the DNS query name. */
  readonly name?: string;
  /** The flow's shown label (user, else model, else rules; 'unknown' = none). */
  readonly label?: FlowLabel;
}

/** Sortable flow columns. */
export const FLOW_SORT_COLUMNS = [
  'first_ts',
  'duration',
  'packets',
  'bytes',
  'client_addr',
  'server_addr',
  'server_port',
  'proto',
  'handshake_rtt',
] as const;

/** A sortable flow column. */
export type FlowSortColumn = (typeof FLOW_SORT_COLUMNS)[number];

/** One row of the flows table (the list view; details come from `flows.get`). */
export interface FlowRow {
  readonly id: number;
  readonly proto: number;
  readonly ip_version: 4 | 6;
  readonly client_addr: string;
  readonly client_port: number;
  readonly server_addr: string;
  readonly server_port: number;
  readonly first_ts: number;
  readonly last_ts: number;
  readonly duration: number;
  readonly packets: number;
  readonly bytes: number;
  readonly fwd_packets: number;
  readonly bwd_packets: number;
  readonly fwd_bytes: number;
  readonly bwd_bytes: number;
  readonly handshake_rtt: number | null;
  readonly sni: string | null;
  readonly dns_query: string | null;
  readonly end_reason: FlowEndReason;
  /** Traffic class: the user's label, else a classifier's, else the label rules' ('unknown' when none matched). */
  readonly label?: FlowLabel;
  readonly label_source?: LabelSource;
  /** Classifier probability of `label` (model labels only). */
  readonly confidence?: number | null;
}

/** A flow's whole record: statistics and its first packets. */
export interface FlowDetail extends FlowRow {
  readonly source_id: number;
  readonly fwd_header_bytes: number;
  readonly bwd_header_bytes: number;
  readonly pkt_len: SeriesStats;
  readonly fwd_pkt_len: SeriesStats;
  readonly bwd_pkt_len: SeriesStats;
  readonly iat: SeriesStats;
  readonly fwd_iat: SeriesStats;
  readonly bwd_iat: SeriesStats;
  readonly syn_count: number;
  readonly fin_count: number;
  readonly rst_count: number;
  readonly psh_count: number;
  readonly ack_count: number;
  readonly urg_count: number;
  readonly dns_answers: readonly string[];
  readonly segment: number;
  readonly early_packets: readonly EarlyPacket[];
}

/** A page of rows with the total that matches the filter. */
export interface Page<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

/** A local capture interface. */
export interface InterfaceInfo {
  readonly name: string;
  readonly description: string | null;
  readonly addresses: readonly string[];
  readonly up: boolean;
  readonly running: boolean;
  readonly loopback: boolean;
}

/** Live capture settings (validated before the capture starts). */
export interface CaptureStartRequest {
  readonly interface: string;
  readonly filter?: string;
  readonly snaplen?: number;
  readonly promiscuous?: boolean;
  /** Leave this host's own Flowbench UI traffic (the `flowbench serve` port) out of the capture. */
  readonly ignoreOwnTraffic?: boolean;
  readonly durationSeconds?: number;
  readonly count?: number;
}

/** A running capture's status line, every second (`capture.status`). */
export interface CaptureStatus {
  readonly jobId: string;
  readonly sourceId: number | null;
  readonly interface: string;
  readonly filter: string;
  readonly packets: number;
  readonly bytes: number;
  readonly packetsPerSecond: number;
  readonly elapsedSeconds: number;
  readonly fileBytes: number;
  /** Packets lost, null when the capture library cannot tell ("unknown", never 0). */
  readonly dropped: number | null;
  readonly running: boolean;
}

/** Scenarios of `simulate.start` (as `flowbench simulate --scenario`). */
export const SIMULATE_SCENARIOS = ['baseline', 'dos', 'scan', 'dns-tunnel', 'mixed'] as const;

/** A scenario of `simulate.start`. */
export type SimulateScenario = (typeof SIMULATE_SCENARIOS)[number];

/** Baseline rate shapes of `simulate.start`. */
export const SIMULATE_SHAPES = ['diurnal', 'step', 'flat'] as const;

/**
 * Generate a scenario capture (pcapng plus its label file) into `<workspace dir>/simulated/`,
 * then open it as a source with its events (`sources.events`).
 */
export interface SimulateRequest {
  readonly scenario: SimulateScenario;
  /** Seconds of traffic (1 to 86 400). */
  readonly durationSeconds: number;
  /** Mean baseline packets per second (default 1000). */
  readonly rate?: number;
  readonly shape?: (typeof SIMULATE_SHAPES)[number];
  readonly seed?: number;
  /** File name of the capture (letters, digits, `.`, `-`, `_`; `.pcapng` added when missing). */
  readonly name: string;
}

/** A labelled event of a source: [from, to) in epoch seconds. */
export interface SourceEvent {
  readonly kind: string;
  readonly from: number;
  readonly to: number;
}

/** Every request: argument and answer. */
export interface Requests {
  'app.info': { req: Record<string, never>; res: AppInfo };
  'sources.list': { req: Record<string, never>; res: readonly SourceInfo[] };
  'sources.get': { req: { sourceId: number }; res: SourceInfo };
  /** Analyse a capture file at a path on the host (from a dialog, a drop, the CLI or REST). */
  'sources.open': { req: { path: string; force?: boolean }; res: { jobId: string } };
  /** Analyse the sample capture shipped in assets/. */
  'sources.openSample': { req: Record<string, never>; res: { jobId: string } };
  'sources.remove': { req: { sourceId: number }; res: null };
  /** The source's labelled events (a simulated capture's label file; empty for others). */
  'sources.events': { req: { sourceId: number }; res: readonly SourceEvent[] };
  /** Generates a scenario capture in a worker (a `simulate` job), then opens it as a source. */
  'simulate.start': { req: SimulateRequest; res: { jobId: string } };
  'jobs.list': { req: Record<string, never>; res: readonly JobInfo[] };
  'jobs.cancel': { req: { jobId: string }; res: null };
  'charts.series': { req: ChartRequest; res: ChartResult };
  'stats.get': { req: { sourceId: number }; res: SourceStats };
  'stats.totals': { req: RangeRequest; res: RangeTotals };
  'talkers.top': {
    req: RangeRequest & { limit?: number; orderBy?: 'bytes' | 'packets' };
    res: { byIp: readonly IpTalker[]; byPort: readonly PortTalker[] };
  };
  'conversations.page': {
    req: { sourceId: number; proto: ConversationProto; limit: number; offset: number };
    res: Page<ConversationRow>;
  };
  'flows.page': {
    req: { sourceId: number; filter?: FlowFilter; sort?: { column: FlowSortColumn; desc: boolean }; limit: number; offset: number };
    res: Page<FlowRow>;
  };
  'flows.get': { req: { flowId: number }; res: FlowDetail };
  /** Sets the user's label of a flow (null clears it). */
  'flows.label': { req: { flowId: number; label: FlowLabel | null }; res: null };
  /** Labels every flow of a source with a ready classify model (label_source 'model' + confidence in flows.page). */
  'flows.classify': { req: { modelId: number; sourceId: number }; res: SourceClassifyResult };
  /** Predicts the traffic class of flow behaviours; default model: the newest ready classify model. */
  'traffic.classify': { req: { modelId?: number; flows: readonly FlowBehaviour[] }; res: TrafficClassifyResult };
  /** The workspace's label rules, in matching order within each kind. */
  'labels.rules.list': { req: Record<string, never>; res: readonly LabelRule[] };
  /** Adds a rule, or replaces the rule `id`; rule labels of every flow follow at once. */
  'labels.rules.save': { req: LabelRuleInput; res: LabelRule };
  'labels.rules.remove': { req: { ruleId: number }; res: null };
  /** Restores the default rules (user and model labels stay). */
  'labels.rules.reset': { req: Record<string, never>; res: readonly LabelRule[] };
  /** Sets user labels from a CSV on the host (flow_id, or src,dst,sport,dport,proto; and label). */
  'labels.import': { req: { path: string; sourceId?: number }; res: LabelImportResult };
  'capture.interfaces': { req: Record<string, never>; res: readonly InterfaceInfo[] };
  'capture.start': { req: CaptureStartRequest; res: { jobId: string } };
  'capture.stop': { req: { jobId: string }; res: null };
  'models.list': { req: Record<string, never>; res: readonly ModelInfo[] };
  'models.get': { req: { modelId: number }; res: ModelDetail };
  /** Starts training in the ML worker: the job id at once, progress by `training.epoch`. */
  'models.train': { req: TrainRequest; res: { jobId: string; modelId: number } };
  'models.rename': { req: { modelId: number; name: string }; res: ModelInfo };
  'models.remove': { req: { modelId: number }; res: null };
  /**
   * Actual vs predicted on a source (default: the one it trained on); predictions are stored.
   * Without from/to: a source of at most 2 000 windows whole; a longer one from its test split
   * (the model's training source: from the first test window on) or its last 15 % (another
   * source), with the lookback's windows before as inputs; the horizon always follows the last
   * actual window. `from: 0` reads every window.
   */
  'models.forecast': { req: { modelId: number; sourceId?: number; from?: number; to?: number }; res: ForecastSeries };
  /**
   * The series a per-type capacity forecast trains on: the source's window bytes split by
   * traffic type or service (top `top`, default 5, then "other"); one `models.train` with
   * `series: { by, name, top }` per name trains them.
   */
  'models.typeSeries': { req: { sourceId: number; by: 'traffic_type' | 'service'; top?: number; resolution?: number }; res: TypeSeriesList };
  /** Writes the model folder (model, preprocessing.json, report.json) into a directory on the host. */
  'models.export': { req: { modelId: number; directory: string }; res: { path: string } };
  /** Imports a model folder or .zip from a path on the host. */
  'models.import': { req: { path: string }; res: ModelInfo };
  /** Runs a forecast model on a running capture; predictions arrive as `models.livePrediction`. */
  'models.live': { req: { modelId: number; captureJobId: string }; res: null };
  /** Trains an Isolation Forest on the source (or range) and returns the windows it flags. */
  'anomalies.detect': { req: AnomalyDetectRequest; res: AnomalyDetectResult };
  /** Windows whose forecast residual (models.forecast) leaves the model's validation band. */
  'anomalies.residual': { req: { modelId: number; sourceId?: number }; res: ResidualAnomalyResult };
  /** Drift of `compared` against `reference` (traffic type, SNI, DNS, packet sizes, protocols). */
  'drift.compare': { req: { reference: DriftSideRequest; compared: DriftSideRequest }; res: DriftReport };
  /** Statistics, histograms, Pearson/Spearman, PCA and keep/drop suggestions over a source's window features. */
  'features.explore': { req: FeatureExploreRequest; res: FeatureExploreResult };
}

/** A request method name. */
export type Method = keyof Requests;

/** Every event the host pushes. */
export interface Events {
  'jobs.progress': JobInfo;
  /** The sources list changed (opened, finished, removed): re-read it. */
  'sources.changed': { readonly sourceId: number | null };
  'capture.status': CaptureStatus;
  'training.epoch': TrainingEpoch;
  /** The models list changed (trained, imported, renamed, removed): re-read it. */
  'models.changed': { readonly modelId: number | null };
  'models.livePrediction': LivePrediction;
  /** Labels changed (rules edited, user labels set or imported, a model applied): re-read flows. */
  'labels.changed': { readonly sourceId: number | null };
}

/** An event name. */
export type EventName = keyof Events;

/** Every request method, for transports that must list channels (the preload, the server). */
export const METHODS: readonly Method[] = [
  'app.info',
  'sources.list',
  'sources.get',
  'sources.open',
  'sources.openSample',
  'sources.remove',
  'sources.events',
  'simulate.start',
  'jobs.list',
  'jobs.cancel',
  'charts.series',
  'stats.get',
  'stats.totals',
  'talkers.top',
  'conversations.page',
  'flows.page',
  'flows.get',
  'flows.label',
  'flows.classify',
  'traffic.classify',
  'labels.rules.list',
  'labels.rules.save',
  'labels.rules.remove',
  'labels.rules.reset',
  'labels.import',
  'capture.interfaces',
  'capture.start',
  'capture.stop',
  'models.list',
  'models.get',
  'models.train',
  'models.rename',
  'models.remove',
  'models.forecast',
  'models.typeSeries',
  'models.export',
  'models.import',
  'models.live',
  'anomalies.detect',
  'anomalies.residual',
  'drift.compare',
  'features.explore',
];

/** Every event name. */
export const EVENTS: readonly EventName[] = [
  'jobs.progress',
  'sources.changed',
  'capture.status',
  'training.epoch',
  'models.changed',
  'models.livePrediction',
  'labels.changed',
];

/** Answer of a call: the value or an error as a value (never a stack). */
export type CallResult<M extends Method> =
  | { readonly ok: true; readonly value: Requests[M]['res'] }
  | { readonly ok: false; readonly error: AppError };

/** What the renderer, CLI and tests program against; each transport provides one. */
export interface ApiClient {
  call<M extends Method>(method: M, req: Requests[M]['req']): Promise<CallResult<M>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** WebSocket frames (JSON): a call, its answer, a pushed event. */
export type ClientFrame = { readonly type: 'call'; readonly id: number; readonly method: string; readonly req: unknown };
export type ServerFrame =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: AppError }
  | { readonly type: 'event'; readonly event: EventName; readonly payload: unknown };
