/**
 * REST routes over the workbench: sources (list, get, open by path, window rows), jobs,
 * models (list; training is in model-routes.ts) and exports. Each validates its input and answers a value or throws a RestError naming the field.
 */
import type Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { JobInfo, SourceInfo } from '../../../src-shared/api.js';
import { exportTable } from '../../export/export-table.js';
import { EXPORT_FORMATS, EXPORT_TABLES } from '../../export/export-tables.js';
import { windowRows } from '../../store/window-rows.js';
import { openWorkspace } from '../../store/workspace.js';
import type { Workspace } from '../../store/workspace.js';
import type { Workbench } from '../../workbench/workbench.js';
import { enumField, fromAppError, intField, onlyFields, readJsonObject, RestError, stringField } from './json-io.js';

/** A JSON answer or a text answer. */
export type Answer =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: number; readonly text: string; readonly contentType: string };

/** What a route handler gets. */
export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/** One route: method, OpenAPI path template, handler. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  run(r: RouteRequest): Promise<Answer>;
}

/** Most window rows one request may ask for. */
export const MAX_WINDOW_ROWS = 1_000_000;
/** Window rows answered when no limit is given. */
export const DEFAULT_WINDOW_ROWS = 10_000;
/** Folder under the workspace folder that REST exports write into. */
export const EXPORTS_FOLDER = 'exports';

/** A read-only connection to the workspace, opened on first use (window rows and exports). */
export class ReadOnlyWorkspace {
  private ws: Workspace | null = null;

  constructor(private readonly path: string) {}

  get db(): Database.Database {
    if (this.ws === null) {
      const opened = openWorkspace(this.path, { readonly: true });
      if (!opened.ok) throw fromAppError(opened.error);
      this.ws = opened.value;
    }
    return this.ws.db;
  }

  close(): void {
    this.ws?.close();
    this.ws = null;
  }
}

