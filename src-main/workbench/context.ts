/**
 * What every handler group works with: the workspace, its repositories, the jobs and the
 * event emitter. Built once by Workbench.open.
 */
import type { Method, Requests } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';
import { ChartQueries } from '../store/chart-queries.js';
import { ConversationsRepo } from '../store/conversations-repo.js';
import { FlowQueries } from '../store/flow-queries.js';
import { FlowsRepo } from '../store/flows-repo.js';
import { ModelsRepo } from '../store/models-repo.js';
import { RangeTotalsQuery } from '../store/range-totals.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { StatsRepo } from '../store/stats-repo.js';
import { TalkerQueries } from '../store/talker-queries.js';
import type { Workspace } from '../store/workspace.js';
import { IngestQueue } from './ingest-queue.js';
import { JobRegistry } from './job-registry.js';
import type { Emit } from './job-registry.js';

/** Which process hosts the workbench. */
export type WorkbenchHost = 'electron' | 'server';

/** Shared state of one open workbench. */
export class WorkbenchContext {
  readonly sources: SourcesRepo;
  readonly charts: ChartQueries;
  readonly conversations: ConversationsRepo;
  readonly flows: FlowsRepo;
  readonly flowQueries: FlowQueries;
  readonly totals: RangeTotalsQuery;
  readonly stats: StatsRepo;
  readonly talkers: TalkerQueries;
  readonly models: ModelsRepo;
  readonly jobs: JobRegistry;
  readonly ingest: IngestQueue;
  /** TCP ports this host's own UI traffic uses (the `flowbench serve` port; none in Electron). */
  ownTcpPorts: readonly number[] = [];

  constructor(
    readonly workspace: Workspace,
    readonly host: WorkbenchHost,
    readonly assetsDir: string,
    readonly emit: Emit,
  ) {
    const db = workspace.db;
    this.sources = new SourcesRepo(db);
    this.charts = new ChartQueries(db);
    this.conversations = new ConversationsRepo(db);
    this.flows = new FlowsRepo(db);
    this.flowQueries = new FlowQueries(db);
    this.totals = new RangeTotalsQuery(db);
    this.stats = new StatsRepo(db);
    this.talkers = new TalkerQueries(db);
    this.models = new ModelsRepo(db);
    // A model left `training` by a closed workbench cannot finish any more.
    this.models.failInterrupted();
    this.jobs = new JobRegistry(emit);
    this.ingest = new IngestQueue(workspace.path, this.sources, this.jobs, emit);
  }
}

/** A handler: the checked argument in, the answer or an error value out. */
export type Handler<M extends Method> = (req: Readonly<Requests[M]['req']>) => Result<Requests[M]['res']> | Promise<Result<Requests[M]['res']>>;

/** Handlers of a group of methods. */
export type HandlerGroup<K extends Method> = { readonly [M in K]: Handler<M> };
