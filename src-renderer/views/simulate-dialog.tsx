/**
 * "Simulate a scenario…": a dialog that starts `simulate.start` — scenario, duration, rate, rate
 * shape, seed, file name — and follows the job (progress and Cancel in the job panel); the
 * capture is written beside the workspace (`simulated/`) and opens as a source when ready, with
 * its labelled events on the Overview. Opened from the toolbar or the File menu (Electron).
 */
import { useEffect, useRef, useState } from 'react';
import type { JSX } from 'react';
import { create } from 'zustand';
import { SIMULATE_SCENARIOS } from '../../src-shared/api.js';
import type { SIMULATE_SHAPES, SimulateRequest, SimulateScenario } from '../../src-shared/api.js';
import { call } from '../api/client.js';
import { electronBridge } from '../api/bridge.js';
import { useJobs } from '../stores/jobs-store.js';
import { useSelection } from '../stores/selection-store.js';

/** What each scenario injects (as `flowbench simulate --help` says). */
const SCENARIO_TEXT: Readonly<Record<SimulateScenario, string>> = {
  baseline: 'mixed web/TLS, DNS, bulk and interactive traffic, no events',
  dos: 'baseline plus a SYN flood and a UDP flood',
  scan: 'baseline plus a port scan',
  'dns-tunnel': 'baseline plus a burst of long DNS TXT queries',
  mixed: 'SYN flood, UDP flood, quiet period, spike, port scan and DNS tunnel',
};

interface DialogState {
  readonly open: boolean;
  show(): void;
  hide(): void;
}

/** Whether the simulate dialog is shown. */
export const useSimulateDialog = create<DialogState>()((set) => ({
  open: false,
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
}));

// File ▸ Simulate Scenario… in the desktop shell.
electronBridge()?.onMenu?.((action) => {
  if (action === 'simulate.open') useSimulateDialog.getState().show();
});

interface Form {
  scenario: SimulateScenario;
  duration: string;
  rate: string;
  shape: (typeof SIMULATE_SHAPES)[number];
  seed: string;
  name: string;
  /** True once the user typed a name (then it no longer follows the settings). */
  named: boolean;
}

const INITIAL: Form = { scenario: 'dos', duration: '600', rate: '1000', shape: 'diurnal', seed: '1', name: '', named: false };

function defaultName(f: Form): string {
  return `${f.scenario}-${f.duration || '0'}s-${f.rate || '0'}pps-seed${f.seed || '0'}`;
}

/** Parses the form into a request, or names the field that is wrong. */
function toRequest(f: Form): { req: SimulateRequest } | { field: keyof Form; message: string } {
  const whole = (v: string): number | null => (/^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : null);
  const duration = whole(f.duration);
  if (duration === null || duration < 1 || duration > 86400) return { field: 'duration', message: 'Duration: a whole number of seconds, 1 to 86400.' };
  const rate = whole(f.rate);
  if (rate === null || rate < 1 || rate > 1_000_000) return { field: 'rate', message: 'Rate: a whole number of packets per second, 1 to 1000000.' };
  const seed = whole(f.seed);
  if (seed === null || seed > 2 ** 32 - 1) return { field: 'seed', message: 'Seed: a whole number, 0 to 4294967295.' };
  const name = (f.named ? f.name : defaultName(f)).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(name)) return { field: 'name', message: "File name: letters, digits, '.', '-' and '_' only (up to 121)." };
  return { req: { scenario: f.scenario, durationSeconds: duration, rate, shape: f.shape, seed, name } };
}

/** The dialog, rendered when open. */
export function SimulateDialog(): JSX.Element | null {
  const open = useSimulateDialog((s) => s.open);
  return open ? <SimulateForm /> : null;
}

