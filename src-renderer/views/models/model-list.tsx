/**
 * The workspace's models: name (click selects; Rename edits in place), status, target,
 * skill, backend; Delete asks first; Export writes the model folder into a directory on the
 * host and shows where it went.
 */
import { useState } from 'react';
import type { JSX } from 'react';
import type { ModelInfo } from '../../../src-shared/models-api.js';
import { isElectron } from '../../api/client.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatEpoch } from '../../format/units.js';
import { useApp } from '../../stores/app-store.js';
import { useModels } from '../../stores/models-store.js';
import { useSources } from '../../stores/sources-store.js';
import { metricLabel } from './metric-format.js';

/** The folder holding the workspace file, as a default export place (it exists). */
function defaultExportDir(workspacePath: string | undefined): string {
  if (workspacePath === undefined || workspacePath === '') return '';
  const cut = Math.max(workspacePath.lastIndexOf('/'), workspacePath.lastIndexOf('\\'));
  return cut > 0 ? workspacePath.slice(0, cut) : '.';
}

/** The models table. */
export function ModelList(): JSX.Element {
  const models = useModels((s) => s.models);
  const loaded = useModels((s) => s.loaded);
  const error = useModels((s) => s.error);
  const exported = useModels((s) => s.exported);
  return (
    <section className="panel">
      <h3>
        Models <span className="muted">({models.length})</span>
      </h3>
      {error !== null && <ErrorMessage message={error} />}
      {loaded && models.length === 0 && error === null && <p className="muted">No models yet: select a source and press “Train forecast”.</p>}
      {models.length > 0 && (
        <div className="table-scroll">
          <table className="data models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Target</th>
                <th>Source</th>
                <th className="num">Skill</th>
                <th>Backend</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <ModelRow key={m.id} model={m} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {exported !== null && (
        <p className="muted" data-testid="model-exported" data-path={exported.path}>
          {isElectron ? 'Exported to ' : 'The server wrote the model folder to '}
          <span className="mono">{exported.path}</span>
        </p>
      )}
    </section>
  );
}

function ModelRow({ model }: { model: ModelInfo }): JSX.Element {
  const selected = useModels((s) => s.selectedId === model.id);
  const select = useModels((s) => s.select);
  const rename = useModels((s) => s.rename);
  const remove = useModels((s) => s.remove);
  const exportTo = useModels((s) => s.exportTo);
  const workspacePath = useApp((s) => s.info?.workspacePath);
  const sourceName = useSources((s) => s.sources.find((x) => x.id === model.sourceId)?.displayName);
  const [editing, setEditing] = useState<string | null>(null);
  const commit = async () => {
    const name = editing?.trim() ?? '';
    if (name === '' || name === model.name) {
      setEditing(null);
      return;
    }
    if (await rename(model.id, name)) setEditing(null);
  };
  const onExport = () => {
    const where = isElectron
      ? 'Existing folder to write the model folder into (or a path ending in .zip):'
      : 'Existing directory on the server to write the model folder into (or a path ending in .zip):';
    const dir = window.prompt(where, defaultExportDir(workspacePath));
    if (dir !== null && dir.trim() !== '') void exportTo(model.id, dir.trim());
  };
  const skill = model.evaluation?.model.skill;
  return (
    <tr data-testid="model-row" data-model-id={model.id} data-status={model.status} aria-selected={selected} onClick={() => select(model.id)}>
      <td>
        {editing === null ? (
          <span className="model-name">{model.name}</span>
        ) : (
          <input
            data-testid="model-name-input"
            aria-label="Model name"
            autoFocus
            value={editing}
            onClick={(e) => e.stopPropagation()}
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void commit();
              else if (e.key === 'Escape') {
                e.stopPropagation();
                setEditing(null);
              }
            }}
            onBlur={() => void commit()}
          />
        )}
      </td>
      <td>
        <span className={`badge model-${model.status}`} title={model.error ?? undefined}>
          {model.status}
        </span>
      </td>
      <td>{metricLabel(model.target)}</td>
      <td title={model.sourceId === null ? 'imported; its source is not in this workspace' : undefined}>
        {sourceName ?? (model.sourceId === null ? '—' : `#${model.sourceId}`)}
      </td>
      <td className="num">{typeof skill === 'number' && Number.isFinite(skill) ? skill.toFixed(3) : '–'}</td>
      <td>{model.backend ?? '–'}</td>
      <td className="muted">{formatEpoch(model.createdAt / (model.createdAt > 1e12 ? 1000 : 1)).slice(0, 19)}</td>
      <td className="actions" onClick={(e) => e.stopPropagation()}>
        <button className="link" data-testid="model-rename" onClick={() => setEditing(model.name)}>
          Rename
        </button>
        <button className="link" data-testid="model-export" disabled={model.status !== 'ready'} onClick={onExport}>
          Export
        </button>
        <button
          className="link danger"
          data-testid="model-delete"
          onClick={() => {
            if (window.confirm(`Delete the model “${model.name}”? Its files and stored predictions go too.`)) void remove(model.id);
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