/** The routes of sources, jobs and exports. */
export function restRoutes(wb: Workbench, workspace: ReadOnlyWorkspace): Route[] {
  const call = async <T>(method: string, req: unknown): Promise<T> => {
    const r = await wb.call(method, req);
    if (!r.ok) throw fromAppError(r.error);
    return r.value as T;
  };
  const source = (id: number): Promise<SourceInfo> => call<SourceInfo>('sources.get', { sourceId: id });
  let exporting = false;

  return [
    { method: 'GET', path: '/api/sources', run: async () => ({ status: 200, body: await call('sources.list', {}) }) },
    {
      method: 'POST', path: '/api/sources',
      run: async ({ req }) => {
        const body = await readJsonObject(req);
        onlyFields(body, ['path', 'force']);
        const path = stringField(body, 'path', true);
        if (!isAbsolute(path)) throw new RestError(400, 'invalid_argument', `path: must be an absolute path on the server, got "${path}"`);
        if (!existsSync(path)) throw new RestError(404, 'not_found', `path: no such file on the server: ${path}`);
        if (!statSync(path).isFile()) throw new RestError(400, 'invalid_argument', `path: not a file: ${path}`);
        const force = body['force'];
        if (force !== undefined && typeof force !== 'boolean') throw new RestError(400, 'invalid_argument', 'force: must be true or false');
        const opened = await call<{ jobId: string }>('sources.open', { path, ...(force === undefined ? {} : { force }) });
        return { status: 202, body: { jobId: opened.jobId, job: `/api/jobs/${opened.jobId}` } };
      },
    },
    { method: 'GET', path: '/api/sources/{id}', run: async ({ params }) => ({ status: 200, body: await source(sourceIdParam(params)) }) },
    {
      method: 'GET', path: '/api/sources/{id}/windows',
      run: async ({ params, query }) => {
        const sourceId = sourceIdParam(params);
        onlyParams(query, ['from', 'to', 'resolution', 'limit', 'fill', 'token']);
        const from = timeParam(query, 'from');
        const to = timeParam(query, 'to');
        if (from !== undefined && to !== undefined && !(from < to)) throw new RestError(400, 'invalid_argument', `from: ${from} is not before to ${to}`);
        const resText = query.get('resolution') ?? 'auto';
        const resMatch = /^(1|10|60)s?$/.exec(resText);
        if (resText !== 'auto' && resMatch === null) throw new RestError(400, 'invalid_argument', `resolution: must be 1, 10, 60 or auto, got "${resText}"`);
        const limitText = query.get('limit');
        const limit = limitText === null ? DEFAULT_WINDOW_ROWS : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WINDOW_ROWS) {
          throw new RestError(400, 'invalid_argument', `limit: must be a whole number from 1 to ${MAX_WINDOW_ROWS}, got "${limitText}"`);
        }
        const fillText = query.get('fill');
        if (fillText !== null && fillText !== 'true' && fillText !== 'false') throw new RestError(400, 'invalid_argument', `fill: must be true or false, got "${fillText}"`);
        await source(sourceId);
        const read = windowRows(workspace.db, {
          sourceId, resolution: resMatch === null ? 'auto' : Number(resMatch[1]), limit, fill: fillText === 'true',
          ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }),
        });
        if (!read.ok) throw fromAppError(read.error);
        return { status: 200, body: { sourceId, resolution: read.value.resolution, rows: read.value.rows } };
      },
    },
    {
      method: 'GET', path: '/api/jobs/{id}',
      run: async ({ params }) => {
        const jobId = params['id'] ?? '';
        if (!/^[\w.-]{1,100}$/.test(jobId)) throw new RestError(400, 'invalid_argument', `id: not a job id: "${jobId.slice(0, 100)}"`);
        const jobs = await call<readonly JobInfo[]>('jobs.list', {});
        const job = jobs.find((j) => j.jobId === jobId);
        if (job === undefined) throw new RestError(404, 'not_found', `id: no job ${jobId} (finished jobs are kept for a while, not forever)`);
        return { status: 200, body: job };
      },
    },
    { method: 'GET', path: '/api/models', run: async () => ({ status: 200, body: await call('models.list', {}) }) },
    {
      method: 'POST', path: '/api/export',
      run: async ({ req }) => {
        const body = await readJsonObject(req);
        onlyFields(body, ['format', 'table', 'source', 'dir', 'resolution']);
        const format = enumField(body, 'format', EXPORT_FORMATS, true)!;
        const table = enumField(body, 'table', EXPORT_TABLES, true)!;
        const sourceId = intField(body, 'source', 1, Number.MAX_SAFE_INTEGER);
        const resolution = body['resolution'];
        if (resolution !== undefined && resolution !== 1 && resolution !== 10 && resolution !== 60) {
          throw new RestError(400, 'invalid_argument', 'resolution: must be 1, 10 or 60');
        }
        if (resolution !== undefined && table !== 'windows') throw new RestError(400, 'invalid_argument', 'resolution: only applies to table windows');
        const root = join(wb.workspaceDir, EXPORTS_FOLDER);
        const dir = exportDir(root, stringField(body, 'dir', false) ?? defaultExportName());
        if (sourceId !== undefined) await source(sourceId);
        if (exporting) throw new RestError(409, 'cancelled', 'an export is already running; try again when it has finished');
        exporting = true;
        try {
          const done = await exportTable(workspace.db, {
            table, format, outDir: dir,
            ...(sourceId === undefined ? {} : { sourceIds: [sourceId] }), ...(resolution === undefined ? {} : { resolution }),
          });
          if (!done.ok) throw fromAppError(done.error);
          const rel = (p: string): string => relative(wb.workspaceDir, p).split(sep).join('/');
          return {
            status: 200,
            body: { table, format, rows: done.value.rows, dir: rel(dir), files: done.value.files.map((f) => ({ path: rel(f.path), rows: f.rows })) },
          };
        } finally {
          exporting = false;
        }
      },
    },
  ];
}

/**
 * The export folder for a client-given name: relative, plain name segments only, and inside
 * `root` after resolving — a client never chooses a path outside the workspace's exports.
 */
export function exportDir(root: string, name: string): string {
  if (name.length > 200 || !/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(name) || name.split('/').includes('..')) {
    throw new RestError(400, 'invalid_argument', `dir: must be a relative folder name of letters, digits, ".", "_", "-" and "/" (at most 200), got "${name.slice(0, 200)}"`);
  }
  const dir = resolve(root, name);
  if (!dir.startsWith(root + sep)) throw new RestError(400, 'invalid_argument', `dir: must stay inside the workspace's ${EXPORTS_FOLDER} folder`);
  return dir;
}

function defaultExportName(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function sourceIdParam(params: Readonly<Record<string, string>>): number {
  const id = params['id'] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(id)) throw new RestError(400, 'invalid_argument', `id: must be a source id (a positive whole number), got "${id.slice(0, 40)}"`);
  return Number(id);
}

function timeParam(query: URLSearchParams, k: string): number | undefined {
  const v = query.get(k);
  if (v === null) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw new RestError(400, 'invalid_argument', `${k}: must be epoch seconds, got "${v.slice(0, 40)}"`);
  return Number(v);
}

function onlyParams(query: URLSearchParams, known: readonly string[]): void {
  for (const k of query.keys()) {
    if (!known.includes(k)) throw new RestError(400, 'invalid_argument', `${k}: unknown query parameter (expected ${known.filter((n) => n !== 'token').join(', ')})`);
  }
}
