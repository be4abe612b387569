/**
 * `flowbench serve`: the workbench over HTTP and WebSocket for a browser and for e2e tests.
 * Static files of the built renderer, the API socket at /api/ws, uploads at /api/upload and
 * a health check at /api/health, the REST API (src-main/server/rest, documented at
 * /api/openapi.json) and Prometheus metrics at /metrics. Binds 127.0.0.1 by default; any other address needs a token.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { packageRoot } from '../workbench/sources-handlers.js';
import type { Workbench } from '../workbench/workbench.js';
import { authorized, generateToken, isLoopbackHost, requestToken, sameOrigin, TOKEN_COOKIE } from './auth.js';
import { sendText, serveStatic } from './static-files.js';
import { createRestApi } from './rest/rest-api.js';
import { DEFAULT_UPLOAD_LIMIT, handleUpload } from './upload.js';
import { attachWebSocketApi } from './ws-api.js';

/** Default bind address and port. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 5170;

/** How to serve. */
export interface ServeOptions {
  readonly workbench: Workbench;
  readonly host?: string;
  readonly port?: number;
  /** Required token; generated when the host is not loopback and none is given. */
  readonly token?: string | null;
  /** Built renderer folder (default `<package>/dist-renderer`). */
  readonly rendererDir?: string;
  readonly uploadLimitBytes?: number;
}

/** A listening server. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The token clients must present, or null (loopback without --token). */
  readonly token: string | null;
  /** True when the token was generated here (print it). */
  readonly tokenGenerated: boolean;
  close(): Promise<void>;
}

/** Starts listening; errors (port in use, bad address) come back as values. */
export async function startServer(opts: ServeOptions): Promise<Result<RunningServer>> {
  const host = opts.host ?? DEFAULT_HOST;
  const given = opts.token ?? null;
  const tokenGenerated = given === null && !isLoopbackHost(host);
  const token = tokenGenerated ? generateToken() : given;
  const root = opts.rendererDir ?? join(packageRoot(), 'dist-renderer');
  const limit = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
  const wb = opts.workbench;
  const rest = createRestApi(wb);

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendText(res, 401, 'unauthorized: give the token as Authorization: Bearer TOKEN or ?token=TOKEN\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (token !== null && requestToken(req) !== null && req.headers.cookie?.includes(`${TOKEN_COOKIE}=`) !== true) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (await rest.handle(req, res, path)) return;
    if (path === '/api/health') {
      sendText(res, 200, `${JSON.stringify({ ok: true })}\n`, 'application/json; charset=utf-8');
      return;
    }
    if (path === '/api/upload') {
      if (req.method !== 'POST') return sendText(res, 405, 'method not allowed: POST the file\n');
      if (!sameOrigin(req)) return sendText(res, 403, 'forbidden: cross-origin upload\n');
      return handleUpload(req, res, wb, limit);
    }
    if (path.startsWith('/api/')) return sendText(res, 404, 'not found\n');
    serveStatic(req, res, root);
  };
  const closeWs = attachWebSocketApi(server, wb, token);

  const listening = await new Promise<Result<AddressInfo>>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code === 'EACCES' ? 'permission_denied' : e.code === 'EADDRINUSE' ? 'io_error' : 'invalid_argument';
      resolve(err({ code, message: `cannot listen on ${host}:${opts.port ?? DEFAULT_PORT}: ${e.message}` }));
    });
    server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve(ok(server.address() as AddressInfo)));
  });
  if (!listening.ok) {
    closeWs();
    rest.close();
    return listening;
  }
  const port = listening.value.port;
  wb.setOwnTrafficPorts([port]);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return ok({
    host, port, url: `http://${shownHost}:${port}/`, token, tokenGenerated,
    close: () =>
      new Promise<void>((resolve) => {
        closeWs();
        rest.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
