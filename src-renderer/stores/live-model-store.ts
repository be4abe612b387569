/**
 * Live inference on a running capture: which model runs on which capture job, and the
 * `models.livePrediction` events it produced (the last MAX_KEPT seconds).
 */
import { create } from 'zustand';
import type { LivePrediction } from '../../src-shared/models-api.js';
import { api, call } from '../api/client.js';

/** Predictions kept for the chart (one a second: ten minutes). */
export const MAX_KEPT = 600;

interface LiveModelState {
  readonly modelId: number | null;
  readonly captureJobId: string | null;
  readonly predictions: readonly LivePrediction[];
  readonly error: string | null;
  readonly starting: boolean;
  start(modelId: number, captureJobId: string): Promise<void>;
  /** Stops following (the contract has no stop: the host ends live inference with the capture). */
  clear(): void;
  add(p: LivePrediction): void;
}

/** The live model of the capture view. */
export const useLiveModel = create<LiveModelState>()((set, get) => ({
  modelId: null,
  captureJobId: null,
  predictions: [],
  error: null,
  starting: false,
  start: async (modelId, captureJobId) => {
    set({ modelId, captureJobId, predictions: [], error: null, starting: true });
    const r = await call('models.live', { modelId, captureJobId });
    if (get().modelId !== modelId || get().captureJobId !== captureJobId) return;
    set(r.ok ? { starting: false } : { starting: false, error: r.error.message, modelId: null });
  },
  clear: () => set({ modelId: null, captureJobId: null, predictions: [], error: null }),
  add: (p) =>
    set((s) => {
      if (p.modelId !== s.modelId || p.captureJobId !== s.captureJobId) return s;
      const kept = s.predictions.filter((x) => x.t !== p.t);
      kept.push(p);
      kept.sort((a, b) => a.t - b.t);
      return { predictions: kept.length > MAX_KEPT ? kept.slice(kept.length - MAX_KEPT) : kept };
    }),
}));

api.on('models.livePrediction', (p) => useLiveModel.getState().add(p));
