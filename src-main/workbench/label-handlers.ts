/** `flows.page` with each row's label (user, else model, else rules) and `flows.label` (user labels). */
import type { FlowRow, Page } from '../../src-shared/api.js';
import { err, ok } from '../../src-shared/result.js';
import { compileRules } from '../ml/classify/traffic-rules.js';
import { LabelsRepo } from '../store/labels-repo.js';
import type { Handler, HandlerGroup, WorkbenchContext } from './context.js';

type LabelMethod = 'flows.page' | 'flows.label';

/** Adds label, label_source and confidence to flow rows: the user's label wins over a model's, a model's over the rules'. */
export function labelRows(labels: LabelsRepo, page: Page<FlowRow>): Page<FlowRow> {
  const match = compileRules(labels.rules());
  const stored = labels.labelsOf(page.rows.map((r) => r.id));
  const rows = page.rows.map((r): FlowRow => {
    const list = stored.get(r.id) ?? [];
    const user = list.find((l) => l.source === 'user');
    if (user !== undefined) return { ...r, label: user.label, label_source: 'user', confidence: null };
    const rule = match(r);
    const model = list.find((l) => l.source === 'model');
    // Rules that name the traffic are kept; the model labels what the rules could not.
    if (model !== undefined && rule.label === 'unknown') return { ...r, label: model.label, label_source: 'model', confidence: model.confidence };
    return { ...r, label: rule.label, label_source: 'rule', confidence: null };
  });
  return { rows, total: page.total };
}

/** Handlers of flows.page (with labels) and flows.label; `page` is the unlabelled flows.page. */
export function labelHandlers(ctx: WorkbenchContext, page: Handler<'flows.page'>): HandlerGroup<LabelMethod> {
  const labels = new LabelsRepo(ctx.workspace.db);
  return {
    'flows.page': async (req) => {
      const r = await page(req);
      return r.ok ? ok(labelRows(labels, r.value)) : r;
    },
    'flows.label': ({ flowId, label }) => {
      if (ctx.flows.get(flowId) === undefined) return err({ code: 'not_found', message: `flowId: no flow ${flowId}` });
      labels.setLabel(flowId, 'user', label);
      return ok(null);
    },
  };
}
