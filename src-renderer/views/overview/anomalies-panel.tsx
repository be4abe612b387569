/**
 * The Overview's Anomalies panel: "Detect anomalies" trains an Isolation Forest on the whole
 * selected source (anomalies.detect, in a worker on the host) at the chosen contamination, then
 * lists the flagged windows (time, severity, message, drivers). Clicking a row zooms every chart
 * to the window with some context on each side; the time charts mark the flags.
 */
import { useMemo, useState } from 'react';
import type { JSX } from 'react';
import type { AnomalyDetectResult, AnomalyWindow } from '../../../src-shared/anomaly-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatDuration, formatEpoch } from '../../format/units.js';
import { DEFAULT_CONTAMINATION, useAnomalies, useAnomalyResult } from '../../stores/anomalies-store.js';
import { useSelection } from '../../stores/selection-store.js';
import type { TimeRange } from '../../stores/selection-store.js';

/** Windows of context shown on each side of a clicked anomaly. */
const CONTEXT_WINDOWS = 24;

/** The range a click on an anomaly zooms to: the window and its context, inside the scored range. */
export function rangeAround(a: AnomalyWindow, result: AnomalyDetectResult): TimeRange {
  const pad = CONTEXT_WINDOWS * result.resolution;
  const from = Math.max(a.t - pad, result.from ?? -Infinity);
  const to = Math.min(a.t + result.resolution + pad, result.to ?? Infinity);
  return [from, to];
}

type Order = 'time' | 'score';

/** The panel. */
export function AnomaliesPanel({ sourceId }: { sourceId: number }): JSX.Element {
  const result = useAnomalyResult(sourceId);
  const running = useAnomalies((s) => s.running.includes(sourceId));
  const error = useAnomalies((s) => s.errors[sourceId] ?? null);
  const detect = useAnomalies((s) => s.detect);
  const range = useSelection((s) => s.range);
  const setRange = useSelection((s) => s.setRange);
  const [text, setText] = useState(String(DEFAULT_CONTAMINATION));
  const [order, setOrder] = useState<Order>('time');
  const contamination = Number(text);
  const valid = Number.isFinite(contamination) && contamination > 0 && contamination <= 0.5;
  const rows = useMemo(() => {
    const list = result?.anomalies ?? [];
    return order === 'time' ? list : [...list].sort((a, b) => b.score - a.score);
  }, [result, order]);
  return (
    <section className="panel" data-testid="anomalies-panel">
      <h3>
        Anomalies
        <span className="muted" style={{ fontWeight: 'normal' }}>Isolation Forest over the window metrics of the whole source</span>
        <span className="right">
          <label className="muted" title="Share of windows flagged, more than 0 and at most 0.5">
            contamination{' '}
            <input
              data-testid="anomaly-contamination"
              type="number"
              min={0.001}
              max={0.5}
              step={0.01}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              style={{ width: 70 }}
              aria-invalid={!valid}
            />
          </label>
          <button data-testid="detect-anomalies" disabled={running || !valid} onClick={() => void detect(sourceId, contamination)}>
            {running ? 'Detecting…' : 'Detect anomalies'}
          </button>
        </span>
      </h3>
      {!valid && <ErrorMessage message={`contamination: must be a share in (0, 0.5], got "${text}"`} />}
      {error !== null && <ErrorMessage message={error} />}
      {result === null ? (
        <p className="muted">{running ? 'Training and scoring…' : 'No detection yet for this source.'}</p>
      ) : (
        <>
          <p className="muted" data-testid="anomalies-count" data-value={result.anomalies.length}>
            <b>{result.anomalies.length}</b> of {result.windows.toLocaleString()} windows ({formatDuration(result.resolution)}) flagged at
            contamination {result.contamination} · threshold score {result.threshold.toFixed(3)} · {(result.elapsedMs / 1000).toFixed(1)} s
            <span className="seg" role="group" aria-label="Order" style={{ marginLeft: 8 }}>
              <button aria-pressed={order === 'time'} onClick={() => setOrder('time')}>by time</button>
              <button aria-pressed={order === 'score'} onClick={() => setOrder('score')}>by score</button>
            </span>
          </p>
          <div className="table-scroll">
            <table className="data anomalies-table">
              <thead>
                <tr><th>Time</th><th>Severity</th><th>Score</th><th>Message and drivers</th></tr>
              </thead>
              <tbody>
                {rows.map((a) => {
                  const shown = range !== null && a.t >= range[0] && a.t < range[1];
                  return (
                    <tr
                      key={a.t}
                      data-testid="anomaly-row"
                      data-t={a.t}
                      data-severity={a.severity}
                      aria-selected={shown}
                      title="Click to zoom every chart to this window"
                      onClick={() => setRange(rangeAround(a, result))}
                    >
                      <td>{formatEpoch(a.t)}</td>
                      <td><span className={`badge sev-${a.severity}`}>{a.severity}</span></td>
                      <td>{a.score.toFixed(3)}</td>
                      <td className="wrap">
                        <div>{a.message}</div>
                        {a.drivers.map((d) => (
                          <div key={d.feature} className="muted driver" title={`${d.feature} = ${d.value.toPrecision(4)} (usual ${d.usual.toPrecision(4)}, robust z ${d.robustZ.toFixed(1)})`}>
                            · {d.text}
                          </div>
                        ))}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
