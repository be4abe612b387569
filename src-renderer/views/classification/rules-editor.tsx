/**
 * The label rules editor: add a rule (kind, pattern, label, priority), edit one in place,
 * enable/disable, delete, reset to the defaults. The server checks every field; its error is
 * shown at the form with the named field marked invalid. Rules are listed in matching order
 * within their kind (names before ports; lower priority first).
 */
import { useEffect, useMemo, useState } from 'react';
import type { JSX } from 'react';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import type { LabelRule, LabelRuleInput, LabelRuleKind, TrafficClass } from '../../../src-shared/classify-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { useClassification } from '../../stores/classification-store.js';

const KINDS: readonly { kind: LabelRuleKind; label: string; hint: string }[] = [
  { kind: 'sni', label: 'TLS SNI', hint: 'netflix.com or *.nflxvideo.*' },
  { kind: 'dns', label: 'DNS name', hint: 'zoom.us or *.zoom.*' },
  { kind: 'port', label: 'Port', hint: '443 or 6881-6889' },
];
const KIND_ORDER: Readonly<Record<LabelRuleKind, number>> = { sni: 0, dns: 1, port: 2 };

interface Draft {
  readonly kind: LabelRuleKind;
  readonly pattern: string;
  readonly label: TrafficClass;
  readonly priority: string;
}

const NEW_DRAFT: Draft = { kind: 'sni', pattern: '', label: 'web', priority: '100' };

function toInput(d: Draft, base?: LabelRule): LabelRuleInput {
  const p = Number(d.priority);
  return {
    ...(base === undefined ? {} : { id: base.id, enabled: base.enabled }),
    kind: d.kind, pattern: d.pattern, label: d.label,
    // A non-number goes to the server as is, which names the field.
    priority: d.priority.trim() === '' ? 100 : Number.isFinite(p) ? p : (d.priority as unknown as number),
  };
}

/** The field a server error names ("pattern: …" → pattern). */
function faultField(error: string | null): string | null {
  const m = error === null ? null : /^(kind|pattern|label|priority|id): /.exec(error);
  return m?.[1] ?? null;
}

function DraftFields({ draft, onChange, prefix, fault }: { draft: Draft; onChange: (d: Draft) => void; prefix: string; fault: string | null }): JSX.Element {
  const hint = KINDS.find((k) => k.kind === draft.kind)?.hint ?? '';
  return (
    <>
      <select data-testid={`${prefix}-kind`} value={draft.kind} aria-label="Rule kind" aria-invalid={fault === 'kind'} onChange={(e) => onChange({ ...draft, kind: e.target.value as LabelRuleKind })}>
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>{k.label}</option>
        ))}
      </select>
      <input
        data-testid={`${prefix}-pattern`}
        value={draft.pattern}
        placeholder={hint}
        aria-label="Pattern"
        aria-invalid={fault === 'pattern'}
        style={{ borderColor: fault === 'pattern' ? 'var(--danger)' : undefined }}
        onChange={(e) => onChange({ ...draft, pattern: e.target.value })}
      />
      <select data-testid={`${prefix}-label`} value={draft.label} aria-label="Label" onChange={(e) => onChange({ ...draft, label: e.target.value as TrafficClass })}>
        {TRAFFIC_CLASSES.map((c) => (
          <option key={c} value={c}>{c}</option>
        ))}
      </select>
      <input
        data-testid={`${prefix}-priority`}
        value={draft.priority}
        inputMode="numeric"
        style={{ width: 70, borderColor: fault === 'priority' ? 'var(--danger)' : undefined }}
        aria-label="Priority (lower first)"
        aria-invalid={fault === 'priority'}
        onChange={(e) => onChange({ ...draft, priority: e.target.value })}
      />
    </>
  );
}

