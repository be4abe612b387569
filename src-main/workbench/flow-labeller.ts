/**
 * The label a flow shows: the user's, else a model's where the rules say 'unknown', else the
 * label rules' — rules applied as training applies them (flow-dataset.ts: SNI, the flow's own
 * DNS query, the name its server address was resolved from earlier in the source, ports).
 * Rule labels are computed on read and never stored, so a rule edit relabels every flow at once;
 * per source, the resolved names and the whole-source rule verdicts are cached until the rules
 * or the source's flows change.
 */
import type { FlowRow, Page } from '../../src-shared/api.js';
import type { FlowLabel, LabelSource } from '../../src-shared/classify-api.js';
import type Database from 'better-sqlite3';
import { compileRules, resolvedNames, RULE_FLOW_COLUMNS } from '../ml/classify/traffic-rules.js';
import type { RuleMatcher, StoredRuleFlow } from '../ml/classify/traffic-rules.js';
import type { LabelsRepo, StoredFlowLabel } from '../store/labels-repo.js';

/** The flow columns a rule label is computed from. */
export type RuleFlow = StoredRuleFlow;

interface SourceCache {
  readonly key: string;
  readonly names: Map<string, string>;
  /** Rule label of every flow of the source, built on the first label filter. */
  all?: Map<number, FlowLabel>;
}

/** A shown label. */
export interface ShownLabel {
  readonly label: FlowLabel;
  readonly source: LabelSource;
  readonly confidence: number | null;
}

/** The user's label wins over a model's; a model labels only what the rules could not. */
export function shownLabel(rule: FlowLabel, stored: readonly StoredFlowLabel[]): ShownLabel {
  const user = stored.find((l) => l.source === 'user');
  if (user !== undefined) return { label: user.label, source: 'user', confidence: null };
  const model = stored.find((l) => l.source === 'model');
  if (model !== undefined && rule === 'unknown') return { label: model.label, source: 'model', confidence: model.confidence };
  return { label: rule, source: 'rule', confidence: null };
}

/** Labels flow rows and finds the flows of a source that show a label. */
export class FlowLabeller {
  private rulesVersion = 0;
  private matcher: { version: number; match: RuleMatcher } | null = null;
  private readonly sources = new Map<number, SourceCache>();

  constructor(
    private readonly db: Database.Database,
    private readonly labels: LabelsRepo,
  ) {}

  /** Call after any rule change: every rule label is recomputed on the next read. */
  rulesChanged(): void {
    this.rulesVersion++;
    this.matcher = null;
    this.sources.clear();
  }

  /** Adds label, label_source and confidence to a page of one source's flows. */
  labelPage<T extends FlowRow>(sourceId: number, page: Page<T>): Page<T> {
    const match = this.match();
    const names = this.cache(sourceId).names;
    const stored = this.labels.labelsOf(page.rows.map((r) => r.id));
    const rows = page.rows.map((r): T => {
      const rule = match({ ...r, resolved_name: names.get(r.server_addr) ?? null }).label;
      const s = shownLabel(rule, stored.get(r.id) ?? []);
      return { ...r, label: s.label, label_source: s.source, confidence: s.confidence };
    });
    return { rows, total: page.total };
  }

  /** Ids of the source's flows whose shown label is `label`, ascending. */
  idsShowing(sourceId: number, label: FlowLabel): number[] {
    const c = this.cache(sourceId);
    if (c.all === undefined) {
      const match = this.match();
      c.all = new Map(this.ruleFlows(sourceId).map((f) => [f.id, match({ ...f, resolved_name: c.names.get(f.server_addr) ?? null }).label]));
    }
    const stored = this.labels.sourceLabels(sourceId);
    const out: number[] = [];
    for (const [id, rule] of c.all) if (shownLabel(rule, stored.get(id) ?? []).label === label) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /**
   * The label each flow of a source shows (the user's, else a model's where the rules say
   * unknown, else the rules'), for whole-source summaries such as drift's traffic-type mix.
   */
  shownLabelOf(sourceId: number): (f: RuleFlow) => FlowLabel {
    const match = this.match();
    const names = this.cache(sourceId).names;
    const stored = this.labels.sourceLabels(sourceId);
    return (f) => shownLabel(match({ ...f, resolved_name: names.get(f.server_addr) ?? null }).label, stored.get(f.id) ?? []).label;
  }

  private match(): RuleMatcher {
    if (this.matcher?.version !== this.rulesVersion) this.matcher = { version: this.rulesVersion, match: compileRules(this.labels.rules()) };
    return this.matcher.match;
  }

  private cache(sourceId: number): SourceCache {
    // Flows of a source only grow (ingest, capture) or vanish with it: count and last id say when.
    const s = this.db.prepare<[number], { n: number; last: number | null }>('SELECT count(*) AS n, max(id) AS last FROM flows WHERE source_id = ?').get(sourceId);
    const key = `${s?.n ?? 0}:${s?.last ?? 0}`;
    const hit = this.sources.get(sourceId);
    if (hit?.key === key) return hit;
    const dns = this.db
      .prepare<[number], { dns_query: string; dns_answers: string | null }>(
        'SELECT dns_query, dns_answers FROM flows WHERE source_id = ? AND dns_query IS NOT NULL ORDER BY first_ts, id',
      )
      .all(sourceId)
      .map((f) => ({ dns_query: f.dns_query, dns_answers: f.dns_answers === null ? [] : (JSON.parse(f.dns_answers) as string[]) }));
    const fresh: SourceCache = { key, names: resolvedNames(dns) };
    this.sources.set(sourceId, fresh);
    return fresh;
  }

  private ruleFlows(sourceId: number): RuleFlow[] {
    return this.db
      .prepare<[number], RuleFlow>(`SELECT ${RULE_FLOW_COLUMNS} FROM flows WHERE source_id = ?`)
      .all(sourceId);
  }
}
