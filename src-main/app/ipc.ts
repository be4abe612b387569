import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { routeApiCall, isEventName, type WorkbenchPort } from './api-gate.js';
import type { DropGrants } from './capture-path.js';
import type { InvokeChannels, MenuAction, PushChannels, WireResult } from './ipc-channels.js';
import { isTrustedSender } from './url-policy.js';

/** URL of the frame that sent a message; null when the frame is gone. */
function senderUrl(event: IpcMainEvent | IpcMainInvokeEvent): string | null {
  try {
    return event.senderFrame?.url ?? null;
  } catch {
    return null;
  }
}

/**
 * The one way main answers the renderer: checks the sender is our app page, passes the raw
 * arguments on (the callee validates them) and turns a throw into an error value.
 */
function handle<C extends keyof InvokeChannels>(
  channel: C,
  fn: (...args: InvokeChannels[C]['args']) => Promise<InvokeChannels[C]['res']>,
): void {
  ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<WireResult<unknown>> => {
    if (!isTrustedSender(senderUrl(event))) {
      return { ok: false, error: { code: 'permission_denied', message: `${channel}: sender is not the Flowbench window` } };
    }
    try {
      return await fn(...(args as InvokeChannels[C]['args']));
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: `${channel}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}` } };
    }
  });
}

/** Sends a push message to the window, only while it shows our page. */
export function push<C extends keyof PushChannels>(win: BrowserWindow | null, channel: C, ...args: PushChannels[C]): void {
  if (win === null || win.isDestroyed() || !isTrustedSender(win.webContents.getURL())) return;
  win.webContents.send(channel, ...args);
}

/** Sends a menu action to the renderer. */
export function sendMenuAction(win: BrowserWindow | null, action: MenuAction): void {
  push(win, 'app:menu', action);
}

/** What the IPC layer needs from main. */
export interface IpcDeps {
  readonly workbench: WorkbenchPort;
  readonly drops: DropGrants;
  /** The window events go to (null while none is open). */
  window(): BrowserWindow | null;
  /** File ▸ Open's flow: dialog, `sources.open` in main, Open Recent; null when cancelled. */
  openCaptureDialog(): Promise<WireResult<{ readonly jobId: string } | null>>;
  /** A dropped file was opened: add it to Open Recent. */
  onOpened(path: string): void;
}

/**
 * Registers every channel: `api:call`, `dialog:openCapture`, `drop:grant`, and forwards the
 * Workbench's contract events as `api:event`. Returns the function that stops forwarding.
 */
export function registerIpc(deps: IpcDeps): () => void {
  handle('api:call', (method, req) => routeApiCall(deps.workbench, deps.drops, method, req, deps.onOpened));
  handle('dialog:openCapture', () => deps.openCaptureDialog());
  ipcMain.on('drop:grant', (event: IpcMainEvent, path: unknown) => {
    if (isTrustedSender(senderUrl(event)) && typeof path === 'string' && path !== '') deps.drops.grant(path);
  });
  return deps.workbench.onEvent((name, payload) => {
    if (isEventName(name)) push(deps.window(), 'api:event', name, payload);
  });
}
