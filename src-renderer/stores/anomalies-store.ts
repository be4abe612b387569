/**
 * Window anomalies per source: the last `anomalies.detect` answer of each source (the Overview's
 * Anomalies panel lists it, the time charts mark it) and the run in flight. A source's result is
 * dropped when its data changes (re-ingest) or the source goes away.
 */
import { create } from 'zustand';
import type { AnomalyDetectResult, AnomalySeverity } from '../../src-shared/anomaly-api.js';
import { api, call } from '../api/client.js';

/** Default share of windows flagged (the detector's default). */
export const DEFAULT_CONTAMINATION = 0.05;

interface AnomaliesState {
  /** Last result per source id. */
  readonly results: Readonly<Record<number, AnomalyDetectResult>>;
  /** Source ids with a detection running. */
  readonly running: readonly number[];
  /** Last error per source id. */
  readonly errors: Readonly<Record<number, string>>;
  detect(sourceId: number, contamination: number): Promise<void>;
  forget(sourceId: number): void;
}

/** Anomaly results the Overview shows. */
export const useAnomalies = create<AnomaliesState>()((set) => ({
  results: {},
  running: [],
  errors: {},
  detect: async (sourceId, contamination) => {
    set((s) => ({ running: [...s.running.filter((x) => x !== sourceId), sourceId], errors: without(s.errors, sourceId) }));
    // The whole source is the training set, so markers stay valid while the user zooms.
    const r = await call('anomalies.detect', { sourceId, contamination });
    set((s) => ({
      running: s.running.filter((x) => x !== sourceId),
      results: r.ok ? { ...s.results, [sourceId]: r.value } : s.results,
      errors: r.ok ? s.errors : { ...s.errors, [sourceId]: r.error.message },
    }));
  },
  forget: (sourceId) => set((s) => ({ results: without(s.results, sourceId), errors: without(s.errors, sourceId) })),
}));

function without<T>(rec: Readonly<Record<number, T>>, key: number): Record<number, T> {
  const out: Record<number, T> = { ...rec };
  delete out[key];
  return out;
}

/** The selected source's result, or null. */
export function useAnomalyResult(sourceId: number | null): AnomalyDetectResult | null {
  return useAnomalies((s) => (sourceId === null ? null : s.results[sourceId] ?? null));
}

/** Marker colours by severity (the same in both themes: they sit on the chart at low opacity). */
export const SEVERITY_COLORS: Readonly<Record<AnomalySeverity, string>> = { low: '#eab308', medium: '#f97316', high: '#dc2626' };

// A re-ingested or removed source's windows changed: its flags no longer describe them.
api.on('sources.changed', ({ sourceId }) => {
  if (sourceId !== null && useAnomalies.getState().results[sourceId] !== undefined && !useAnomalies.getState().running.includes(sourceId)) {
    useAnomalies.getState().forget(sourceId);
  }
});
