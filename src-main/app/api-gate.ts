/**
 * The allow-list between the renderer and the Workbench, free of electron so it is unit-tested:
 * which method names and event names cross IPC, and the extra rule for `sources.open`.
 */
import { EVENTS, METHODS, type EventName, type Method } from '../../src-shared/api.js';
import type { AppError } from '../../src-shared/result.js';
import { checkCapturePath, type DropGrants } from './capture-path.js';
import type { WireResult } from './ipc-channels.js';

/** What the shell needs of the Workbench (src-main/workbench), structurally. */
export interface WorkbenchPort {
  call(method: string, req: unknown): Promise<WireResult<unknown>>;
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void;
}

/** True for a method of the contract. */
export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && (METHODS as readonly string[]).includes(name);
}

/** True for an event of the contract (the only names forwarded to the window). */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENTS as readonly string[]).includes(name);
}

const fail = (error: AppError): WireResult<never> => ({ ok: false, error });

/**
 * Routes one renderer call: unknown methods are refused; `sources.open` is honoured only for a
 * path the preload got from a dropped file (DropGrants) that exists and is a regular file.
 * Everything else goes to the Workbench as is: it validates arguments. A throw becomes an
 * `internal` error value; no stack crosses.
 */
export async function routeApiCall(
  workbench: WorkbenchPort,
  drops: DropGrants,
  method: unknown,
  req: unknown,
  onOpened: (path: string) => void = () => undefined,
): Promise<WireResult<unknown>> {
  if (!isMethod(method)) {
    return fail({ code: 'invalid_argument', message: `unknown method: ${typeof method === 'string' ? method : typeof method}` });
  }
  try {
    if (method !== 'sources.open') return await workbench.call(method, req);
    const path = typeof req === 'object' && req !== null ? (req as Record<string, unknown>)['path'] : undefined;
    if (typeof path !== 'string' || !drops.has(path)) {
      return fail({
        code: 'permission_denied',
        message: 'sources.open from the window accepts only a file dropped on it; use File ▸ Open Capture… for others',
      });
    }
    const checked = checkCapturePath(path);
    if (!checked.ok) return checked;
    const result = await workbench.call(method, req);
    if (result.ok) onOpened(path);
    return result;
  } catch (e) {
    return fail({ code: 'internal', message: `${method}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}` });
  }
}
