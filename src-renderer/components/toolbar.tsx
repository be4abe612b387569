/** The top bar: views, open, theme, connection. */
import type { JSX } from 'react';
import { openCaptureDialog } from '../hooks/open-capture.js';
import { useApp } from '../stores/app-store.js';
import { useSelection } from '../stores/selection-store.js';
import type { ViewName } from '../stores/selection-store.js';
import { useTheme } from '../stores/theme-store.js';
import { useSimulateDialog } from '../views/simulate-dialog.js';

const VIEWS: readonly { view: ViewName; label: string; key: string }[] = [
  { view: 'overview', label: 'Overview', key: '1' },
  { view: 'flows', label: 'Flows', key: '2' },
  { view: 'capture', label: 'Capture', key: '3' },
  { view: 'models', label: 'Models', key: '4' },
  { view: 'classification', label: 'Classification', key: '5' },
  { view: 'explore', label: 'Explore', key: '6' },
];

/** The application toolbar. */
export function Toolbar(): JSX.Element {
  const view = useSelection((s) => s.view);
  const setView = useSelection((s) => s.setView);
  const theme = useTheme((s) => s.theme);
  const toggle = useTheme((s) => s.toggle);
  const connection = useApp((s) => s.connection);
  const info = useApp((s) => s.info);
  return (
    <header className="toolbar">
      <span className="brand">Flowbench</span>
      <nav className="tabs" role="tablist">
        {VIEWS.map((v) => (
          <button key={v.view} role="tab" aria-selected={view === v.view} data-testid={`view-${v.view}`} onClick={() => setView(v.view)}>
            {v.label}
            <kbd>{v.key}</kbd>
          </button>
        ))}
      </nav>
      <span className="spacer" />
      <span className={`conn ${connection}`} data-testid="connection" data-state={connection}>
        {connection === 'open' ? (info === null ? '' : `${info.host} · v${info.version}`) : connection === 'connecting' ? 'connecting…' : 'disconnected — retrying'}
      </span>
      <button className="primary" data-testid="open-capture" onClick={() => void openCaptureDialog()} title="Open a capture (Ctrl+O)">
        Open a capture…
      </button>
      <button data-testid="open-simulate" onClick={() => useSimulateDialog.getState().show()} title="Generate a scenario capture (DoS, scan, DNS tunnel…) and open it">
        Simulate…
      </button>
      <button data-testid="theme-toggle" onClick={toggle} title="Toggle theme (Ctrl+Shift+L)" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
        {theme === 'dark' ? '☀ Light' : '☾ Dark'}
      </button>
    </header>
  );
}
