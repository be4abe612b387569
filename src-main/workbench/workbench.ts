/**
 * The Workbench: the one implementation of the API contract (src-shared/api.ts). Every
 * transport — Electron IPC, the WebSocket server, direct calls — hands it a method name and
 * an unchecked argument; it validates both, dispatches to a handler group, and answers with a
 * value or an error value. It never throws.
 */
import { dirname, join } from 'node:path';
import type { EventName, Events, Method, Requests } from '../../src-shared/api.js';
import { err, ok } from '../../src-shared/result.js';
import type { AppError, Result } from '../../src-shared/result.js';
import { openWorkspace } from '../store/workspace.js';
import { anomalyHandlers } from './anomaly-handlers.js';
import { AnomalyRunner } from './anomaly-worker-client.js';
import { CaptureJobs } from './capture-jobs.js';
import { exploreHandlers, ExploreRunner } from './explore-handlers.js';
import { WorkbenchContext } from './context.js';
import type { Handler, WorkbenchHost } from './context.js';
import { jobHandlers } from './job-handlers.js';
import { modelHandlers } from './model-handlers.js';
import { ModelJobs } from './model-jobs.js';
import { labelHandlers } from './label-handlers.js';
import { queryHandlers } from './query-handlers.js';
import { SimulateJobs, simulateHandlers } from './simulate-handlers.js';
import { packageRoot, sourcesHandlers } from './sources-handlers.js';
import { validateRequest } from './validate-request.js';

/** How to open a workbench. */
export interface WorkbenchOptions {
  readonly workspacePath: string;
  readonly host: WorkbenchHost;
  /** Folder holding sample-capture.pcap (default: the package's assets/). */
  readonly assetsDir?: string;
}

/** A call's answer: the value, or an error as a value. */
export type CallAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: AppError };

/** A listener of every event. */
export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** The API's implementation over one workspace. */
/** Told of each validated call: method, seconds its handler took, whether it answered ok. */
export type CallObserver = (method: Method, seconds: number, ok: boolean) => void;

export class Workbench {
  private readonly listeners = new Set<EventListener>();
  private readonly callObservers = new Set<CallObserver>();
  private readonly handlers: { readonly [M in Method]: Handler<M> };
  private readonly captures: CaptureJobs;
  private readonly modelJobs: ModelJobs;
  private readonly anomalies: AnomalyRunner;
  private readonly explorer: ExploreRunner;
  private readonly simulations: SimulateJobs;
  private closed = false;

  private constructor(private readonly ctx: WorkbenchContext) {
    this.captures = new CaptureJobs(ctx);
    this.modelJobs = new ModelJobs(ctx, this.captures);
    this.anomalies = new AnomalyRunner(ctx.workspace.path);
    this.explorer = new ExploreRunner(ctx.workspace.path);
    this.simulations = new SimulateJobs(ctx);
    const models = modelHandlers(ctx, this.modelJobs);
    const queries = queryHandlers(ctx);
    this.handlers = {
      ...sourcesHandlers(ctx), ...queries, ...labelHandlers(ctx, queries['flows.page']), ...jobHandlers(ctx, this.captures, (jobId) => this.modelJobs.cancel(jobId) || this.simulations.cancel(jobId)),
      ...models, ...anomalyHandlers(ctx, this.anomalies, models['models.forecast']), ...exploreHandlers(ctx, this.explorer),
      ...simulateHandlers(ctx, this.simulations),
    };
  }

  /** Opens (or creates) the workspace and returns a workbench over it. */
  static open(opts: WorkbenchOptions): Result<Workbench> {
    const ws = openWorkspace(opts.workspacePath);
    if (!ws.ok) return ws;
    // Jobs emit through the context, which exists before the workbench that relays to listeners.
    const self: { wb?: Workbench } = {};
    const emit = <E extends EventName>(event: E, payload: Events[E]): void => self.wb?.emit(event, payload);
    self.wb = new Workbench(new WorkbenchContext(ws.value, opts.host, opts.assetsDir ?? join(packageRoot(), 'assets'), emit));
    return ok(self.wb);
  }

  /** The absolute path of the workspace file. */
  get workspacePath(): string {
    return this.ctx.workspace.path;
  }

  /** Declares the TCP ports of this host's own UI traffic (captures may leave them out). */
  setOwnTrafficPorts(ports: readonly number[]): void {
    this.ctx.ownTcpPorts = [...ports];
  }

  /** The folder of the workspace file (uploads and captures are kept beside it). */
  get workspaceDir(): string {
    return dirname(this.ctx.workspace.path);
  }

  /** Validates the method and its argument, then runs the handler. Never throws. */
  async call(method: string, req: unknown): Promise<CallAnswer> {
    try {
      if (this.closed) return err({ code: 'cancelled', message: 'the workbench is closed' });
      const checked = validateRequest(method, req);
      if (!checked.ok) return checked;
      const { method: m, req: arg } = checked.value;
      const handler = this.handlers[m] as (r: Requests[Method]['req']) => Result<unknown> | Promise<Result<unknown>>;
      if (this.callObservers.size === 0) return await handler(arg);
      const started = performance.now();
      const answer = await handler(arg);
      const seconds = (performance.now() - started) / 1000;
      for (const o of this.callObservers) {
        try {
          o(m, seconds, answer.ok);
        } catch {
          // An observer's fault must not change the answer.
        }
      }
      return answer;
    } catch (e) {
      const message = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
      return err({ code: 'internal', message: `${method} failed: ${message}` });
    }
  }

  /** Observes every validated call's handler time (any transport); returns the unsubscribe function. */
  onCall(observer: CallObserver): () => void {
    this.callObservers.add(observer);
    return () => this.callObservers.delete(observer);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels the jobs, stops captures, and closes the workspace. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.simulations.close();
    await Promise.all([this.ctx.ingest.close(), this.captures.close(), this.modelJobs.close(), this.anomalies.close(), this.explorer.close()]);
    this.listeners.clear();
    this.ctx.workspace.close();
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A listener's fault must not stop the job that emitted.
      }
    }
  }
}
