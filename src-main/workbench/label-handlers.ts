/**
 * Labels: `flows.page` and `flows.get` with each flow's label (user, else model, else rules),
 * the label filter, `flows.label` (user labels), the label-rules editor (`labels.rules.*`) and the CSV
 * import (`labels.import`). Every change announces `labels.changed`.
 */
import { defaultRuleList } from '../ml/classify/traffic-rules.js';
import { err, ok } from '../../src-shared/result.js';
import { LabelsRepo } from '../store/labels-repo.js';
import type { Handler, HandlerGroup, WorkbenchContext } from './context.js';
import { toFlowDetail } from './dto.js';
import { FlowLabeller } from './flow-labeller.js';
import { importLabels } from './label-import.js';

type LabelMethod = 'flows.page' | 'flows.get' | 'flows.label' | 'labels.rules.list' | 'labels.rules.save' | 'labels.rules.remove' | 'labels.rules.reset' | 'labels.import';

/** Handlers of the label methods; `page` is the unlabelled flows.page (source checked there). */
export function labelHandlers(ctx: WorkbenchContext, page: Handler<'flows.page'>): HandlerGroup<LabelMethod> {
  const db = ctx.workspace.db;
  const labels = new LabelsRepo(db);
  const labeller = new FlowLabeller(db, labels);
  const changed = (sourceId: number | null): void => ctx.emit('labels.changed', { sourceId });
  const rulesChanged = (): void => {
    labeller.rulesChanged();
    changed(null);
  };
  return {
    'flows.page': async (req) => {
      const { label, ...rest } = req.filter ?? {};
      if (label === undefined) {
        const r = await page(req);
        return r.ok ? ok(labeller.labelPage(req.sourceId, r.value)) : r;
      }
      const probe = await page({ ...req, filter: rest, limit: 1, offset: 0 });
      if (!probe.ok) return probe;
      const ids = labeller.idsShowing(req.sourceId, label);
      if (ids.length === 0) return ok({ rows: [], total: 0 });
      return ok(labeller.labelPage(req.sourceId, ctx.flowQueries.page({ ...req, filter: rest, ids })));
    },
    'flows.get': ({ flowId }) => {
      const f = ctx.flows.get(flowId);
      if (f === undefined) return err({ code: 'not_found', message: `flowId: no flow ${flowId}` });
      const [row] = labeller.labelPage(f.source_id, { rows: [toFlowDetail(f)], total: 1 }).rows;
      return row === undefined ? err({ code: 'internal', message: `flowId: flow ${flowId} was not labelled` }) : ok(row);
    },
    'flows.label': ({ flowId, label }) => {
      const flow = ctx.flows.get(flowId);
      if (flow === undefined) return err({ code: 'not_found', message: `flowId: no flow ${flowId}` });
      labels.setLabel(flowId, 'user', label);
      changed(flow.source_id);
      return ok(null);
    },
    'labels.rules.list': () => ok(labels.rules()),
    'labels.rules.save': (r) => {
      // An edit keeps the priority and on/off state it does not name; a new rule starts at 100, on.
      const before = r.id === undefined ? undefined : labels.rule(r.id);
      if (r.id !== undefined && before === undefined) return err({ code: 'not_found', message: `id: no label rule ${r.id}` });
      const saved = labels.saveRule({ ...r, priority: r.priority ?? before?.priority ?? 100, enabled: r.enabled ?? before?.enabled ?? true });
      if (saved === undefined) return err({ code: 'not_found', message: `id: no label rule ${r.id}` });
      rulesChanged();
      return ok(saved);
    },
    'labels.rules.remove': ({ ruleId }) => {
      if (!labels.removeRule(ruleId)) return err({ code: 'not_found', message: `ruleId: no label rule ${ruleId}` });
      rulesChanged();
      return ok(null);
    },
    'labels.rules.reset': () => {
      const rules = labels.replaceRules(defaultRuleList());
      rulesChanged();
      return ok(rules);
    },
    'labels.import': ({ path, sourceId }) => {
      if (sourceId !== undefined && ctx.sources.get(sourceId) === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
      const r = importLabels(db, labels, path, sourceId);
      if (r.ok && r.value.flowsLabelled > 0) changed(sourceId ?? null);
      return r;
    },
  };
}
