/**
 * The REST API of `flowbench serve` and `GET /metrics`: a table of routes (method + OpenAPI
 * path template), a matcher, and the dispatcher that times every answer for the metrics.
 * Handlers go through `Workbench.call` wherever the contract has the method; window rows and
 * exports, which have none, read a read-only connection to the workspace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Workbench } from '../../workbench/workbench.js';
import { sameOrigin } from '../auth.js';
import { PROM_CONTENT_TYPE } from '../metrics/prom-text.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { RestError, sendError, sendJson } from './json-io.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { anomalyRoutes } from './anomaly-routes.js';
import { modelRoutes } from './model-routes.js';
import { ReadOnlyWorkspace, restRoutes } from './routes.js';
import type { Answer, Route } from './routes.js';

/** The REST layer of one server. */
export interface RestApi {
  /** Answers the request when a route's path matches; false when none does (the caller goes on). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Method and path template of every route (the OpenAPI test checks them). */
  readonly routes: readonly { readonly method: string; readonly path: string }[];
  close(): void;
}

/** A path matched against the route table. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

/** Finds the route for a method and path; `allowed` lists the methods of a path that matched otherwise. */
export function matchRoute(routes: readonly Route[], method: string, path: string): { match: RouteMatch | null; allowed: string[] } {
  const parts = path.split('/');
  const allowed: string[] = [];
  for (const route of routes) {
    const tpl = route.path.split('/');
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      const t = tpl[i]!;
      const p = parts[i]!;
      if (t.startsWith('{') && t.endsWith('}')) {
        if (p === '') ok = false;
        else params[t.slice(1, -1)] = decodeURIComponent(p);
      } else if (t !== p) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { match: { route, params }, allowed };
    allowed.push(route.method);
  }
  return { match: null, allowed };
}

/** Builds the REST layer over a workbench. */
export function createRestApi(wb: Workbench): RestApi {
  const metrics = new ServerMetrics(wb);
  const workspace = new ReadOnlyWorkspace(wb.workspacePath);
  const routes: Route[] = [
    { method: 'GET', path: '/api/openapi.json', run: () => Promise.resolve({ status: 200, body: OPENAPI_DOCUMENT }) },
    {
      method: 'GET', path: '/metrics',
      run: async () => ({ status: 200, text: await metrics.render(), contentType: PROM_CONTENT_TYPE }),
    },
    ...restRoutes(wb, workspace),
    ...anomalyRoutes(wb),
    ...modelRoutes(wb),
  ];
  return {
    routes: routes.map((r) => ({ method: r.method, path: r.path })),
    async handle(req, res, path) {
      const started = performance.now();
      const method = req.method ?? 'GET';
      let found: ReturnType<typeof matchRoute>;
      try {
        found = matchRoute(routes, method, path);
      } catch {
        found = { match: null, allowed: [] }; // a bad %-escape matches nothing
      }
      if (found.match === null && found.allowed.length === 0) return false;
      const routeName = found.match?.route.path ?? path;
      let status = 500;
      try {
        if (found.match === null) {
          throw new RestError(405, 'invalid_argument', `method ${method} not allowed on ${path} (use ${found.allowed.join(', ')})`);
        }
        if (method !== 'GET' && method !== 'HEAD' && !sameOrigin(req)) {
          throw new RestError(403, 'permission_denied', 'origin: cross-origin requests are refused');
        }
        const url = new URL(req.url ?? '/', 'http://x');
        const answer = await found.match.route.run({ req, params: found.match.params, query: url.searchParams });
        status = answer.status;
        send(res, answer);
      } catch (e) {
        const rest = e instanceof RestError ? e : new RestError(500, 'internal', `${routeName} failed: ${firstLine(e)}`);
        status = rest.status;
        if (rest.status === 405) res.setHeader('Allow', found.allowed.join(', '));
        if (!res.headersSent) sendError(res, rest);
        else res.destroy();
      }
      if (found.match !== null) metrics.observeRequest(method, routeName, status, (performance.now() - started) / 1000);
      return true;
    },
    close() {
      metrics.close();
      workspace.close();
    },
  };
}

function send(res: ServerResponse, a: Answer): void {
  if ('text' in a) {
    res.writeHead(a.status, { 'Content-Type': a.contentType, 'Content-Length': Buffer.byteLength(a.text), 'Cache-Control': 'no-store' });
    res.end(a.text);
  } else {
    sendJson(res, a.status, a.body);
  }
}

function firstLine(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
}
