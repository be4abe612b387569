/**
 * Classification: the label rules (re-read on `labels.changed`), the labels version the flows
 * table refreshes on, the last CSV import, and the classify training run the view follows
 * (`training.epoch` + the train job's phase from the jobs store).
 */
import { create } from 'zustand';
import type { LabelImportResult, LabelRule, LabelRuleInput } from '../../src-shared/classify-api.js';
import type { SourceClassifyResult } from '../../src-shared/classify-api.js';
import type { TrainingEpoch } from '../../src-shared/models-api.js';
import { api, call } from '../api/client.js';
import { reportError } from './notices-store.js';

/** The classify training run the view shows. */
export interface ClassifyRun {
  readonly jobId: string;
  readonly modelId: number;
  readonly last: TrainingEpoch | null;
}

interface ClassificationState {
  readonly rules: readonly LabelRule[];
  readonly loaded: boolean;
  /** The last rule save's fault, by field ("pattern: …"), shown at the editor. */
  readonly ruleError: string | null;
  /** Bumped when labels may have changed (rules, user labels, imports, a model applied). */
  readonly labelsVersion: number;
  readonly imported: (LabelImportResult & { readonly name: string }) | null;
  readonly importError: string | null;
  readonly importing: boolean;
  readonly run: ClassifyRun | null;
  readonly starting: boolean;
  readonly applied: SourceClassifyResult | null;
  readonly applying: boolean;
  load(): Promise<void>;
  save(rule: LabelRuleInput): Promise<boolean>;
  remove(ruleId: number): Promise<void>;
  reset(): Promise<void>;
  importFile(path: string, name: string, sourceId: number | undefined): Promise<void>;
  setImportError(message: string | null): void;
  train(sourceIds: readonly number[], epochs?: number): Promise<void>;
  onEpoch(e: TrainingEpoch): void;
  apply(modelId: number, sourceId: number): Promise<void>;
  bump(): void;
}

let loadSeq = 0;

/** The Classification view's state. */
export const useClassification = create<ClassificationState>()((set, get) => ({
  rules: [],
  loaded: false,
  ruleError: null,
  labelsVersion: 0,
  imported: null,
  importError: null,
  importing: false,
  run: null,
  starting: false,
  applied: null,
  applying: false,
  load: async () => {
    const mine = ++loadSeq;
    const r = await call('labels.rules.list', {});
    if (mine !== loadSeq) return;
    if (!r.ok) {
      reportError(r.error.message);
      return;
    }
    set({ rules: r.value, loaded: true });
  },
  save: async (rule) => {
    const r = await call('labels.rules.save', rule);
    if (!r.ok) {
      set({ ruleError: r.error.message.replace(/^labels\.rules\.save: /, '') });
      return false;
    }
    set({ ruleError: null });
    await get().load();
    return true;
  },
  remove: async (ruleId) => {
    const r = await call('labels.rules.remove', { ruleId });
    if (!r.ok) reportError(r.error.message);
    await get().load();
  },
  reset: async () => {
    const r = await call('labels.rules.reset', {});
    if (!r.ok) reportError(r.error.message);
    else set({ rules: r.value, ruleError: null });
  },
  importFile: async (path, name, sourceId) => {
    set({ importing: true, importError: null });
    const r = await call('labels.import', { path, ...(sourceId === undefined ? {} : { sourceId }) });
    set(r.ok ? { importing: false, imported: { ...r.value, name } } : { importing: false, importError: r.error.message, imported: null });
  },
  setImportError: (importError) => set({ importError, importing: false }),
  train: async (sourceIds, epochs) => {
    set({ starting: true });
    const r = await call('models.train', { task: 'classify', sourceIds, ...(epochs === undefined ? {} : { epochs }) });
    if (!r.ok) {
      set({ starting: false });
      reportError(r.error.message);
      return;
    }
    const { jobId, modelId } = r.value;
    // An epoch may have arrived before the answer: keep it.
    set((s) => ({ starting: false, applied: null, run: { jobId, modelId, last: s.run?.jobId === jobId ? s.run.last : null } }));
  },
  onEpoch: (e) =>
    set((s) => {
      if (s.run !== null && s.run.jobId !== e.jobId) return s;
      // The furthest epoch reported is the progress (reports may arrive out of order).
      const last = s.run?.last !== null && s.run?.last !== undefined && s.run.last.epoch > e.epoch ? s.run.last : e;
      return { run: { jobId: e.jobId, modelId: e.modelId, last } };
    }),
  apply: async (modelId, sourceId) => {
    set({ applying: true });
    const r = await call('flows.classify', { modelId, sourceId });
    set({ applying: false, applied: r.ok ? r.value : null });
    if (!r.ok) reportError(r.error.message);
    else get().bump();
  },
  bump: () => set((s) => ({ labelsVersion: s.labelsVersion + 1 })),
}));

api.on('labels.changed', () => {
  useClassification.getState().bump();
  void useClassification.getState().load();
});
api.on('training.epoch', (e) => {
  const run = useClassification.getState().run;
  if (run === null || run.jobId === e.jobId) useClassification.getState().onEpoch(e);
});
