/**
 * What `GET /metrics` exposes, fed only from the workbench's events (`jobs.progress`,
 * `capture.status`), its contract (`jobs.list` at scrape time) and the REST layer's request
 * timings. Counters are totals since the server started; a job's cumulative figures become
 * counter increments by remembering each job's last value.
 */
import type { CaptureStatus, JobInfo, Method } from '../../../src-shared/api.js';
import type { Workbench } from '../../workbench/workbench.js';
import { formatFamilies, Histogram } from './prom-text.js';
import type { Family, Sample } from './prom-text.js';

/** Request duration buckets, seconds. */
const DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Inference duration buckets, seconds (a forecast answers in ms, a detection trains a forest). */
const INFERENCE_BOUNDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Contract methods that run a model, and the task label each counts under. */
export const INFERENCE_TASKS: Readonly<Partial<Record<Method, string>>> = {
  'models.forecast': 'forecast',
  'anomalies.detect': 'anomaly',
  'anomalies.residual': 'forecast_residual',
};

/** Last figures seen of one job. */
interface JobSeen {
  ran: boolean;
  packets: number;
  bytes: number;
}

/** Last status of one running capture. */
interface CaptureSeen {
  packets: number;
  bytes: number;
  dropped: number | null;
  elapsed: number;
  iface: string;
  jobId: string;
  bytesPerSecond: number;
  packetsPerSecond: number;
}

/** The server's metrics. */
export class ServerMetrics {
  private ingestPackets = 0;
  private ingestBytes = 0;
  private capturePackets = 0;
  private captureBytes = 0;
  /** Null until a capture reports a drop count it knows. */
  private captureDropped: number | null = null;
  private readonly ingestJobs = new Map<string, JobSeen>();
  private readonly captures = new Map<string, CaptureSeen>();
  private readonly requests = new Map<string, { method: string; route: string; code: string; n: number }>();
  private readonly durations = new Map<string, Histogram>();
  private readonly inferences = new Map<string, { n: number; h: Histogram }>();
  private readonly unsubscribe: () => void;
  private readonly unobserve: () => void;

  constructor(private readonly wb: Workbench) {
    this.unsubscribe = wb.onEvent((event, payload) => {
      if (event === 'jobs.progress') this.onJob(payload as JobInfo);
      else if (event === 'capture.status') this.onCapture(payload as CaptureStatus);
    });
    // Every transport's calls (REST, WebSocket, IPC) reach the workbench; answered ones count.
    this.unobserve = wb.onCall((method, seconds, answered) => {
      const task = INFERENCE_TASKS[method];
      if (task === undefined || !answered) return;
      let m = this.inferences.get(task);
      if (m === undefined) this.inferences.set(task, (m = { n: 0, h: new Histogram(INFERENCE_BOUNDS) }));
      m.n++;
      m.h.observe(seconds);
    });
  }

