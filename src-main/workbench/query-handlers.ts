/** Read-only queries over a source: charts, stats, totals, talkers, conversations, flows. */
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import { toFlowDetail } from './dto.js';

type QueryMethod = 'charts.series' | 'stats.get' | 'stats.totals' | 'talkers.top' | 'conversations.page' | 'flows.page' | 'flows.get';

/** Handlers of the query methods. */
export function queryHandlers(ctx: WorkbenchContext): HandlerGroup<QueryMethod> {
  const exists = (sourceId: number): Result<null> =>
    ctx.sources.get(sourceId) === undefined ? err({ code: 'not_found', message: `sourceId: no source ${sourceId}` }) : ok(null);
  return {
    'charts.series': (req) => ctx.charts.series(req),
    'stats.get': ({ sourceId }) => {
      const s = ctx.stats.read(sourceId);
      if (s !== null) return ok(s);
      const e = exists(sourceId);
      return e.ok ? err({ code: 'not_found', message: `sourceId: source ${sourceId} has no statistics yet (its ingest did not finish)` }) : e;
    },
    'stats.totals': ({ sourceId, from, to }) => {
      const e = exists(sourceId);
      return e.ok ? ok(ctx.totals.totals(sourceId, from, to)) : e;
    },
    'talkers.top': (req) => {
      const e = exists(req.sourceId);
      if (!e.ok) return e;
      return ok({ byIp: ctx.talkers.byIp(req), byPort: ctx.talkers.byPort(req) });
    },
    'conversations.page': ({ sourceId, proto, limit, offset }) => {
      const e = exists(sourceId);
      if (!e.ok) return e;
      return ok({ rows: ctx.conversations.page(sourceId, { proto, limit, offset }), total: ctx.conversations.counts(sourceId)[proto] });
    },
    'flows.page': (req) => {
      const e = exists(req.sourceId);
      return e.ok ? ok(ctx.flowQueries.page(req)) : e;
    },
    'flows.get': ({ flowId }) => {
      const f = ctx.flows.get(flowId);
      return f === undefined ? err({ code: 'not_found', message: `flowId: no flow ${flowId}` }) : ok(toFlowDetail(f));
    },
  };
}
