/**
 * The test-split evaluation beside its baselines (model / persistence / seasonal naive:
 * MAE, RMSE, sMAPE, skill); exact numbers ride on data attributes for tests and copy.
 */
import type { JSX } from 'react';
import type { ForecastEvaluation, ForecastScores } from '../../../src-shared/models-api.js';
import { formatCount } from '../../format/units.js';
import { formatMetricValue } from './metric-format.js';

type Predictor = 'model' | 'persistence' | 'seasonal_naive';

/** The metrics table of one model. */
export function ModelMetrics({ evaluation, target }: { evaluation: ForecastEvaluation; target: string | null }): JSX.Element {
  const rows: { predictor: Predictor; label: string; s: ForecastScores | null }[] = [
    { predictor: 'model', label: 'LSTM model', s: evaluation.model },
    { predictor: 'persistence', label: 'Persistence (last value)', s: evaluation.persistence },
    {
      predictor: 'seasonal_naive',
      label: evaluation.seasonWindows === null ? 'Seasonal naive' : `Seasonal naive (season ${formatCount(evaluation.seasonWindows)} windows)`,
      s: evaluation.seasonalNaive,
    },
  ];
  const best = Math.min(...rows.map((r) => r.s?.rmse ?? Number.POSITIVE_INFINITY));
  return (
    <div data-testid="model-metrics" data-points={evaluation.points}>
      <table className="data metrics-table">
        <thead>
          <tr>
            <th>Predictor</th>
            <th className="num">MAE</th>
            <th className="num">RMSE</th>
            <th className="num">sMAPE</th>
            <th className="num" title="1 − RMSE / RMSE of persistence on the same points">
              Skill
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ predictor, label, s }) => (
            <tr
              key={predictor}
              data-testid="metrics-row"
              data-predictor={predictor}
              data-mae={s?.mae ?? ''}
              data-rmse={s?.rmse ?? ''}
              data-smape={s?.smape ?? ''}
              data-skill={s?.skill ?? ''}
              className={s !== null && s.rmse === best ? 'best' : undefined}
            >
              <td>{label}</td>
              {s === null ? (
                <td colSpan={4} className="muted">
                  series shorter than two seasons
                </td>
              ) : (
                <>
                  <td className="num" title={String(s.mae)}>{formatMetricValue(target, s.mae)}</td>
                  <td className="num" title={String(s.rmse)}>{formatMetricValue(target, s.rmse)}</td>
                  <td className="num" title={String(s.smape)}>{Number.isFinite(s.smape) ? `${s.smape.toFixed(1)} %` : '–'}</td>
                  <td className={`num ${s.skill < 0 ? 'neg' : ''}`} title={String(s.skill)}>{typeof s.skill === 'number' && Number.isFinite(s.skill) ? s.skill.toFixed(3) : '–'}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted" style={{ margin: '4px 0 0', fontSize: 12 }}>
        On the test split: {formatCount(evaluation.points)} points, the same for every predictor. Skill &gt; 0 beats persistence.
      </p>
    </div>
  );
}
