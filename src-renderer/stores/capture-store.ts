/** Live capture: interfaces, the form, the running job and its status line (`capture.status`). */
import { create } from 'zustand';
import type { CaptureStatus, InterfaceInfo } from '../../src-shared/api.js';
import { api, call } from '../api/client.js';
import { useJobs } from './jobs-store.js';
import { useSelection } from './selection-store.js';

/** The capture form's fields as typed. */
export interface CaptureForm {
  readonly iface: string;
  readonly filter: string;
  readonly durationSeconds: string;
  readonly count: string;
  readonly promiscuous: boolean;
  /** Leave this app's own UI traffic (the server's port) out. */
  readonly ignoreOwnTraffic: boolean;
}

interface CaptureState {
  readonly interfaces: readonly InterfaceInfo[];
  readonly interfacesError: string | null;
  readonly form: CaptureForm;
  readonly jobId: string | null;
  readonly status: CaptureStatus | null;
  readonly error: string | null;
  readonly starting: boolean;
  loadInterfaces(): Promise<void>;
  setForm(patch: Partial<CaptureForm>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function positive(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The capture view's state. */
export const useCapture = create<CaptureState>()((set, get) => ({
  interfaces: [],
  interfacesError: null,
  form: { iface: '', filter: '', durationSeconds: '', count: '', promiscuous: true, ignoreOwnTraffic: true },
  jobId: null,
  status: null,
  error: null,
  starting: false,
  loadInterfaces: async () => {
    const r = await call('capture.interfaces', {});
    if (!r.ok) {
      set({ interfacesError: r.error.message });
      return;
    }
    const iface = get().form.iface || (r.value.find((i) => i.up && !i.loopback) ?? r.value[0])?.name || '';
    set((s) => ({ interfaces: r.value, interfacesError: null, form: { ...s.form, iface } }));
  },
  setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
  start: async () => {
    const f = get().form;
    if (f.iface === '') {
      set({ error: 'Choose an interface to capture on.' });
      return;
    }
    set({ starting: true, error: null, status: null });
    const durationSeconds = positive(f.durationSeconds);
    const count = positive(f.count);
    const r = await call('capture.start', {
      interface: f.iface,
      ...(f.filter.trim() === '' ? {} : { filter: f.filter.trim() }),
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
      ...(count === undefined ? {} : { count: Math.floor(count) }),
      promiscuous: f.promiscuous,
      ignoreOwnTraffic: f.ignoreOwnTraffic,
    });
    if (!r.ok) {
      set({ starting: false, error: r.error.message });
      return;
    }
    useJobs.getState().followJob(r.value.jobId);
    set({ starting: false, jobId: r.value.jobId });
    showJobFailure();
  },
  stop: async () => {
    const jobId = get().jobId;
    if (jobId === null) return;
    const r = await call('capture.stop', { jobId });
    if (!r.ok) set({ error: r.error.message });
  },
}));

api.on('capture.status', (status) => {
  const s = useCapture.getState();
  if (s.jobId !== null && s.jobId !== status.jobId && s.status?.running === true) return;
  useCapture.setState({ status, jobId: status.jobId });
  if (status.sourceId !== null && status.running && useSelection.getState().sourceId === null) {
    useSelection.getState().selectSource(status.sourceId);
  }
});

/**
 * A capture can fail after capture.start answered (libpcap rejects the filter when the device
 * opens, the device vanishes): the job's error is shown in the capture view too, by the form.
 */
function showJobFailure(): void {
  const c = useCapture.getState();
  const job = c.jobId === null ? undefined : useJobs.getState().jobs[c.jobId];
  if (job?.phase === 'failed' && job.error !== null && c.error !== job.error.message) useCapture.setState({ error: job.error.message });
}

useJobs.subscribe(showJobFailure);
