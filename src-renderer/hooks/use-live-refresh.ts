/**
 * Live updates of a source being written (ingest or live capture), touching only what changed:
 * - useLiveRefresh re-reads the sources list once a second while the selected source is ingesting;
 * - useSourceDataKey is a key of one source's data (status, packets, bytes, last timestamp, and
 *   while it is live the sources' data version, since a capture's row may only grow at the end):
 *   a re-read that did not change a finished source leaves the key, and every query keyed by it, alone;
 * - useThrottledDataKey is that key at most once per `everyMs` while the source is live (heavy
 *   panels: latency, brush, talkers, conversations), at once when it is not (finished, switched).
 */
import { useEffect, useRef, useState } from 'react';
import { useSelectedSource, useSources } from '../stores/sources-store.js';

/** Re-reads the sources once a second while the selected source is ingesting. */
export function useLiveRefresh(): void {
  const source = useSelectedSource();
  const live = source?.status === 'ingesting';
  useEffect(() => {
    if (!live) return;
    const t = window.setInterval(() => void useSources.getState().load(), 1000);
    return () => window.clearInterval(t);
  }, [live]);
}

/** Key of a source's data; '' when the source is unknown. A string, so an unchanged source re-renders nothing. */
export function useSourceDataKey(sourceId: number | null): string {
  return useSources((s) => {
    const x = sourceId === null ? undefined : s.sources.find((v) => v.id === sourceId);
    if (x === undefined) return '';
    return `${x.id}|${x.status}|${x.packets}|${x.bytes}|${x.lastTimestamp ?? ''}|${x.status === 'ingesting' ? s.version : ''}`;
  });
}

/** True when a data key belongs to a source still being written. */
function isLive(key: string): boolean {
  return key.split('|')[1] === 'ingesting';
}

/** The source's data key, changing at most once per `everyMs` while the source is live. */
export function useThrottledDataKey(sourceId: number | null, everyMs: number): string {
  const key = useSourceDataKey(sourceId);
  const [shown, setShown] = useState(key);
  const last = useRef(0);
  const live = isLive(key);
  // Another source, or one that stopped being live: follow at once.
  const immediate = everyMs <= 0 || !live || key.split('|')[0] !== shown.split('|')[0];
  useEffect(() => {
    if (key === shown || immediate) return;
    const t = window.setTimeout(() => {
      last.current = Date.now();
      setShown(key);
    }, Math.max(0, last.current + everyMs - Date.now()));
    return () => window.clearTimeout(t);
  }, [key, shown, immediate, everyMs]);
  if (immediate && key !== shown) {
    // Adopt the new key in this render (React re-renders at once with it; no stale frame queried).
    last.current = Date.now();
    setShown(key);
    return key;
  }
  return shown;
}
