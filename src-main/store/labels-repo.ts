/**
 * The `label_rules` table (user-editable label rules, seeded with the defaults) and the
 * `flow_labels` table (labels the user or a classifier set on flows; migration 4).
 */
import type Database from 'better-sqlite3';
import type { FlowLabel, LabelRule, LabelRuleKind, TrafficClass } from '../../src-shared/classify-api.js';

/** A stored flow label. */
export interface StoredFlowLabel {
  readonly flowId: number;
  readonly source: 'user' | 'model';
  readonly label: FlowLabel;
  readonly confidence: number | null;
  readonly modelId: number | null;
}

interface RawRule {
  id: number;
  kind: LabelRuleKind;
  pattern: string;
  label: TrafficClass;
  priority: number;
  enabled: number;
}

/** Reads and writes label rules and flow labels. */
export class LabelsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Every rule, in matching order within each kind (priority, then id). */
  rules(): LabelRule[] {
    return this.db
      .prepare<[], RawRule>('SELECT id, kind, pattern, label, priority, enabled FROM label_rules ORDER BY priority, id')
      .all()
      .map((r) => ({ ...r, enabled: r.enabled !== 0 }));
  }

  /** Replaces every rule with `rules` (ids kept where given); returns the stored list. */
  replaceRules(rules: readonly Omit<LabelRule, 'id'>[]): LabelRule[] {
    const ins = this.db.prepare('INSERT INTO label_rules (kind, pattern, label, priority, enabled) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM label_rules').run();
      for (const r of rules) ins.run(r.kind, r.pattern, r.label, r.priority, r.enabled ? 1 : 0);
    })();
    return this.rules();
  }

  /** One rule, or undefined. */
  rule(id: number): LabelRule | undefined {
    const r = this.db.prepare<[number], RawRule>('SELECT id, kind, pattern, label, priority, enabled FROM label_rules WHERE id = ?').get(id);
    return r === undefined ? undefined : { ...r, enabled: r.enabled !== 0 };
  }

  /** Inserts a rule (no id) or replaces rule `id`; returns it as stored, undefined when `id` does not exist. */
  saveRule(r: Omit<LabelRule, 'id'> & { readonly id?: number }): LabelRule | undefined {
    const args = [r.kind, r.pattern, r.label, r.priority, r.enabled ? 1 : 0] as const;
    if (r.id === undefined) {
      const id = Number(this.db.prepare('INSERT INTO label_rules (kind, pattern, label, priority, enabled) VALUES (?, ?, ?, ?, ?)').run(...args).lastInsertRowid);
      return this.rule(id);
    }
    const n = this.db.prepare('UPDATE label_rules SET kind = ?, pattern = ?, label = ?, priority = ?, enabled = ? WHERE id = ?').run(...args, r.id).changes;
    return n === 0 ? undefined : this.rule(r.id);
  }

  /** Deletes a rule; false when there was none. */
  removeRule(id: number): boolean {
    return this.db.prepare('DELETE FROM label_rules WHERE id = ?').run(id).changes > 0;
  }

  /** Sets (or, with label null, clears) the label of one flow from one label source. */
  setLabel(flowId: number, source: 'user' | 'model', label: FlowLabel | null, confidence: number | null = null, modelId: number | null = null): void {
    if (label === null) {
      this.db.prepare('DELETE FROM flow_labels WHERE flow_id = ? AND source = ?').run(flowId, source);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO flow_labels (flow_id, source, label, confidence, model_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (flow_id, source) DO UPDATE SET label = excluded.label, confidence = excluded.confidence,
           model_id = excluded.model_id, created_at = excluded.created_at`,
      )
      .run(flowId, source, label, confidence, modelId, Date.now());
  }

  /** Stores many model labels in one transaction. */
  setModelLabels(rows: readonly { flowId: number; label: FlowLabel; confidence: number }[], modelId: number | null): void {
    const ins = this.db.prepare(
      `INSERT INTO flow_labels (flow_id, source, label, confidence, model_id, created_at) VALUES (?, 'model', ?, ?, ?, ?)
       ON CONFLICT (flow_id, source) DO UPDATE SET label = excluded.label, confidence = excluded.confidence,
         model_id = excluded.model_id, created_at = excluded.created_at`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of rows) ins.run(r.flowId, r.label, r.confidence, modelId, now);
    })();
  }

  /** Stored labels of these flows (user and model), keyed by flow id. */
  labelsOf(flowIds: readonly number[]): Map<number, StoredFlowLabel[]> {
    const out = new Map<number, StoredFlowLabel[]>();
    if (flowIds.length === 0) return out;
    const stmt = this.db.prepare<number[], { flow_id: number; source: 'user' | 'model'; label: FlowLabel; confidence: number | null; model_id: number | null }>(
      `SELECT flow_id, source, label, confidence, model_id FROM flow_labels WHERE flow_id IN (${flowIds.map(() => '?').join(', ')})`,
    );
    for (const r of stmt.all(...flowIds)) {
      const list = out.get(r.flow_id) ?? [];
      list.push({ flowId: r.flow_id, source: r.source, label: r.label, confidence: r.confidence, modelId: r.model_id });
      out.set(r.flow_id, list);
    }
    return out;
  }

  /** User and model labels of every flow of a source. */
  sourceLabels(sourceId: number): Map<number, StoredFlowLabel[]> {
    const out = new Map<number, StoredFlowLabel[]>();
    const rows = this.db
      .prepare<[number], { flow_id: number; source: 'user' | 'model'; label: FlowLabel; confidence: number | null; model_id: number | null }>(
        'SELECT l.flow_id, l.source, l.label, l.confidence, l.model_id FROM flow_labels l JOIN flows f ON f.id = l.flow_id WHERE f.source_id = ?',
      )
      .all(sourceId);
    for (const r of rows) {
      const list = out.get(r.flow_id) ?? [];
      list.push({ flowId: r.flow_id, source: r.source, label: r.label, confidence: r.confidence, modelId: r.model_id });
      out.set(r.flow_id, list);
    }
    return out;
  }

  /** User labels of a source's flows (for training on what the user labelled). */
  userLabels(sourceId: number): Map<number, FlowLabel> {
    const rows = this.db
      .prepare<[number], { flow_id: number; label: FlowLabel }>(
        "SELECT l.flow_id, l.label FROM flow_labels l JOIN flows f ON f.id = l.flow_id WHERE f.source_id = ? AND l.source = 'user'",
      )
      .all(sourceId);
    return new Map(rows.map((r) => [r.flow_id, r.label]));
  }
}
