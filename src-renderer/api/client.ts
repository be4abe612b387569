/**
 * The one API client of the renderer. Inside Electron it is the preload bridge; in a browser
 * (`flowbench serve`) a WebSocket to `/api/ws` on the page's host. Components never see which:
 * they go through the stores and hooks that call `api`.
 */
import type { ApiClient, CallResult, Method, Requests } from '../../src-shared/api.js';
import type { AppError } from '../../src-shared/result.js';
import { electronBridge } from './bridge.js';
import { WsClient } from './ws-client.js';
import type { ConnectionState } from './ws-client.js';

/** The `?token=` of the page URL (the server asks for it when bound beyond loopback). */
export function pageToken(): string | null {
  return new URLSearchParams(window.location.search).get('token');
}

/** The WebSocket URL of the API on the host that served the page. */
export function wsUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = pageToken();
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${scheme}//${window.location.host}/api/ws${query}`;
}

function pickTransport(): { client: ApiClient; ws: WsClient | null } {
  const bridge = electronBridge();
  if (bridge !== undefined) return { client: bridge, ws: null };
  const ws = new WsClient(wsUrl());
  return { client: ws, ws };
}

const transport = pickTransport();

/** The client every store and hook calls. */
export const api: ApiClient = transport.client;

/** True inside the Electron shell (native dialogs, paths of dropped files). */
export const isElectron = transport.ws === null;

/** Subscribes to the connection state (always 'open' inside Electron). */
export function onConnectionState(listener: (s: ConnectionState) => void): () => void {
  if (transport.ws === null) {
    listener('open');
    return () => undefined;
  }
  return transport.ws.onState(listener);
}

/** Calls a method and turns a thrown transport failure into an error value. */
export async function call<M extends Method>(method: M, req: Requests[M]['req']): Promise<CallResult<M>> {
  try {
    return await api.call(method, req);
  } catch (e) {
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/** An error value as one sentence for a banner. */
export function errorText(e: AppError): string {
  return e.message;
}
