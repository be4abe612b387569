/** The window: toolbar, sources sidebar, banners and jobs, then the selected view or the empty state. */
import { useEffect } from 'react';
import type { JSX } from 'react';
import { assertNever } from '../src-shared/assert-never.js';
import { ErrorBanners } from './components/error-banners.js';
import { Toolbar } from './components/toolbar.js';
import { registerFileInput, openFiles } from './hooks/open-capture.js';
import { useFileDrop } from './hooks/use-file-drop.js';
import { useLiveRefresh } from './hooks/use-live-refresh.js';
import { useShortcuts } from './hooks/use-shortcuts.js';
import { useJobs } from './stores/jobs-store.js';
import { useSelection } from './stores/selection-store.js';
import { useSources } from './stores/sources-store.js';
import { CaptureView } from './views/capture/capture-view.js';
import { ClassificationView } from './views/classification/classification-view.js';
import { EmptyState } from './views/empty-state.js';
import { ExploreView } from './views/explore/explore-view.js';
import { FlowsView } from './views/flows/flows-view.js';
import { JobPanel } from './views/job-panel.js';
import { ModelsView } from './views/models/models-view.js';
import { OverviewView } from './views/overview/overview-view.js';
import { SimulateDialog } from './views/simulate-dialog.js';
import { SourcesSidebar } from './views/sources-sidebar.js';

/** The whole renderer. */
export function App(): JSX.Element {
  useShortcuts();
  useLiveRefresh();
  const dragging = useFileDrop();
  useEffect(() => {
    void useSources.getState().load();
    void useJobs.getState().load();
  }, []);
  return (
    <div className="app">
      <Toolbar />
      <div className="body">
        <SourcesSidebar />
        <main className="main">
          <ErrorBanners />
          <JobPanel />
          <CurrentView />
        </main>
      </div>
      <input
        ref={registerFileInput}
        data-testid="file-input"
        type="file"
        accept=".pcap,.pcapng,.cap,.pcap.gz,.csv,application/vnd.tcpdump.pcap,text/csv"
        multiple
        hidden
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length > 0) void openFiles(files);
        }}
      />
      {dragging && <div className="drop-overlay">Drop a capture to open it</div>}
      <SimulateDialog />
    </div>
  );
}

function CurrentView(): JSX.Element {
  const view = useSelection((s) => s.view);
  const loaded = useSources((s) => s.loaded);
  const count = useSources((s) => s.sources.length);
  // Capture and Models work without sources (a capture makes one; imported models need none).
  if (view !== 'capture' && view !== 'models' && loaded && count === 0) return <EmptyState />;
  switch (view) {
    case 'overview':
      return <OverviewView />;
    case 'flows':
      return <FlowsView />;
    case 'capture':
      return <CaptureView />;
    case 'models':
      return <ModelsView />;
    case 'classification':
      return <ClassificationView />;
    case 'explore':
      return <ExploreView />;
    default:
      return assertNever(view);
  }
}
