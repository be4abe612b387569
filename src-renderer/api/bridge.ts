/**
 * The Electron preload's bridge as the renderer sees it (`window.flowbench`): the contract's
 * channels only, plus the native open dialog and the path of a dropped file.
 */
import type { CallResult, EventName, Events, Method, Requests } from '../../src-shared/api.js';

/** What the preload exposes through contextBridge. */
export interface FlowbenchBridge {
  call<M extends Method>(method: M, req: Requests[M]['req']): Promise<CallResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Shows the native open dialog and starts the ingest; null when the user cancels. */
  openCaptureDialog(): Promise<{ jobId: string } | null>;
  /** The host path of a dropped File (Electron's webUtils.getPathForFile). */
  pathForFile?(file: File): string;
  /** Native menu actions the page carries out (e.g. `simulate.open`); returns the unsubscribe. */
  onMenu?(listener: (action: string) => void): () => void;
}

declare global {
  interface Window {
    /** Present only inside the Electron shell. */
    readonly flowbench?: FlowbenchBridge;
  }
}

/** The bridge when running inside Electron, else undefined. */
export function electronBridge(): FlowbenchBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.flowbench;
}
