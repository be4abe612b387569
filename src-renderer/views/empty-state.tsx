/** First start: nothing in the workspace yet. */
import type { JSX } from 'react';
import { openCaptureDialog, openSample } from '../hooks/open-capture.js';
import { useApp } from '../stores/app-store.js';

/** The empty state with the two ways in. */
export function EmptyState(): JSX.Element {
  const hasSample = useApp((s) => s.info?.hasSample ?? true);
  return (
    <div className="empty" data-testid="empty-state">
      <div className="card">
        <h1>Open a capture to start</h1>
        <p className="muted">
          Flowbench reads PCAP and PCAPNG files and shows what the traffic did: volume, latency, packet sizes, protocols,
          talkers, conversations and flows. Drop a file anywhere on this window, or:
        </p>
        <div className="actions">
          <button className="primary" data-testid="empty-open-capture" onClick={() => void openCaptureDialog()}>
            Open a capture…
          </button>
          {hasSample && (
            <button data-testid="open-sample" onClick={() => void openSample()}>
              Open the sample capture
            </button>
          )}
        </div>
        <p className="muted">Ctrl+O opens a file · 1 / 2 / 3 switch views · Ctrl+Shift+L switches theme</p>
      </div>
    </div>
  );
}
