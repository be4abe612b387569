/** The workspace's sources, re-read on `sources.changed`; `version` bumps whenever data may have grown. */
import { create } from 'zustand';
import type { SourceInfo } from '../../src-shared/api.js';
import { api, call } from '../api/client.js';
import { reportError } from './notices-store.js';
import { useSelection } from './selection-store.js';

interface SourcesState {
  readonly sources: readonly SourceInfo[];
  readonly loaded: boolean;
  /** Bumped when the sources or their data change: queries depend on it to refresh. */
  readonly version: number;
  load(): Promise<void>;
  remove(sourceId: number): Promise<void>;
  bump(): void;
}

let loadSeq = 0;

/** Every source of the workspace. */
export const useSources = create<SourcesState>()((set, get) => ({
  sources: [],
  loaded: false,
  version: 0,
  load: async () => {
    const mine = ++loadSeq;
    const r = await call('sources.list', {});
    if (mine !== loadSeq) return; // a newer read is on its way
    if (!r.ok) {
      reportError(r.error.message);
      return;
    }
    set((s) => ({ sources: sharePrevious(s.sources, r.value), loaded: true, version: s.version + 1 }));
    const sel = useSelection.getState();
    if (sel.sourceId !== null && !r.value.some((x) => x.id === sel.sourceId)) sel.selectSource(null);
    if (useSelection.getState().sourceId === null) {
      const first = r.value.find((x) => x.status !== 'failed') ?? r.value[0];
      if (first !== undefined) sel.selectSource(first.id);
    }
  },
  remove: async (sourceId) => {
    const r = await call('sources.remove', { sourceId });
    if (!r.ok) reportError(r.error.message);
    await get().load();
  },
  bump: () => set((s) => ({ version: s.version + 1 })),
}));

/**
 * The new list, keeping each unchanged source's previous object (and the previous array when
 * nothing changed), so components selecting a source re-render only when it changed.
 */
function sharePrevious(prev: readonly SourceInfo[], next: readonly SourceInfo[]): readonly SourceInfo[] {
  const old = new Map(prev.map((x) => [x.id, x]));
  const merged = next.map((x) => {
    const o = old.get(x.id);
    return o !== undefined && JSON.stringify(o) === JSON.stringify(x) ? o : x;
  });
  return merged.length === prev.length && merged.every((x, i) => x === prev[i]) ? prev : merged;
}

/** The selected source's info, or null. */
export function useSelectedSource(): SourceInfo | null {
  const id = useSelection((s) => s.sourceId);
  return useSources((s) => s.sources.find((x) => x.id === id) ?? null);
}

api.on('sources.changed', () => {
  void useSources.getState().load();
});
