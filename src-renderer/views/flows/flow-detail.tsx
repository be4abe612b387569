/** One flow's record (flows.get): endpoints, counts, statistics and its first packets. */
import { useState } from 'react';
import type { JSX } from 'react';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import type { FlowDetail } from '../../../src-shared/api.js';
import type { SeriesStats } from '../../../src-shared/flow-record.js';
import { call } from '../../api/client.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { endpoint, formatBytes, formatCount, formatDuration, formatEpoch, formatSecondsAsMs, protoName } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { useClassification } from '../../stores/classification-store.js';
import { LabelChip } from './flow-columns.js';
import { EarlyPacketsChart } from './early-packets-chart.js';

/** The detail panel beside the flows table. */
export function FlowDetailPanel({ flowId, onClose }: { flowId: number; onClose: () => void }): JSX.Element {
  const labelsVersion = useClassification((s) => s.labelsVersion);
  const q = useApiQuery('flows.get', { flowId }, labelsVersion);
  const f = q.data;
  return (
    <aside className="panel detail" data-testid="flow-detail" data-flow-id={flowId}>
      <h3>
        Flow {flowId}
        <span className="right">
          <button className="link" onClick={onClose} aria-label="Close (Esc)">
            ✕
          </button>
        </span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      {f === null ? (
        <p className="muted">{q.loading ? 'Loading…' : ''}</p>
      ) : (
        <>
          <dl>
            <dt>Label</dt>
            <dd>
              <FlowLabelEditor flow={f} />
            </dd>
            <dt>Protocol</dt>
            <dd>
              {protoName(f.proto)} over IPv{f.ip_version}
            </dd>
            <dt>Client</dt>
            <dd className="mono">{endpoint(f.client_addr, f.client_port)}</dd>
            <dt>Server</dt>
            <dd className="mono">{endpoint(f.server_addr, f.server_port)}</dd>
            {f.sni !== null && (
              <>
                <dt>TLS SNI</dt>
                <dd>{f.sni}</dd>
              </>
            )}
            {f.dns_query !== null && (
              <>
                <dt>DNS query</dt>
                <dd>{f.dns_query}</dd>
              </>
            )}
            {f.dns_answers.length > 0 && (
              <>
                <dt>DNS answers</dt>
                <dd>{f.dns_answers.join(', ')}</dd>
              </>
            )}
            <dt>First / last</dt>
            <dd>
              {formatEpoch(f.first_ts)}
              <br />
              {formatEpoch(f.last_ts)}
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(f.duration)}</dd>
            <dt>Handshake RTT</dt>
            <dd>{formatSecondsAsMs(f.handshake_rtt)}</dd>
            <dt>Ended by</dt>
            <dd>
              {f.end_reason}
              {f.segment > 0 ? ` (interim record ${f.segment})` : ''}
            </dd>
            <dt>Flags</dt>
            <dd>
              SYN {f.syn_count} · FIN {f.fin_count} · RST {f.rst_count} · PSH {f.psh_count} · ACK {f.ack_count} · URG {f.urg_count}
            </dd>
          </dl>
          <table className="data">
            <thead>
              <tr>
                <th />
                <th className="num">Packets</th>
                <th className="num">Bytes</th>
                <th className="num">Header bytes</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Client → server</td>
                <td className="num">{formatCount(f.fwd_packets)}</td>
                <td className="num">{formatBytes(f.fwd_bytes)}</td>
                <td className="num">{formatBytes(f.fwd_header_bytes)}</td>
              </tr>
              <tr>
                <td>Server → client</td>
                <td className="num">{formatCount(f.bwd_packets)}</td>
                <td className="num">{formatBytes(f.bwd_bytes)}</td>
                <td className="num">{formatBytes(f.bwd_header_bytes)}</td>
              </tr>
              <tr>
                <td>Total</td>
                <td className="num">{formatCount(f.packets)}</td>
                <td className="num">{formatBytes(f.bytes)}</td>
                <td />
              </tr>
            </tbody>
          </table>
          <h3 style={{ marginTop: 10 }}>Statistics</h3>
          <table className="data">
            <thead>
              <tr>
                <th />
                <th className="num">min</th>
                <th className="num">mean</th>
                <th className="num">max</th>
                <th className="num">std</th>
              </tr>
            </thead>
            <tbody>
              <StatRow label="Packet length" s={f.pkt_len} fmt={formatBytes} />
              <StatRow label="  client → server" s={f.fwd_pkt_len} fmt={formatBytes} />
              <StatRow label="  server → client" s={f.bwd_pkt_len} fmt={formatBytes} />
              <StatRow label="Inter-arrival" s={f.iat} fmt={formatDuration} />
              <StatRow label="  client → server" s={f.fwd_iat} fmt={formatDuration} />
              <StatRow label="  server → client" s={f.bwd_iat} fmt={formatDuration} />
            </tbody>
          </table>
          <h3 style={{ marginTop: 10 }}>First {f.early_packets.length} packets</h3>
          <EarlyPacketsChart packets={f.early_packets} />
        </>
      )}
    </aside>
  );
}

/** The flow's label and a select that sets (or clears) the user's label. */
function FlowLabelEditor({ flow }: { flow: FlowDetail }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const set = async (value: string): Promise<void> => {
    const label = value === '' ? null : (TRAFFIC_CLASSES.find((c) => c === value) ?? null);
    const r = await call('flows.label', { flowId: flow.id, label });
    setError(r.ok ? null : r.error.message);
    if (r.ok) useClassification.getState().bump();
  };
  return (
    <span className="form-row" style={{ margin: 0, gap: 6 }}>
      <LabelChip row={flow} />
      <select
        data-testid="flow-label-select"
        value={flow.label_source === 'user' ? (flow.label ?? '') : ''}
        aria-label="Set this flow's label"
        onChange={(e) => void set(e.target.value)}
      >
        <option value="">{flow.label_source === 'user' ? 'clear my label' : 'set a label…'}</option>
        {TRAFFIC_CLASSES.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {error !== null && <ErrorMessage message={error} />}
    </span>
  );
}

function StatRow({ label, s, fmt }: { label: string; s: SeriesStats; fmt: (n: number) => string }): JSX.Element {
  return (
    <tr>
      <td style={{ whiteSpace: 'pre' }}>{label}</td>
      <td className="num">{fmt(s.min)}</td>
      <td className="num">{fmt(s.mean)}</td>
      <td className="num">{fmt(s.max)}</td>
      <td className="num">{fmt(s.std)}</td>
    </tr>
  );
}
