/** What the user looks at: the view, the source, the time range shared by every chart and table, the open flow. */
import { create } from 'zustand';

/** The main views (keys 1/2/3/4/5/6). */
export type ViewName = 'overview' | 'flows' | 'capture' | 'models' | 'classification' | 'explore';

/** A time range, epoch seconds, from inclusive, to exclusive. */
export type TimeRange = readonly [from: number, to: number];

interface SelectionState {
  readonly view: ViewName;
  readonly sourceId: number | null;
  readonly range: TimeRange | null;
  readonly flowId: number | null;
  setView(view: ViewName): void;
  selectSource(sourceId: number | null): void;
  setRange(range: TimeRange | null): void;
  resetRange(): void;
  openFlow(flowId: number | null): void;
}

/** The selection shared by the sidebar, the charts and the tables. */
export const useSelection = create<SelectionState>()((set) => ({
  view: 'overview',
  sourceId: null,
  range: null,
  flowId: null,
  setView: (view) => set({ view }),
  selectSource: (sourceId) => set((s) => (s.sourceId === sourceId ? s : { sourceId, range: null, flowId: null })),
  setRange: (range) => set({ range: range !== null && range[0] < range[1] ? range : null }),
  resetRange: () => set({ range: null }),
  openFlow: (flowId) => set({ flowId }),
}));

/** The range as request fields (omitted when the whole source is shown). */
export function rangeFields(range: TimeRange | null): { from?: number; to?: number } {
  return range === null ? {} : { from: range[0], to: range[1] };
}
