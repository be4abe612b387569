/**
 * The API over WebSocket at `/api/ws`: ClientFrame calls in, ServerFrame results and events
 * out (src-shared/api.ts). Every frame is checked: a frame that is not JSON or has no call
 * shape closes the socket with the reason; a call with a bad method or argument gets an
 * error result like any other.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { ClientFrame, ServerFrame } from '../../src-shared/api.js';
import type { Workbench } from '../workbench/workbench.js';
import { authorized, sameOrigin } from './auth.js';

/** Path of the API socket. */
export const WS_PATH = '/api/ws';
/** Largest frame accepted. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Events are skipped for a client this far behind (progress events supersede each other). */
const MAX_BUFFERED = 8 * 1024 * 1024;

/** Close codes (RFC 6455 §7.4.1). */
const UNSUPPORTED_DATA = 1003;
const INVALID_PAYLOAD = 1007;
const POLICY_VIOLATION = 1008;

/** Parses one frame; a string is the reason to close. */
export function parseClientFrame(data: string): ClientFrame | string {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return 'frame is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'frame is not an object';
  const f = v as Record<string, unknown>;
  if (f['type'] !== 'call') return 'frame type must be "call"';
  const id = f['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'frame id must be a non-negative integer';
  if (typeof f['method'] !== 'string') return 'frame method must be a string';
  return { type: 'call', id, method: f['method'], req: f['req'] };
}

/** Attaches the API socket to an HTTP server; returns the function that closes every client. */
export function attachWebSocketApi(server: Server, wb: Workbench, token: string | null): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket: Duplex, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== WS_PATH) return refuse('404 Not Found');
    if (!authorized(req, token)) return refuse('401 Unauthorized');
    if (!sameOrigin(req)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, wb));
  });
  const unsubscribe = wb.onEvent((event, payload) => {
    const text = JSON.stringify({ type: 'event', event, payload } satisfies ServerFrame);
    for (const ws of wss.clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED) ws.send(text);
    }
  });
  return () => {
    unsubscribe();
    // Close frame, then drop the socket at once: waiting for each client's answer (ws's 30 s
    // close timer) would keep a stopping server alive.
    for (const ws of wss.clients) {
      ws.close(1001, 'server stopping');
      ws.terminate();
    }
    wss.close();
  };
}

function serveClient(ws: WebSocket, wb: Workbench): void {
  ws.on('error', () => ws.terminate());
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      ws.close(UNSUPPORTED_DATA, 'binary frames are not accepted');
      return;
    }
    const frame = parseClientFrame(rawText(data));
    if (typeof frame === 'string') {
      ws.close(frame === 'frame is not JSON' ? INVALID_PAYLOAD : POLICY_VIOLATION, frame);
      return;
    }
    void wb.call(frame.method, frame.req).then((answer) => {
      if (ws.readyState !== ws.OPEN) return;
      const out: ServerFrame = answer.ok
        ? { type: 'result', id: frame.id, ok: true, value: answer.value }
        : { type: 'result', id: frame.id, ok: false, error: answer.error };
      ws.send(JSON.stringify(out));
    });
  });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
