/**
 * Models: the list (re-read on `models.changed`), the selected model, training runs as
 * `training.epoch` reports them, and the actions of the Models view (train, rename, remove,
 * export). Training jobs' phases come from the jobs store (`jobs.progress`, kind 'train').
 */
import { create } from 'zustand';
import type { ForecastTrainRequest, ModelInfo, TrainingEpoch } from '../../src-shared/models-api.js';
import { api, call } from '../api/client.js';
import { useJobs } from './jobs-store.js';
import { reportError } from './notices-store.js';

/** One training run the view follows: the epochs reported so far. */
export interface TrainingRun {
  readonly jobId: string;
  readonly modelId: number;
  readonly epochs: readonly TrainingEpoch[];
  readonly startedAt: number;
}

/** Where an export went (shown under the list until the next export). */
export interface ExportNote {
  readonly modelId: number;
  readonly path: string;
}

interface ModelsState {
  readonly models: readonly ModelInfo[];
  readonly loaded: boolean;
  readonly error: string | null;
  readonly selectedId: number | null;
  /** Bumped whenever a model may have changed: detail and forecast queries depend on it. */
  readonly version: number;
  /** Runs by job id; the newest is the one the loss chart shows. */
  readonly runs: Readonly<Record<string, TrainingRun>>;
  readonly lastRunJobId: string | null;
  readonly starting: boolean;
  readonly exported: ExportNote | null;
  load(): Promise<void>;
  select(modelId: number | null): void;
  train(req: ForecastTrainRequest): Promise<void>;
  onEpoch(e: TrainingEpoch): void;
  rename(modelId: number, name: string): Promise<boolean>;
  remove(modelId: number): Promise<void>;
  exportTo(modelId: number, directory: string): Promise<void>;
}

let loadSeq = 0;

/** The models of the workspace and the Models view's state. */
export const useModels = create<ModelsState>()((set, get) => ({
  models: [],
  loaded: false,
  error: null,
  selectedId: null,
  version: 0,
  runs: {},
  lastRunJobId: null,
  starting: false,
  exported: null,
  load: async () => {
    const mine = ++loadSeq;
    const r = await call('models.list', {});
    if (mine !== loadSeq) return;
    if (!r.ok) {
      set({ error: r.error.message, loaded: true });
      return;
    }
    const models = [...r.value].sort((a, b) => b.createdAt - a.createdAt);
    set((s) => {
      const keep = s.selectedId !== null && models.some((m) => m.id === s.selectedId);
      const selectedId = keep ? s.selectedId : (models.find((m) => m.status === 'ready') ?? models[0])?.id ?? null;
      return { models, loaded: true, error: null, selectedId, version: s.version + 1 };
    });
  },
  select: (selectedId) => set({ selectedId }),
  train: async (req) => {
    set({ starting: true });
    const r = await call('models.train', req);
    if (!r.ok) {
      set({ starting: false });
      reportError(r.error.message);
      return;
    }
    const { jobId, modelId } = r.value;
    set((s) => ({
      starting: false,
      selectedId: modelId,
      lastRunJobId: jobId,
      // An epoch may have arrived before the answer: keep it.
      runs: { ...s.runs, [jobId]: s.runs[jobId] ?? { jobId, modelId, epochs: [], startedAt: Date.now() } },
    }));
    void get().load();
  },
  onEpoch: (e) =>
    set((s) => {
      const prev = s.runs[e.jobId];
      const epochs = (prev?.epochs ?? []).filter((x) => x.epoch !== e.epoch);
      epochs.push(e);
      epochs.sort((a, b) => a.epoch - b.epoch);
      const run: TrainingRun = { jobId: e.jobId, modelId: e.modelId, epochs, startedAt: prev?.startedAt ?? Date.now() };
      return { runs: { ...s.runs, [e.jobId]: run }, lastRunJobId: prev === undefined ? e.jobId : (s.lastRunJobId ?? e.jobId) };
    }),
  rename: async (modelId, name) => {
    const r = await call('models.rename', { modelId, name });
    if (!r.ok) {
      reportError(r.error.message);
      return false;
    }
    set((s) => ({ models: s.models.map((m) => (m.id === modelId ? r.value : m)), version: s.version + 1 }));
    return true;
  },
  remove: async (modelId) => {
    const r = await call('models.remove', { modelId });
    if (!r.ok) reportError(r.error.message);
    await get().load();
  },
  exportTo: async (modelId, directory) => {
    const r = await call('models.export', { modelId, directory });
    if (!r.ok) {
      reportError(r.error.message);
      return;
    }
    set({ exported: { modelId, path: r.value.path } });
  },
}));

/** The run the loss chart shows (the newest one), with its job's phase when the jobs store has it. */
export function useCurrentRun(): { run: TrainingRun | null; phase: string | null } {
  const run = useModels((s) => (s.lastRunJobId === null ? null : (s.runs[s.lastRunJobId] ?? null)));
  const phase = useJobs((s) => (run === null ? null : (s.jobs[run.jobId]?.phase ?? null)));
  return { run, phase };
}

api.on('models.changed', () => void useModels.getState().load());
api.on('training.epoch', (e) => useModels.getState().onEpoch(e));
api.on('jobs.progress', (job) => {
  // A finished training job changes its model's status: the list says so.
  if (job.kind === 'train' && (job.phase === 'done' || job.phase === 'failed' || job.phase === 'cancelled')) void useModels.getState().load();
});
