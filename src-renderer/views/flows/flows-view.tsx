/** The flows view: debounced filters, a virtualized sortable table, the flow detail beside it. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { JSX } from 'react';
import { FLOW_SORT_COLUMNS } from '../../../src-shared/api.js';
import type { FlowFilter, FlowRow, FlowSortColumn } from '../../../src-shared/api.js';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import type { FlowLabel } from '../../../src-shared/classify-api.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount, formatEpoch } from '../../format/units.js';
import { useClassification } from '../../stores/classification-store.js';
import { rangeFields, useSelection } from '../../stores/selection-store.js';
import { useSources } from '../../stores/sources-store.js';
import { FlowDetailPanel } from './flow-detail.js';
import { FLOW_COLUMNS } from './flow-columns.js';
import { useFlowPages } from './flow-page-cache.js';
import type { FlowQuery } from './flow-page-cache.js';
import { VirtualTable } from './virtual-table.js';

const ROW_HEIGHT = 26;
const PROTOS = { any: undefined, tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const;
type ProtoChoice = keyof typeof PROTOS;

interface FilterText {
  readonly addr: string;
  readonly port: string;
  readonly proto: ProtoChoice;
  readonly name: string;
  readonly label: FlowLabel | '';
}

function toFilter(f: FilterText): FlowFilter {
  const port = Number(f.port);
  const proto = PROTOS[f.proto];
  return {
    ...(f.addr.trim() === '' ? {} : { addr: f.addr.trim() }),
    ...(f.port.trim() !== '' && Number.isInteger(port) && port >= 0 && port <= 65535 ? { port } : {}),
    ...(proto === undefined ? {} : { proto }),
    ...(f.name.trim() === '' ? {} : { name: f.name.trim() }),
    ...(f.label === '' ? {} : { label: f.label }),
  };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

function isSortColumn(k: string): k is FlowSortColumn {
  return (FLOW_SORT_COLUMNS as readonly string[]).includes(k);
}

/** The flows view. */
export function FlowsView(): JSX.Element {
  const sourceId = useSelection((s) => s.sourceId);
  const range = useSelection((s) => s.range);
  const resetRange = useSelection((s) => s.resetRange);
  const flowId = useSelection((s) => s.flowId);
  const openFlow = useSelection((s) => s.openFlow);
  const version = useSources((s) => s.version);
  // Rule edits, user labels, imports and applied models relabel rows: re-read what is in view.
  const labelsVersion = useClassification((s) => s.labelsVersion);
  const [text, setText] = useState<FilterText>({ addr: '', port: '', proto: 'any', name: '', label: '' });
  const [sort, setSort] = useState<{ column: FlowSortColumn; desc: boolean }>({ column: 'first_ts', desc: false });
  const debounced = useDebounced(text, 250);
  const portInvalid = text.port.trim() !== '' && !/^\d{1,5}$/.test(text.port.trim());

  const query = useMemo<FlowQuery | null>(
    () => (sourceId === null ? null : { sourceId, filter: { ...toFilter(debounced), ...rangeFields(range) }, sort }),
    [sourceId, debounced, range, sort],
  );
  const pages = useFlowPages(query, version + labelsVersion);
  const onSort = useCallback(
    (key: string) => {
      if (!isSortColumn(key)) return;
      setSort((s) => (s.column === key ? { column: key, desc: !s.desc } : { column: key, desc: key !== 'first_ts' && key !== 'client_addr' && key !== 'server_addr' }));
    },
    [],
  );
  const onSelect = useCallback((r: FlowRow) => openFlow(r.id), [openFlow]);
  const rowKey = useCallback((r: FlowRow) => r.id, []);

  if (sourceId === null) {
    return (
      <div className="content">
        <p className="muted">Select a source on the left.</p>
      </div>
    );
  }
  return (
    <div className="content flows" data-testid="flows-view">
      <div className="filters">
        <input
          data-testid="flow-filter-addr"
          placeholder="Address contains…"
          value={text.addr}
          onChange={(e) => setText({ ...text, addr: e.target.value })}
          aria-label="Filter by address"
        />
        <input
          data-testid="flow-filter-port"
          placeholder="Port"
          inputMode="numeric"
          value={text.port}
          style={{ width: 80, borderColor: portInvalid ? 'var(--danger)' : undefined }}
          onChange={(e) => setText({ ...text, port: e.target.value })}
          aria-label="Filter by port"
          aria-invalid={portInvalid}
        />
        <select
          data-testid="flow-filter-proto"
          value={text.proto}
          onChange={(e) => setText({ ...text, proto: e.target.value as ProtoChoice })}
          aria-label="Filter by protocol"
        >
          <option value="any">any protocol</option>
          <option value="tcp">TCP</option>
          <option value="udp">UDP</option>
          <option value="icmp">ICMP</option>
          <option value="icmpv6">ICMPv6</option>
        </select>
        <input
          data-testid="flow-filter-name"
          placeholder="SNI / DNS name contains…"
          value={text.name}
          onChange={(e) => setText({ ...text, name: e.target.value })}
          aria-label="Filter by SNI or DNS name"
        />
        <select
          data-testid="flow-filter-label"
          value={text.label}
          onChange={(e) => setText({ ...text, label: e.target.value as FlowLabel | '' })}
          aria-label="Filter by label"
        >
          <option value="">any label</option>
          {[...TRAFFIC_CLASSES, 'unknown' as const].map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {range !== null && (
          <span className="muted">
            {formatEpoch(range[0])} – {formatEpoch(range[1])}{' '}
            <button className="link" data-testid="flows-reset-zoom" onClick={resetRange}>
              whole source
            </button>
          </span>
        )}
        <span className="spacer" />
        <span data-testid="flows-total" data-value={pages.total ?? ''}>
          {pages.total === null ? 'loading…' : `${formatCount(pages.total)} flows`}
        </span>
      </div>
      {pages.error !== null && <ErrorMessage message={pages.error} />}
      <div className={flowId === null ? 'flows-layout' : 'flows-layout with-detail'}>
        <VirtualTable
          columns={FLOW_COLUMNS}
          total={pages.total ?? 0}
          rowHeight={ROW_HEIGHT}
          rowAt={pages.rowAt}
          rowKey={rowKey}
          onVisible={pages.ensure}
          sort={{ key: sort.column, desc: sort.desc }}
          onSort={onSort}
          selectedKey={flowId}
          onSelect={onSelect}
          testId="flows-table"
          rowTestId="flow-row"
        />
        {flowId !== null && <FlowDetailPanel flowId={flowId} onClose={() => openFlow(null)} />}
      </div>
    </div>
  );
}
