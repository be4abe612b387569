/** The flows table's columns. */
import type { JSX } from 'react';
import type { FlowRow } from '../../../src-shared/api.js';
import { formatBytes, formatCount, formatDuration, formatEpoch, formatSecondsAsMs, protoName } from '../../format/units.js';
import type { Column } from './virtual-table.js';

/** A flow's label as a chip: the class, where it came from (rule/user/model), a model's confidence. */
export function LabelChip({ row }: { row: FlowRow }): JSX.Element | null {
  if (row.label === undefined) return null;
  const conf = row.confidence ?? null;
  return (
    <span
      className={`label-chip src-${row.label_source ?? 'rule'}${row.label === 'unknown' ? ' unknown' : ''}`}
      data-testid="flow-label"
      data-label={row.label}
      data-source={row.label_source ?? ''}
      data-confidence={conf ?? ''}
    >
      {row.label}
      <span className="muted"> · {row.label_source}{conf === null ? '' : ` ${(100 * conf).toFixed(0)} %`}</span>
    </span>
  );
}

/** The label column's tooltip. */
function labelTitle(r: FlowRow): string {
  const from = r.label_source === 'user' ? 'set by you' : r.label_source === 'model' ? 'predicted by a classifier' : 'from the label rules';
  return `${r.label ?? ''}, ${from}${r.confidence === null || r.confidence === undefined ? '' : ` (confidence ${r.confidence.toFixed(3)})`}`;
}

/** Columns in display order; sortKey is a FLOW_SORT_COLUMNS member. */
export const FLOW_COLUMNS: readonly Column<FlowRow>[] = [
  { id: 'first', header: 'First packet (UTC)', width: '190px', sortKey: 'first_ts', cell: (r) => formatEpoch(r.first_ts).replace(' UTC', '') },
  { id: 'proto', header: 'Proto', width: '62px', sortKey: 'proto', cell: (r) => protoName(r.proto) },
  { id: 'client', header: 'Client', width: 'minmax(120px, 1.2fr)', sortKey: 'client_addr', cell: (r) => r.client_addr, title: (r) => r.client_addr },
  { id: 'cport', header: 'C port', width: '64px', align: 'right', cell: (r) => r.client_port },
  { id: 'server', header: 'Server', width: 'minmax(120px, 1.2fr)', sortKey: 'server_addr', cell: (r) => r.server_addr, title: (r) => r.server_addr },
  { id: 'sport', header: 'S port', width: '64px', align: 'right', sortKey: 'server_port', cell: (r) => r.server_port },
  { id: 'label', header: 'Label · source', width: '150px', cell: (r) => <LabelChip row={r} />, title: labelTitle },
  { id: 'packets', header: 'Packets', width: '80px', align: 'right', sortKey: 'packets', cell: (r) => formatCount(r.packets) },
  { id: 'bytes', header: 'Bytes', width: '84px', align: 'right', sortKey: 'bytes', cell: (r) => formatBytes(r.bytes), title: (r) => `${formatCount(r.bytes)} B` },
  { id: 'duration', header: 'Duration', width: '96px', align: 'right', sortKey: 'duration', cell: (r) => formatDuration(r.duration) },
  { id: 'rtt', header: 'Handshake RTT', width: '108px', align: 'right', sortKey: 'handshake_rtt', cell: (r) => formatSecondsAsMs(r.handshake_rtt) },
  { id: 'name', header: 'SNI / DNS name', width: 'minmax(140px, 1.5fr)', cell: (r) => r.sni ?? r.dns_query ?? '', title: (r) => r.sni ?? r.dns_query ?? '' },
  { id: 'end', header: 'End', width: '96px', cell: (r) => r.end_reason },
];
