/**
 * "Import labels…": a labelled-flow CSV (flow_id, or src,dst,sport,dport,proto; and label)
 * applied as user labels to the selected source (or every source). Electron passes the file's
 * path; a browser uploads it first (POST /api/upload?purpose=labels). Faults name the line and
 * column; the result says how many rows matched flows.
 */
import { useRef, useState } from 'react';
import type { JSX } from 'react';
import { electronBridge } from '../../api/bridge.js';
import { isElectron } from '../../api/client.js';
import { uploadLabelFile } from '../../api/upload-labels.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatCount } from '../../format/units.js';
import { useClassification } from '../../stores/classification-store.js';
import { useSelection } from '../../stores/selection-store.js';

async function pathOf(file: File): Promise<{ path: string } | { error: string }> {
  const bridge = electronBridge();
  if (isElectron && bridge !== undefined) {
    const path = bridge.pathForFile?.(file) ?? '';
    return path === '' ? { error: `${file.name} cannot be read: its path on disk is not available.` } : { path };
  }
  const r = await uploadLabelFile(file);
  return r.ok ? r.value : { error: r.error.message };
}

/** The import control and its last result. */
export function LabelImport(): JSX.Element {
  const sourceId = useSelection((s) => s.sourceId);
  const imported = useClassification((s) => s.imported);
  const importError = useClassification((s) => s.importError);
  const importing = useClassification((s) => s.importing);
  const [allSources, setAllSources] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const onFile = async (file: File): Promise<void> => {
    const store = useClassification.getState();
    store.setImportError(null);
    useClassification.setState({ importing: true });
    const where = await pathOf(file);
    if ('error' in where) {
      store.setImportError(where.error);
      return;
    }
    await store.importFile(where.path, file.name, allSources || sourceId === null ? undefined : sourceId);
  };
  return (
    <section className="panel" data-testid="label-import">
      <h3>
        Import labels
        <span className="muted" style={{ fontWeight: 'normal' }}>CSV with a header: flow_id or src,dst,sport,dport,proto, and label (a traffic class); either direction matches</span>
      </h3>
      <div className="form-row">
        <button data-testid="label-import-open" disabled={importing} onClick={() => input.current?.click()}>
          {importing ? 'Importing…' : 'Import a label CSV…'}
        </button>
        <input
          ref={input}
          data-testid="label-import-file"
          type="file"
          accept=".csv,text/csv"
          hidden
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file !== undefined) void onFile(file);
          }}
        />
        <label>
          <input type="checkbox" data-testid="label-import-all" checked={allSources || sourceId === null} disabled={sourceId === null} onChange={(e) => setAllSources(e.target.checked)} /> match flows of every
          source (else the selected one)
        </label>
      </div>
      {importError !== null && <ErrorMessage message={importError} />}
      {imported !== null && (
        <p
          data-testid="label-import-result"
          data-rows={imported.rows}
          data-matched={imported.matchedRows}
          data-unmatched={imported.unmatchedRows}
          data-flows={imported.flowsLabelled}
        >
          {imported.name}: {formatCount(imported.rows)} rows, {formatCount(imported.matchedRows)} matched ({formatCount(imported.flowsLabelled)} flows labelled),{' '}
          {formatCount(imported.unmatchedRows)} matched no flow
          {imported.unmatchedLines.length > 0 && <span className="muted"> (lines {imported.unmatchedLines.join(', ')}{imported.unmatchedRows > imported.unmatchedLines.length ? ', …' : ''})</span>}
        </p>
      )}
    </section>
  );
}