function RuleRow({ rule, editing, onEdit }: { rule: LabelRule; editing: boolean; onEdit: (id: number | null) => void }): JSX.Element {
  const save = useClassification((s) => s.save);
  const remove = useClassification((s) => s.remove);
  const ruleError = useClassification((s) => s.ruleError);
  const [draft, setDraft] = useState<Draft>({ kind: rule.kind, pattern: rule.pattern, label: rule.label, priority: String(rule.priority) });
  useEffect(() => setDraft({ kind: rule.kind, pattern: rule.pattern, label: rule.label, priority: String(rule.priority) }), [rule, editing]);
  const attrs = {
    'data-testid': 'rule-row', 'data-rule-id': rule.id, 'data-kind': rule.kind, 'data-pattern': rule.pattern,
    'data-label': rule.label, 'data-priority': rule.priority, 'data-enabled': String(rule.enabled),
  };
  if (editing) {
    return (
      <tr {...attrs} aria-selected>
        <td colSpan={4}>
          <div className="form-row" style={{ margin: 0 }}>
            <DraftFields draft={draft} onChange={setDraft} prefix="rule-edit" fault={faultField(ruleError)} />
          </div>
        </td>
        <td colSpan={2}>
          <button data-testid="rule-save" className="primary" onClick={() => void save(toInput(draft, rule)).then((ok) => ok && onEdit(null))}>Save</button>{' '}
          <button data-testid="rule-cancel" onClick={() => onEdit(null)}>Cancel</button>
        </td>
      </tr>
    );
  }
  return (
    <tr {...attrs} className={rule.enabled ? undefined : 'muted'}>
      <td>{KINDS.find((k) => k.kind === rule.kind)?.label ?? rule.kind}</td>
      <td className="mono">{rule.pattern}</td>
      <td>{rule.label}</td>
      <td className="num">{rule.priority}</td>
      <td>
        <input
          type="checkbox"
          data-testid="rule-enabled"
          checked={rule.enabled}
          aria-label={`Rule ${rule.pattern} enabled`}
          onChange={(e) => void save({ ...rule, enabled: e.target.checked })}
        />
      </td>
      <td>
        <button className="link" data-testid="rule-edit" onClick={() => onEdit(rule.id)}>Edit</button>{' '}
        <button
          className="link"
          data-testid="rule-delete"
          onClick={() => {
            if (window.confirm(`Delete the rule ${rule.kind} ${rule.pattern} → ${rule.label}?`)) void remove(rule.id);
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** The rules panel. */
export function RulesEditor(): JSX.Element {
  const rules = useClassification((s) => s.rules);
  const loaded = useClassification((s) => s.loaded);
  const save = useClassification((s) => s.save);
  const reset = useClassification((s) => s.reset);
  const ruleError = useClassification((s) => s.ruleError);
  const [draft, setDraft] = useState<Draft>(NEW_DRAFT);
  const [editing, setEditing] = useState<number | null>(null);
  const [search, setSearch] = useState('');
  useEffect(() => {
    void useClassification.getState().load();
  }, []);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return [...rules]
      .filter((r) => q === '' || r.pattern.includes(q) || r.label.includes(q) || r.kind === q)
      .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.priority - b.priority || a.id - b.id);
  }, [rules, search]);
  return (
    <section className="panel" data-testid="rules-editor">
      <h3>
        Label rules
        <span className="muted" style={{ fontWeight: 'normal' }}>
          SNI, then the flow&apos;s DNS query and the name its server was resolved from, then the server port; lower priority first. Flows follow an edit at once.
        </span>
      </h3>
      <div className="form-row">
        <DraftFields draft={draft} onChange={setDraft} prefix="rule-add" fault={editing === null ? faultField(ruleError) : null} />
        <button
          data-testid="rule-add"
          className="primary"
          disabled={draft.pattern.trim() === ''}
          onClick={() => void save(toInput(draft)).then((ok) => ok && setDraft({ ...draft, pattern: '' }))}
        >
          Add rule
        </button>
        <span className="spacer" />
        <input data-testid="rule-search" placeholder="Find a rule…" value={search} aria-label="Find a rule" onChange={(e) => setSearch(e.target.value)} />
        <button
          data-testid="rules-reset"
          onClick={() => {
            if (window.confirm('Replace every rule with the defaults? User and model labels stay.')) void reset();
          }}
        >
          Reset to defaults
        </button>
      </div>
      {ruleError !== null && <ErrorMessage message={ruleError} />}
      <div className="table-scroll">
        <table className="data rules-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Pattern</th>
              <th>Label</th>
              <th className="num">Priority</th>
              <th>On</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <RuleRow key={r.id} rule={r} editing={editing === r.id} onEdit={setEditing} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted legend-note" data-testid="rules-count" data-value={rules.length}>
        {loaded ? `${rules.length} rules (${rules.filter((r) => !r.enabled).length} disabled)${shown.length === rules.length ? '' : `, ${shown.length} shown`}` : 'loading…'}
      </p>
    </section>
  );
}
