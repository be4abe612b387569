/** Top talkers of the range by address and by transport port (talkers.top). */
import { useState } from 'react';
import type { JSX } from 'react';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBytes, formatCount, protoName } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { HEAVY_REFRESH_MS, useSourceQueryInputs } from './source-query.js';

/** Both talker tables with a bytes/packets order toggle. */
export function TalkersTables(): JSX.Element {
  const { sourceId, rangeReq, version } = useSourceQueryInputs(HEAVY_REFRESH_MS);
  const [orderBy, setOrderBy] = useState<'bytes' | 'packets'>('bytes');
  const q = useApiQuery('talkers.top', sourceId === null ? null : { sourceId, ...rangeReq, limit: 10, orderBy }, version);
  return (
    <section className="panel" data-testid="top-talkers">
      <h3>
        Top talkers
        <span className="right seg" role="group" aria-label="Order by">
          <button aria-pressed={orderBy === 'bytes'} onClick={() => setOrderBy('bytes')}>
            by bytes
          </button>
          <button aria-pressed={orderBy === 'packets'} onClick={() => setOrderBy('packets')}>
            by packets
          </button>
        </span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={q.loading ? 'grid-2 loading' : 'grid-2'}>
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                <th>Address</th>
                <th className="num">Packets</th>
                <th className="num">Bytes</th>
                <th className="num">Tx bytes</th>
                <th className="num">Rx bytes</th>
                <th className="num">Flows</th>
              </tr>
            </thead>
            <tbody>
              {q.data?.byIp.map((t) => (
                <tr key={t.addr} data-testid="talker-ip-row">
                  <td className="mono">{t.addr}</td>
                  <td className="num">{formatCount(t.packets)}</td>
                  <td className="num" title={`${formatCount(t.bytes)} B`}>{formatBytes(t.bytes)}</td>
                  <td className="num">{formatBytes(t.tx_bytes)}</td>
                  <td className="num">{formatBytes(t.rx_bytes)}</td>
                  <td className="num">{formatCount(t.flows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                <th>Port</th>
                <th>Proto</th>
                <th className="num">Packets</th>
                <th className="num">Bytes</th>
                <th className="num">Flows</th>
              </tr>
            </thead>
            <tbody>
              {q.data?.byPort.map((t) => (
                <tr key={`${t.proto}/${t.port}`} data-testid="talker-port-row">
                  <td className="num mono" style={{ textAlign: 'left' }}>{t.port}</td>
                  <td>{protoName(t.proto)}</td>
                  <td className="num">{formatCount(t.packets)}</td>
                  <td className="num" title={`${formatCount(t.bytes)} B`}>{formatBytes(t.bytes)}</td>
                  <td className="num">{formatCount(t.flows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