function SimulateForm(): JSX.Element {
  const hide = useSimulateDialog((s) => s.hide);
  const [f, setF] = useState<Form>(INITIAL);
  const [error, setError] = useState<{ field: keyof Form | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    first.current?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        hide();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [hide]);
  const set = (change: Partial<Form>): void => {
    setF((old) => ({ ...old, ...change }));
    setError(null);
  };
  const start = async (): Promise<void> => {
    const parsed = toRequest(f);
    if ('field' in parsed) {
      setError({ field: parsed.field, message: parsed.message });
      return;
    }
    setBusy(true);
    const r = await call('simulate.start', parsed.req);
    setBusy(false);
    if (!r.ok) {
      // "simulate.start: name: …" → shown at the name field.
      const m = /^simulate\.start: (\w+):/.exec(r.error.message);
      const field = m?.[1] === 'durationSeconds' ? 'duration' : (m?.[1] as keyof Form | undefined);
      setError({ field: field !== undefined && field in INITIAL ? field : null, message: r.error.message });
      return;
    }
    useJobs.getState().followJob(r.value.jobId);
    useSelection.getState().setView('overview');
    hide();
  };
  const invalid = (k: keyof Form): boolean => error?.field === k;
  return (
    <div
      style={{ position: 'fixed', inset: 0, background: 'rgba(0,0,0,0.35)', display: 'grid', placeItems: 'center', zIndex: 50 }}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) hide();
      }}
    >
      <div className="panel" role="dialog" aria-modal="true" aria-labelledby="sim-title" data-testid="simulate-dialog" style={{ width: 560, maxWidth: '95vw' }}>
        <h3 id="sim-title">Simulate a scenario</h3>
        <p className="muted" style={{ marginTop: 0 }}>
          Writes a seeded capture and its event labels beside the workspace (<span className="mono">simulated/</span>), then opens it.
        </p>
        <form
          className="capture-form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <label htmlFor="sim-scenario">Scenario</label>
          <span>
            <select id="sim-scenario" ref={first} data-testid="simulate-scenario" value={f.scenario} onChange={(e) => set({ scenario: e.target.value as SimulateScenario })}>
              {SIMULATE_SCENARIOS.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
            <span className="muted" style={{ marginLeft: 8, fontSize: 12 }}>{SCENARIO_TEXT[f.scenario]}</span>
          </span>
          <label htmlFor="sim-duration">Duration</label>
          <span>
            <input id="sim-duration" data-testid="simulate-duration" inputMode="numeric" style={{ width: 100 }} value={f.duration} aria-invalid={invalid('duration')} onChange={(e) => set({ duration: e.target.value })} />
            <span className="muted"> s of traffic</span>
          </span>
          <label htmlFor="sim-rate">Rate</label>
          <span>
            <input id="sim-rate" data-testid="simulate-rate" inputMode="numeric" style={{ width: 100 }} value={f.rate} aria-invalid={invalid('rate')} onChange={(e) => set({ rate: e.target.value })} />
            <span className="muted"> packets/s (mean baseline)</span>
          </span>
          <label htmlFor="sim-shape">Rate shape</label>
          <select id="sim-shape" data-testid="simulate-shape" value={f.shape} onChange={(e) => set({ shape: e.target.value as Form['shape'] })}>
            <option value="diurnal">diurnal (by time of day)</option>
            <option value="step">step (×0.8, then ×1.2 at mid-capture)</option>
            <option value="flat">flat</option>
          </select>
          <label htmlFor="sim-seed">Seed</label>
          <input id="sim-seed" data-testid="simulate-seed" inputMode="numeric" style={{ width: 100 }} value={f.seed} aria-invalid={invalid('seed')} onChange={(e) => set({ seed: e.target.value })} />
          <label htmlFor="sim-name">File name</label>
          <span>
            <input
              id="sim-name"
              data-testid="simulate-name"
              style={{ width: 300 }}
              value={f.named ? f.name : defaultName(f)}
              aria-invalid={invalid('name')}
              onChange={(e) => set({ name: e.target.value, named: true })}
            />
            <span className="muted">.pcapng</span>
          </span>
          {error !== null && (
            <>
              <span />
              <div className="banner" role="alert" data-testid="simulate-error">
                <span className="msg">{error.message}</span>
              </div>
            </>
          )}
          <span />
          <span style={{ display: 'flex', gap: 8, justifyContent: 'flex-end' }}>
            <button type="button" data-testid="simulate-close" onClick={hide}>Close</button>
            <button type="submit" className="primary" data-testid="simulate-start" disabled={busy}>Generate and open</button>
          </span>
        </form>
      </div>
    </div>
  );
}