  /** Counts one answered HTTP request of a known route (a template, so cardinality stays bounded). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    const r = this.requests.get(key) ?? { method, route, code: String(status), n: 0 };
    r.n++;
    this.requests.set(key, r);
    let h = this.durations.get(route);
    if (h === undefined) this.durations.set(route, (h = new Histogram(DURATION_BOUNDS)));
    h.observe(seconds);
  }

  /** The exposition text. */
  async render(): Promise<string> {
    const jobs = await this.wb.call('jobs.list', {});
    const jobCounts = new Map<string, Sample>();
    if (jobs.ok) {
      for (const j of jobs.value as readonly JobInfo[]) {
        const key = `${j.kind}/${j.phase}`;
        const s = jobCounts.get(key);
        jobCounts.set(key, { labels: { kind: j.kind, phase: j.phase }, value: (s?.value ?? 0) + 1 });
      }
    }
    const running = [...this.captures.values()];
    const families: Family[] = [
      counter('flowbench_ingest_packets_total', 'Packets read from capture files by ingest jobs.', this.ingestPackets),
      counter('flowbench_ingest_bytes_total', 'Bytes of capture files read by ingest jobs.', this.ingestBytes),
      counter('flowbench_capture_packets_total', 'Packets captured live.', this.capturePackets),
      counter('flowbench_capture_bytes_total', 'Wire bytes captured live.', this.captureBytes),
      ...(this.captureDropped === null
        ? []
        : [counter('flowbench_capture_dropped_packets_total', 'Packets the capture library reported dropped (only captures that know).', this.captureDropped)]),
      {
        name: 'flowbench_capture_window_bytes_per_second', type: 'gauge',
        help: 'Wire bytes per second of the latest 1 s status window of each running capture.',
        samples: running.map((c) => ({ labels: { interface: c.iface, job_id: c.jobId }, value: c.bytesPerSecond })),
      },
      {
        name: 'flowbench_capture_window_packets_per_second', type: 'gauge',
        help: 'Packets per second of the latest 1 s status window of each running capture.',
        samples: running.map((c) => ({ labels: { interface: c.iface, job_id: c.jobId }, value: c.packetsPerSecond })),
      },
      { name: 'flowbench_jobs', type: 'gauge', help: 'Jobs the workbench keeps (running and recent), by kind and phase.', samples: [...jobCounts.values()] },
      {
        name: 'flowbench_api_requests_total', type: 'counter', help: 'HTTP API requests answered, by method, route and status code.',
        samples: [...this.requests.values()].map((r) => ({ labels: { method: r.method, route: r.route, code: r.code }, value: r.n })),
      },
      {
        name: 'flowbench_api_request_duration_seconds', type: 'histogram', help: 'Time to answer an HTTP API request, by route.',
        samples: [...this.durations.entries()].map(([route, h]) => h.sample({ route })),
      },
      {
        name: 'flowbench_model_inference_total', type: 'counter', help: 'Model inferences answered (forecasts, anomaly detections, residual checks), by task.',
        samples: [...this.inferences.entries()].map(([task, m]) => ({ labels: { task }, value: m.n })),
      },
      {
        name: 'flowbench_model_inference_duration_seconds', type: 'histogram', help: 'Time a model inference took in the workbench (loading, training where the task trains, scoring), by task.',
        samples: [...this.inferences.entries()].map(([task, m]) => m.h.sample({ task })),
      },
    ];
    return formatFamilies(families);
  }

  /** Stops listening to the workbench. */
  close(): void {
    this.unsubscribe();
    this.unobserve();
  }

  private onJob(j: JobInfo): void {
    if (j.kind !== 'ingest') return;
    const seen = this.ingestJobs.get(j.jobId) ?? { ran: false, packets: 0, bytes: 0 };
    const finished = j.phase === 'done' || j.phase === 'failed' || j.phase === 'cancelled';
    // A real ingest learns its source id while running (the worker creates the source); a
    // job that only gets one in its final update reused a stored source and read nothing.
    if (j.phase === 'running' && j.sourceId !== null) seen.ran = true;
    if (seen.ran) {
      this.ingestPackets += Math.max(0, j.packets - seen.packets);
      this.ingestBytes += Math.max(0, j.bytesDone - seen.bytes);
      seen.packets = Math.max(seen.packets, j.packets);
      seen.bytes = Math.max(seen.bytes, j.bytesDone);
    }
    if (finished) this.ingestJobs.delete(j.jobId);
    else this.ingestJobs.set(j.jobId, seen);
  }

  private onCapture(s: CaptureStatus): void {
    const prev = this.captures.get(s.jobId);
    this.capturePackets += Math.max(0, s.packets - (prev?.packets ?? 0));
    this.captureBytes += Math.max(0, s.bytes - (prev?.bytes ?? 0));
    if (s.dropped !== null) this.captureDropped = (this.captureDropped ?? 0) + Math.max(0, s.dropped - (prev?.dropped ?? 0));
    if (!s.running) {
      this.captures.delete(s.jobId);
      return;
    }
    const dt = s.elapsedSeconds - (prev?.elapsed ?? 0);
    this.captures.set(s.jobId, {
      packets: Math.max(s.packets, prev?.packets ?? 0),
      bytes: Math.max(s.bytes, prev?.bytes ?? 0),
      dropped: s.dropped ?? prev?.dropped ?? null,
      elapsed: s.elapsedSeconds,
      iface: s.interface,
      jobId: s.jobId,
      bytesPerSecond: dt > 0 ? (s.bytes - (prev?.bytes ?? 0)) / dt : 0,
      packetsPerSecond: s.packetsPerSecond,
    });
  }
}

function counter(name: string, help: string, value: number): Family {
  return { name, help, type: 'counter', samples: [{ labels: {}, value }] };
}
