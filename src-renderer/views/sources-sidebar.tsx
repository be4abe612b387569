/** The sources list: every file, capture and series with its status; click selects, ✕ removes. */
import type { JSX } from 'react';
import type { SourceInfo } from '../../src-shared/api.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatCount } from '../format/units.js';
import { openSample } from '../hooks/open-capture.js';
import { useSelection } from '../stores/selection-store.js';
import { useSources } from '../stores/sources-store.js';
import { useApp } from '../stores/app-store.js';

const KIND_LABEL: Readonly<Record<SourceInfo['kind'], string>> = { file: 'file', capture: 'live', series: 'series' };

/** The left sidebar. */
export function SourcesSidebar(): JSX.Element {
  const sources = useSources((s) => s.sources);
  const remove = useSources((s) => s.remove);
  const selected = useSelection((s) => s.sourceId);
  const select = useSelection((s) => s.selectSource);
  const hasSample = useApp((s) => s.info?.hasSample ?? true);
  return (
    <aside className="sidebar">
      <h2>Sources ({sources.length})</h2>
      <ul className="source-list" role="listbox" aria-label="Sources">
        {sources.map((s) => (
          <li
            key={s.id}
            className="source-item"
            role="option"
            aria-selected={s.id === selected}
            data-testid="source-item"
            data-source-id={s.id}
            data-status={s.status}
            title={s.path ?? s.displayName}
            onClick={() => select(s.id)}
          >
            <span className="name">
              {s.displayName}
            </span>
            <button
              className="link"
              data-testid="source-remove"
              aria-label={`Remove ${s.displayName}`}
              title="Remove from the workspace"
              onClick={(e) => {
                e.stopPropagation();
                if (window.confirm(`Remove ${s.displayName} from the workspace?`)) void remove(s.id);
              }}
            >
              ✕
            </button>
            <span className="meta">
              <StatusBadge status={s.status} />
              <span>{KIND_LABEL[s.kind]}</span>
              <span>{formatCount(s.packets)} pkts</span>
              <span>{formatBytes(s.size ?? s.bytes)}</span>
              {s.warnings.length > 0 && <span title={s.warnings[0]?.message}>⚠ {s.warnings.length}</span>}
            </span>
          </li>
        ))}
      </ul>
      {sources.length > 0 && hasSample && (
        <div className="sidebar-footer">
          <button data-testid="open-sample" onClick={() => void openSample()}>
            Open the sample capture
          </button>
        </div>
      )}
    </aside>
  );
}
