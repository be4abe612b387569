/**
 * A classify model's evaluation (k-fold cross-validation grouped by source file): headline
 * macro-F1 and accuracy beside the rules-only baseline, per-class precision/recall/F1, the
 * confusion matrix as a heat map (row-normalised: each truth row's share per prediction), and
 * permutation feature importance as bars. Exact numbers ride on data attributes.
 */
import type { JSX } from 'react';
import type { ClassifyEvaluation } from '../../../src-shared/models-api.js';
import { formatCount } from '../../format/units.js';

const fixed = (v: number | null, digits = 3): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** Headline figures and the per-class table. */
export function ClassScores({ e }: { e: ClassifyEvaluation }): JSX.Element {
  const rows = e.perClass.filter((c) => c.support > 0);
  return (
    <div
      data-testid="classify-metrics"
      data-flows={e.flows}
      data-folds={e.folds}
      data-macro-f1={e.macroF1 ?? ''}
      data-accuracy={e.accuracy ?? ''}
      data-rules-baseline={e.rulesBaselineMacroF1 ?? ''}
    >
      <div className="stat-row" style={{ marginTop: 0, fontSize: 13 }}>
        <span>
          Model macro-F1 <b data-testid="classify-macro-f1">{fixed(e.macroF1)}</b>
        </span>
        <span>
          Rules-only baseline macro-F1 <b data-testid="classify-baseline">{fixed(e.rulesBaselineMacroF1)}</b>
        </span>
        <span>Accuracy {fixed(e.accuracy)}</span>
        <span className="muted">
          {formatCount(e.flows)} flows, {e.folds} folds by source file · labels: {formatCount(e.labelSources.user)} user, {formatCount(e.labelSources.rule)} rules,{' '}
          {formatCount(e.labelSources.skippedUnknown)} unknown left out
        </span>
      </div>
      {e.folds === 0 && <p className="muted legend-note">One source only: no file was held out, so there are no out-of-fold figures. Train on two or more sources.</p>}
      <table className="data" style={{ marginTop: 6 }}>
        <thead>
          <tr>
            <th>Class</th>
            <th className="num">Flows</th>
            <th className="num">Precision</th>
            <th className="num">Recall</th>
            <th className="num">F1</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.label} data-testid="class-row" data-label={c.label} data-support={c.support} data-precision={c.precision} data-recall={c.recall} data-f1={c.f1}>
              <td>{c.label}</td>
              <td className="num">{formatCount(c.support)}</td>
              <td className="num">{fixed(c.precision)}</td>
              <td className="num">{fixed(c.recall)}</td>
              <td className="num">{fixed(c.f1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** confusion[truth][predicted] as a heat map; empty rows and columns (no flows either way) left out. */
export function ConfusionMatrix({ e }: { e: ClassifyEvaluation }): JSX.Element {
  if (e.confusion.length === 0) return <p className="muted" data-testid="confusion-matrix" data-cells={0}>No confusion matrix without held-out files.</p>;
  const used = e.classes.map((_, i) => (e.confusion[i] ?? []).some((n) => n > 0) || e.confusion.some((row) => (row[i] ?? 0) > 0));
  const idx = e.classes.map((_, i) => i).filter((i) => used[i]);
  return (
    <div className="table-scroll" data-testid="confusion-matrix" data-cells={idx.length * idx.length}>
      <table className="data confusion">
        <thead>
          <tr>
            <th title="rows: label; columns: prediction">label \ predicted</th>
            {idx.map((j) => (
              <th key={j} className="num">{e.classes[j]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {idx.map((i) => {
            const row = e.confusion[i] ?? [];
            const sum = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={i}>
                <th>{e.classes[i]}</th>
                {idx.map((j) => {
                  const n = row[j] ?? 0;
                  const share = sum === 0 ? 0 : n / sum;
                  const tone = i === j ? '34, 160, 90' : '220, 60, 60';
                  return (
                    <td
                      key={j}
                      className="num"
                      data-testid="confusion-cell"
                      data-truth={e.classes[i]}
                      data-predicted={e.classes[j]}
                      data-count={n}
                      title={`${e.classes[i]} predicted as ${e.classes[j]}: ${n} of ${sum}`}
                      style={{ background: n === 0 ? undefined : `rgba(${tone}, ${0.12 + 0.75 * share})` }}
                    >
                      {n}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Permutation importance (drop of macro-F1 when a feature is shuffled), largest first, top 20. */
export function ImportanceBars({ e }: { e: ClassifyEvaluation }): JSX.Element {
  const top = e.importance.slice(0, 20);
  const max = Math.max(1e-9, ...top.map((f) => Math.abs(f.drop)));
  return (
    <div data-testid="importance-chart" data-features={e.importance.length}>
      {top.length === 0 && <p className="muted">No importance without held-out files.</p>}
      {top.map((f) => (
        <div key={f.feature} className="importance-row" data-testid="importance-bar" data-feature={f.feature} data-drop={f.drop} title={`macro-F1 drop ${f.drop}`}>
          <span className="mono importance-name">{f.feature}</span>
          <span className="importance-track">
            <span className={f.drop < 0 ? 'importance-bar neg' : 'importance-bar'} style={{ width: `${(100 * Math.abs(f.drop)) / max}%` }} />
          </span>
          <span className="num">{f.drop.toFixed(3)}</span>
        </div>
      ))}
    </div>
  );
}
