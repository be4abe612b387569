/**
 * The Overview's Drift panel: compares a side against a reference with drift.compare — another
 * source, or the brushed range of the selected source against its whole extent — and shows the
 * plain-language verdict and one row per distribution (traffic type, SNI, DNS, packet sizes,
 * protocol mix), largest PSI first, with the categories that moved most.
 */
import { useState } from 'react';
import type { JSX } from 'react';
import type { DriftReport, DriftSideRequest } from '../../../src-shared/anomaly-api.js';
import { call } from '../../api/client.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatPercent } from '../../format/units.js';
import { useSelection } from '../../stores/selection-store.js';
import { useSources } from '../../stores/sources-store.js';

const DIMENSION_LABELS: Readonly<Record<string, string>> = {
  traffic_type: 'Traffic type', sni: 'TLS server names', dns: 'DNS names', packet_size: 'Packet sizes', protocol: 'Protocol mix',
};

/** `source:<id>` = a whole source; `range` = the brushed range of the selected source. */
type SideKey = string;

/** The panel. */
export function DriftPanel({ sourceId }: { sourceId: number }): JSX.Element {
  const sources = useSources((s) => s.sources);
  const range = useSelection((s) => s.range);
  const [reference, setReference] = useState<SideKey>(`source:${sourceId}`);
  const [compared, setCompared] = useState<SideKey>('');
  const [report, setReport] = useState<DriftReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = sources.filter((s) => s.id !== sourceId);
  // Default compared side: the brushed range when there is one, else the first other source.
  const comparedKey = compared !== '' ? compared : range !== null ? 'range' : others[0] !== undefined ? `source:${others[0].id}` : '';
  const side = (key: SideKey): DriftSideRequest | null => {
    if (key === 'range') return range === null ? null : { sourceId, from: range[0], to: range[1] };
    const id = Number(key.replace('source:', ''));
    return Number.isInteger(id) && id > 0 ? { sourceId: id } : null;
  };
  const ref = side(reference);
  const cmp = side(comparedKey);
  const run = async (): Promise<void> => {
    if (ref === null || cmp === null) return;
    setBusy(true);
    setError(null);
    const r = await call('drift.compare', { reference: ref, compared: cmp });
    setBusy(false);
    if (r.ok) setReport(r.value);
    else setError(r.error.message);
  };
  const name = (id: number): string => sources.find((s) => s.id === id)?.displayName ?? `source ${id}`;
  return (
    <section className="panel" data-testid="drift-panel">
      <h3>
        Drift
        <span className="muted" style={{ fontWeight: 'normal' }}>PSI and KL of smoothed shares; PSI &lt; 0.1 stable, 0.1–0.25 moderate, &gt; 0.25 significant</span>
      </h3>
      <div className="form-row">
        <label>
          Reference{' '}
          <select data-testid="drift-reference" value={reference} onChange={(e) => setReference(e.currentTarget.value)}>
            {sources.map((s) => <option key={s.id} value={`source:${s.id}`}>{s.displayName} (whole)</option>)}
          </select>
        </label>
        <label>
          Compared{' '}
          <select data-testid="drift-compared" value={comparedKey} onChange={(e) => setCompared(e.currentTarget.value)}>
            <option value="range" disabled={range === null}>{name(sourceId)}: brushed range{range === null ? ' (drag the brush first)' : ''}</option>
            {sources.map((s) => <option key={s.id} value={`source:${s.id}`}>{s.displayName} (whole)</option>)}
          </select>
        </label>
        <button data-testid="drift-run" disabled={busy || ref === null || cmp === null} onClick={() => void run()}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </div>
      {error !== null && <ErrorMessage message={error} />}
      {report !== null && (
        <>
          <p data-testid="drift-verdict" data-verdict={report.verdict}>
            <span className={`badge drift-${report.verdict.replace(' ', '-')}`}>{report.verdict}</span> {report.summary}
          </p>
          <div className="table-scroll">
            <table className="data">
              <thead>
                <tr><th>Distribution</th><th>Verdict</th><th>PSI</th><th>KL</th><th>Counts (ref / compared)</th><th>Largest contributions (ref → compared, PSI part)</th></tr>
              </thead>
              <tbody>
                {report.dimensions.map((d) => (
                  <tr key={d.dimension} data-testid="drift-row" data-dimension={d.dimension} data-psi={d.psi} data-verdict={d.verdict}>
                    <td>{DIMENSION_LABELS[d.dimension] ?? d.dimension}</td>
                    <td>{d.verdict}</td>
                    <td>{d.psi.toFixed(3)}</td>
                    <td>{d.kl.toFixed(3)}</td>
                    <td>{d.totalReference.toLocaleString()} / {d.totalCompared.toLocaleString()}</td>
                    <td className="wrap">
                      {d.contributions.filter((c) => c.psi > 0).slice(0, 3).map((c) => (
                        <div key={c.category}>
                          {c.category}: {formatPercent(c.shareReference)} → {formatPercent(c.shareCompared)} <span className="muted">({c.psi.toFixed(3)})</span>
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
