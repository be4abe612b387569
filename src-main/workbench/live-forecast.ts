/**
 * A forecast model running live on a capture (`models.live`): one `models.livePrediction` per
 * window of the model's resolution — every second for a 1 s model — whether or not the window
 * saw packets, with the prediction for that window (from the L before it), the H windows after
 * it, and whether its residual left the model's validation band.
 *
 * Timing: the capture's window aggregator hands over a window's row once the wall clock is two
 * seconds past its end (its lag), on its once-a-second tick; a window counts as final here
 * CLOSE_LAG_SECONDS after its end, and one with no row by then had no packets (an empty window:
 * 0 bytes, ratios carried as the model's fill rules say). A check every TICK_MS emits every
 * window that became final since the last, in order (after a stall, at most MAX_CATCH_UP).
 *
 * History: the session sees the windows that close after it starts, so its grid begins at the
 * first window that starts after `models.live`; predictions come once L windows are in
 * (`predictedNow` is null before). Rows for the same window (a `partial` row for packets that
 * arrived late) are merged: counts add, other values keep the first non-null.
 */
import type { LivePrediction } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { AppError, Result } from '../../src-shared/result.js';
import { FLIGHT_METRICS, PACKET_LENGTH_BUCKETS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import type { WindowAggregateRow } from '../analysis/window-aggregate-row.js';
import type { ForecastPreprocessing, RawSeries } from '../ml/forecast-dataset.js';
import type { LiveInput, LiveOutput } from '../ml/forecast-predict.js';

/** Seconds after a window's end when it counts as final (aggregator lag 2 s + one tick). */
export const CLOSE_LAG_SECONDS = 3;
const TICK_MS = 250;
/** Windows emitted at most per check after a stall (older ones are skipped). */
const MAX_CATCH_UP = 10;
/** Windows kept beyond the lookback. */
const SLACK = 8;
/** Row columns that add when two rows of one window merge. */
const ADDITIVE = /^(packets|bytes|captured_bytes|bytes_per_second|packets_per_second|new_connections|active_connections|.*_packets|.*_bytes|plen_.*)$/;

/** Settings of a live session. */
export interface LiveForecastOptions {
  readonly modelId: number;
  readonly captureJobId: string;
  readonly resolution: number;
  readonly lookback: number;
  /** The window metrics the model reads (its target first). */
  readonly metrics: readonly string[];
  readonly band: { readonly low: number; readonly high: number };
  readonly predict: (input: LiveInput) => Promise<Result<LiveOutput, AppError>>;
  readonly emit: (p: LivePrediction) => void;
  /** Called once when a prediction fails (the session stops). */
  readonly onError?: (e: AppError) => void;
  /** Wall clock in ms (tests). */
  readonly now?: () => number;
}

/** One model on one capture. */
export class LiveForecast {
  private readonly rows = new Map<number, WindowAggregateRow>();
  private readonly origin: number;
  private next: number;
  private busy = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: LiveForecastOptions) {
    this.now = o.now ?? Date.now;
    this.origin = Math.ceil(this.now() / 1000 / o.resolution) * o.resolution;
    this.next = this.origin;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Rows from the capture (any resolution; others are ignored). */
  onWindows(batch: readonly WindowAggregateRow[]): void {
    const res = this.o.resolution;
    for (const r of batch) {
      if (r.resolution !== res || r.t < this.origin) continue;
      const had = this.rows.get(r.t);
      this.rows.set(r.t, had === undefined ? r : merge(had, r));
    }
    const oldest = this.next - (this.o.lookback + SLACK) * res;
    for (const t of this.rows.keys()) if (t < oldest) this.rows.delete(t);
  }

  /** Stops the checks; a prediction in flight is not emitted. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    const res = this.o.resolution;
    const final = Math.floor((this.now() / 1000 - res - CLOSE_LAG_SECONDS) / res) * res;
    if (final < this.next) return;
    this.busy = true;
    try {
      for (let t = Math.max(this.next, final - (MAX_CATCH_UP - 1) * res); t <= final && !this.stopped; t += res) {
        const r = await this.o.predict({ raw: this.raw(t) });
        if (this.stopped) return;
        if (!r.ok) {
          this.stop();
          this.o.onError?.(r.error);
          return;
        }
        const v = r.value;
        const residual = v.actual !== null && v.predictedNow !== null ? v.actual - v.predictedNow : null;
        this.o.emit({
          modelId: this.o.modelId, captureJobId: this.o.captureJobId, t, actual: v.actual, predictedNow: v.predictedNow, ahead: v.ahead,
          outOfBand: residual !== null && (residual < this.o.band.low || residual > this.o.band.high),
        });
        this.next = t + res;
      }
      this.next = Math.max(this.next, final + res);
    } finally {
      this.busy = false;
    }
  }

  /** Every window from the grid's start (at most lookback + SLACK back) to `end`, empty ones as nulls. */
  private raw(end: number): RawSeries {
    const res = this.o.resolution;
    const start = Math.max(this.origin, end - (this.o.lookback + SLACK - 1) * res);
    const t: number[] = [];
    for (let w = start; w <= end; w += res) t.push(w);
    const columns: Record<string, (number | null)[]> = {};
    for (const m of this.o.metrics) {
      columns[m] = t.map((w) => {
        const v = (this.rows.get(w) as Record<string, unknown> | undefined)?.[m];
        return typeof v === 'number' ? v : null;
      });
    }
    return { kind: 'capture', resolution: res, t, columns };
  }
}

function merge(a: WindowAggregateRow, b: WindowAggregateRow): WindowAggregateRow {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const had = out[k];
    if (typeof v !== 'number') continue;
    if (ADDITIVE.test(k) && typeof had === 'number') out[k] = had + v;
    else if (typeof had !== 'number') out[k] = v;
  }
  return out as WindowAggregateRow;
}

/** Columns of a live capture's window rows a model may read. */
const LIVE_COLUMNS: ReadonlySet<string> = new Set<string>([
  ...WINDOW_METRICS, ...FLIGHT_METRICS, ...PACKET_LENGTH_BUCKETS.map((b) => b.column),
  'packets', 'bytes', 'captured_bytes', 'tcp_packets', 'tcp_bytes', 'udp_packets', 'udp_bytes', 'icmp_packets', 'icmp_bytes', 'other_packets', 'other_bytes',
]);

/** The window metrics a model reads (target first), or an error naming those a live capture lacks. */
export function liveMetrics(modelId: number, prep: ForecastPreprocessing): Result<string[], AppError> {
  if (prep.series !== undefined) {
    return err({ code: 'invalid_argument', message: `modelId: model ${modelId} forecasts the ${prep.series.by} "${prep.series.name}" (derived from flows), which does not run live` });
  }
  const metrics = [...new Set([prep.target, ...prep.features.flatMap((f) => (f.metric === null ? [] : [f.metric]))])];
  const missing = metrics.filter((m) => !LIVE_COLUMNS.has(m));
  if (missing.length > 0) {
    return err({ code: 'invalid_argument', message: `modelId: model ${modelId} reads ${missing.join(', ')}, which a live capture's windows do not have` });
  }
  return ok(metrics);
}
