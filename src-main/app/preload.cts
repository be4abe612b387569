/**
 * The preload of the Flowbench window (sandboxed, so CommonJS: compiled to preload.cjs).
 * Exposes `window.flowbench` and nothing else: the page never sees ipcRenderer, an IPC event
 * object or a Node API. The preload only type-checks arguments; main decides which methods
 * and events exist (METHODS/EVENTS of src-shared/api.ts), since a sandboxed preload cannot
 * load that ES module and a copied list would drift.
 */
// A CommonJS file under verbatimModuleSyntax admits no ESM import of a value: `import = require` is
// TypeScript's typed CommonJS import.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- sandboxed preloads must be CommonJS
import electron = require('electron');
import type { InvokeChannels, MenuAction, PushChannels, SendChannels, WireResult } from './ipc-channels.js';

const { contextBridge, ipcRenderer, webUtils } = electron;

// Channel names, checked against ipc-channels.ts at compile time.
const CALL: keyof InvokeChannels = 'api:call';
const OPEN_DIALOG: keyof InvokeChannels = 'dialog:openCapture';
const DROP_GRANT: keyof SendChannels = 'drop:grant';
const EVENT: keyof PushChannels = 'api:event';
const MENU: keyof PushChannels = 'app:menu';

type Listener = (payload: unknown) => void;
const eventListeners = new Map<string, Set<Listener>>();
const menuListeners = new Set<(action: MenuAction) => void>();

/** Calls a listener so that one page bug does not stop the others. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error(e);
  }
}

ipcRenderer.on(EVENT, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of eventListeners.get(name) ?? []) safely(() => listener(payload));
});
ipcRenderer.on(MENU, (_event, action: unknown) => {
  if (typeof action !== 'string') return;
  for (const listener of menuListeners) safely(() => listener(action as MenuAction));
});

const api = {
  /** One contract call; resolves to the CallResult (errors as values). */
  call(method: string, req: unknown): Promise<WireResult<unknown>> {
    if (typeof method !== 'string') return Promise.reject(new TypeError('flowbench.call: method must be a string'));
    return ipcRenderer.invoke(CALL, method, req) as Promise<WireResult<unknown>>;
  },
  /** Subscribes to a contract event (main forwards only EVENTS); returns the unsubscribe. */
  on(event: string, listener: Listener): () => void {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('flowbench.on(event: string, listener: function)');
    const set = eventListeners.get(event) ?? new Set<Listener>();
    eventListeners.set(event, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
  /** File ▸ Open's dialog, shown by main, which also opens the file: { jobId } or null. */
  async openCaptureDialog(): Promise<{ readonly jobId: string } | null> {
    const result = (await ipcRenderer.invoke(OPEN_DIALOG)) as WireResult<{ readonly jobId: string } | null>;
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  },
  /**
   * The OS path of a dropped file ('' for a File not from the OS). Also tells main the path
   * came from a drop: `sources.open` from the page accepts only such paths.
   */
  pathForFile(file: File): string {
    const path = webUtils.getPathForFile(file);
    if (path !== '') ipcRenderer.send(DROP_GRANT, path);
    return path;
  },
  /** Menu actions the page carries out (Capture ▸ Start…/Stop); returns the unsubscribe. */
  onMenu(listener: (action: MenuAction) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('flowbench.onMenu(listener: function)');
    menuListeners.add(listener);
    return () => {
      menuListeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('flowbench', api);
