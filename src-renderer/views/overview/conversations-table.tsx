/** Wireshark's Conversations table (TCP, UDP, IPv4, IPv6), paged from conversations.page. */
import { useEffect, useState } from 'react';
import type { JSX } from 'react';
import type { ConversationProto } from '../../../src-shared/api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBitRate, formatBytes, formatCount } from '../../format/units.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import { HEAVY_REFRESH_MS, useSourceQueryInputs } from './source-query.js';

const TABS: readonly ConversationProto[] = ['tcp', 'udp', 'ipv4', 'ipv6'];
const PAGE = 100;

/** The conversations panel. */
export function ConversationsTable(): JSX.Element {
  const { sourceId, version } = useSourceQueryInputs(HEAVY_REFRESH_MS);
  const [proto, setProto] = useState<ConversationProto>('tcp');
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [sourceId, proto]);
  const q = useApiQuery('conversations.page', sourceId === null ? null : { sourceId, proto, limit: PAGE, offset }, version);
  const total = q.data?.total ?? 0;
  const ports = proto === 'tcp' || proto === 'udp';
  return (
    <section className="panel" data-testid="conversations">
      <h3>
        Conversations
        <span className="seg" role="tablist">
          {TABS.map((t) => (
            <button key={t} role="tab" aria-pressed={proto === t} data-testid={`conv-tab-${t}`} onClick={() => setProto(t)}>
              {t.toUpperCase()}
            </button>
          ))}
        </span>
        <span className="right muted" data-testid="conversations-total" data-value={total}>
          {formatCount(total)} conversations (whole source)
        </span>
      </h3>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={q.loading ? 'table-scroll loading' : 'table-scroll'}>
        <table className="data">
          <thead>
            <tr>
              <th>Address A</th>
              {ports && <th className="num">Port A</th>}
              <th>Address B</th>
              {ports && <th className="num">Port B</th>}
              <th className="num">Packets</th>
              <th className="num">Bytes</th>
              <th className="num">Packets A→B</th>
              <th className="num">Bytes A→B</th>
              <th className="num">Packets B→A</th>
              <th className="num">Bytes B→A</th>
              <th className="num">Rel Start</th>
              <th className="num">Duration</th>
              <th className="num">Bits/s A→B</th>
              <th className="num">Bits/s B→A</th>
            </tr>
          </thead>
          <tbody>
            {q.data?.rows.map((c) => (
              <tr key={c.id} data-testid="conversation-row">
                <td className="mono">{c.addr_a}</td>
                {ports && <td className="num">{c.port_a ?? ''}</td>}
                <td className="mono">{c.addr_b}</td>
                {ports && <td className="num">{c.port_b ?? ''}</td>}
                <td className="num">{formatCount(c.packets)}</td>
                <td className="num" title={`${formatCount(c.bytes)} B`}>{formatBytes(c.bytes)}</td>
                <td className="num">{formatCount(c.packets_ab)}</td>
                <td className="num">{formatBytes(c.bytes_ab)}</td>
                <td className="num">{formatCount(c.packets_ba)}</td>
                <td className="num">{formatBytes(c.bytes_ba)}</td>
                <td className="num">{c.rel_start === null ? '–' : c.rel_start.toFixed(6)}</td>
                <td className="num">{c.duration.toFixed(4)}</td>
                <td className="num">{c.bps_ab === null ? '–' : formatBitRate(c.bps_ab)}</td>
                <td className="num">{c.bps_ba === null ? '–' : formatBitRate(c.bps_ba)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {total > PAGE && (
        <div className="pager">
          <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            ‹ Prev
          </button>
          <span>
            {formatCount(offset + 1)}–{formatCount(Math.min(total, offset + PAGE))} of {formatCount(total)}
          </span>
          <button disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Next ›
          </button>
        </div>
      )}
    </section>
  );
}
