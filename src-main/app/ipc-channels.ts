/**
 * The Electron IPC channels between main and the preload, and what crosses each. The API
 * itself is one channel (`api:call`) carrying src-shared's contract; main checks the method
 * against METHODS and the Workbench validates the argument. Type-only for the preload, which
 * (sandboxed, CommonJS) cannot load this ES module at run time and repeats the names,
 * checked against these types at compile time.
 */
import type { AppError } from '../../src-shared/result.js';

/** invoke channels: renderer → main, with an answer. */
export interface InvokeChannels {
  /** (method, req) → the call's result. */
  'api:call': { args: [method: unknown, req: unknown]; res: WireResult<unknown> };
  /** () → { jobId } of the opened file, or null when the dialog was cancelled. */
  'dialog:openCapture': { args: []; res: WireResult<{ readonly jobId: string } | null> };
}

/** send channels: renderer → main, fire and forget. */
export interface SendChannels {
  /** A path the preload read from a dropped File (see DropGrants). */
  'drop:grant': [path: unknown];
}

/** Channels main pushes to the window. */
export interface PushChannels {
  /** (event name, payload) for the names in EVENTS. */
  'api:event': [event: string, payload: unknown];
  /** A menu action the renderer carries out. */
  'app:menu': [action: MenuAction];
}

/** An answer crossing IPC: the value, or an error as a value (never a stack). */
export type WireResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

/** Menu commands the renderer handles (it owns the capture form and the running capture). */
export type MenuAction = 'capture.start' | 'capture.stop' | 'simulate.open';

/** Every menu action, for checks. */
export const MENU_ACTIONS: readonly MenuAction[] = ['capture.start', 'capture.stop', 'simulate.open'];
