/** While the selected source is still being written (ingest or live capture), refresh its views every second. */
import { useEffect } from 'react';
import { useSelectedSource, useSources } from '../stores/sources-store.js';

/** Re-reads the sources (which bumps the data version) once a second while the selected source is ingesting. */
export function useLiveRefresh(): void {
  const source = useSelectedSource();
  const live = source?.status === 'ingesting';
  useEffect(() => {
    if (!live) return;
    const t = window.setInterval(() => void useSources.getState().load(), 1000);
    return () => window.clearInterval(t);
  }, [live]);
}
