/**
 * Hand-written validators of every request's argument: the contract's data enters here from
 * IPC, WebSocket or the CLI, and leaves readonly and checked. An error names the field.
 */
import { FLOW_SORT_COLUMNS, METHODS, SIMULATE_SCENARIOS, SIMULATE_SHAPES } from '../../src-shared/api.js';
import { TRAFFIC_CLASSES } from '../../src-shared/classify-api.js';
import type { ConversationProto, FlowFilter, FlowSortColumn, Method, Requests } from '../../src-shared/api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { MAX_POINTS } from '../store/chart-queries.js';

/** Largest page or top-N a request may ask for. */
export const MAX_LIMIT = 5000;
/** Longest path or text argument accepted. */
const MAX_TEXT = 4096;
const MAX_METRICS = 64;

/** A checked call: the method and its argument, typed together. */
export type ValidCall = { [M in Method]: { readonly method: M; readonly req: Readonly<Requests[M]['req']> } }[Method];

type Obj = Readonly<Record<string, unknown>>;
type Check<T> = (o: Obj) => Result<T>;

class FieldError extends Error {}

const fail = (field: string, what: string): never => {
  throw new FieldError(`${field}: ${what}`);
};

function only(o: Obj, fields: readonly string[], where = ''): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) fail(`${where}${k}`, 'unknown field');
}

function int(o: Obj, k: string, min: number, max: number, where = ''): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${where}${k}`, `must be an integer, got ${show(v)}`);
  const n = v as number;
  if (n < min || n > max) fail(`${where}${k}`, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function optInt(o: Obj, k: string, min: number, max: number, where = ''): number | undefined {
  return o[k] === undefined ? undefined : int(o, k, min, max, where);
}

function optTime(o: Obj, k: string, where = ''): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}${k}`, `must be a finite number of epoch seconds, got ${show(v)}`);
  return v as number;
}

function text(o: Obj, k: string, where = ''): string {
  const v = o[k];
  if (typeof v !== 'string') fail(`${where}${k}`, `must be a string, got ${show(v)}`);
  const s = v as string;
  if (s.length > MAX_TEXT || s.includes('\0')) fail(`${where}${k}`, `must be at most ${MAX_TEXT} characters without NUL`);
  return s;
}

function optText(o: Obj, k: string, where = ''): string | undefined {
  return o[k] === undefined ? undefined : text(o, k, where);
}

function optBool(o: Obj, k: string): boolean | undefined {
  const v = o[k];
  if (v !== undefined && typeof v !== 'boolean') fail(k, `must be true or false, got ${show(v)}`);
  return v as boolean | undefined;
}

function object(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `must be an object, got ${show(v)}`);
  return v as Obj;
}

function oneOf<T extends string>(o: Obj, k: string, values: readonly T[], where = ''): T {
  const v = o[k];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(`${where}${k}`, `must be one of ${values.join(', ')}, got ${show(v)}`);
  return v as T;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function range(o: Obj, where = ''): { from?: number; to?: number } {
  const from = optTime(o, 'from', where);
  const to = optTime(o, 'to', where);
  if (from !== undefined && to !== undefined && !(from < to)) fail(`${where}to`, `must be after from (${from}), got ${to}`);
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

const ID_MAX = Number.MAX_SAFE_INTEGER;
const sourceId = (o: Obj): number => int(o, 'sourceId', 1, ID_MAX);
const empty: Check<Record<string, never>> = (o) => {
  only(o, []);
  return ok({});
};
const jobId: Check<{ jobId: string }> = (o) => {
  only(o, ['jobId']);
  const id = text(o, 'jobId');
  if (!/^[a-z]+-\d{1,12}$/.test(id)) fail('jobId', `not a job id: ${show(id)}`);
  return ok({ jobId: id });
};
const bySource: Check<{ sourceId: number }> = (o) => {
  only(o, ['sourceId']);
  return ok({ sourceId: sourceId(o) });
};

const modelId = (o: Obj): number => int(o, 'modelId', 1, ID_MAX);
const byModel: Check<{ modelId: number }> = (o) => {
  only(o, ['modelId']);
  return ok({ modelId: modelId(o) });
};

function optName(o: Obj): string | undefined {
  const name = optText(o, 'name');
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) fail('name', 'must be 1 to 200 characters');
  return trimmed;
}

function flowFilter(v: unknown): FlowFilter {
  const o = object(v, 'filter');
  only(o, ['from', 'to', 'addr', 'port', 'proto', 'name'], 'filter.');
  const addr = optText(o, 'addr', 'filter.');
  const port = optInt(o, 'port', 0, 65535, 'filter.');
  const proto = optInt(o, 'proto', 0, 255, 'filter.');
  const name = optText(o, 'name', 'filter.');
  return {
    ...range(o, 'filter.'),
    ...(addr === undefined ? {} : { addr }),
    ...(port === undefined ? {} : { port }),
    ...(proto === undefined ? {} : { proto }),
    ...(name === undefined ? {} : { name }),
  };
}

const VALIDATORS: { readonly [M in Method]: Check<Requests[M]['req']> } = {
  'app.info': empty,
  'sources.list': empty,
  'sources.get': bySource,
  'sources.open': (o) => {
    only(o, ['path', 'force']);
    const path = text(o, 'path');
    if (path.trim() === '') fail('path', 'must not be empty');
    const force = optBool(o, 'force');
    return ok({ path, ...(force === undefined ? {} : { force }) });
  },
  'sources.openSample': empty,
  'sources.remove': bySource,
  'sources.events': bySource,
  'simulate.start': (o) => {
    only(o, ['scenario', 'durationSeconds', 'rate', 'shape', 'seed', 'name']);
    const scenario = oneOf(o, 'scenario', SIMULATE_SCENARIOS);
    const durationSeconds = int(o, 'durationSeconds', 1, 86400);
    const rate = optInt(o, 'rate', 1, 1_000_000);
    const shape = o['shape'] === undefined ? undefined : oneOf(o, 'shape', SIMULATE_SHAPES);
    const seed = optInt(o, 'seed', 0, 2 ** 32 - 1);
    const name = text(o, 'name').trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(name)) fail('name', `must be 1 to 121 letters, digits, '.', '-' or '_' (not starting with '.', '-' or '_'), got ${show(name)}`);
    return ok({
      scenario, durationSeconds, name, ...(rate === undefined ? {} : { rate }), ...(shape === undefined ? {} : { shape }),
      ...(seed === undefined ? {} : { seed }),
    });
  },
  'jobs.list': empty,
  'jobs.cancel': jobId,
  'charts.series': (o) => {
    only(o, ['sourceId', 'metrics', 'from', 'to', 'maxPoints', 'resolution']);
    const m = o['metrics'];
    if (!Array.isArray(m) || m.length === 0 || m.length > MAX_METRICS) fail('metrics', `must be a list of 1 to ${MAX_METRICS} names`);
    const metrics = (m as unknown[]).map((x, i) => {
      if (typeof x !== 'string' || x.length === 0 || x.length > 128) fail(`metrics[${i}]`, `must be a metric name, got ${show(x)}`);
      return x as string;
    });
    const res = o['resolution'];
    if (res !== undefined && res !== 'auto' && !(typeof res === 'number' && Number.isInteger(res) && res >= 1 && res <= 86400)) {
      fail('resolution', `must be 'auto' or whole seconds from 1 to 86400, got ${show(res)}`);
    }
    return ok({
      sourceId: sourceId(o), metrics, ...range(o), maxPoints: int(o, 'maxPoints', 1, MAX_POINTS),
      ...(res === undefined ? {} : { resolution: res as number | 'auto' }),
    });
  },
  'stats.get': bySource,
  'stats.totals': (o) => {
    only(o, ['sourceId', 'from', 'to']);
    return ok({ sourceId: sourceId(o), ...range(o) });
  },
  'talkers.top': (o) => {
    only(o, ['sourceId', 'from', 'to', 'limit', 'orderBy']);
    const limit = optInt(o, 'limit', 1, MAX_LIMIT);
    const orderBy = o['orderBy'] === undefined ? undefined : oneOf(o, 'orderBy', ['bytes', 'packets'] as const);
    return ok({ sourceId: sourceId(o), ...range(o), ...(limit === undefined ? {} : { limit }), ...(orderBy === undefined ? {} : { orderBy }) });
  },
  'conversations.page': (o) => {
    only(o, ['sourceId', 'proto', 'limit', 'offset']);
    const proto = oneOf<ConversationProto>(o, 'proto', ['tcp', 'udp', 'ipv4', 'ipv6']);
    return ok({ sourceId: sourceId(o), proto, limit: int(o, 'limit', 1, MAX_LIMIT), offset: int(o, 'offset', 0, ID_MAX) });
  },
  'flows.page': (o) => {
    only(o, ['sourceId', 'filter', 'sort', 'limit', 'offset']);
    const filter = o['filter'] === undefined ? undefined : flowFilter(o['filter']);
    let sort: { column: FlowSortColumn; desc: boolean } | undefined;
    if (o['sort'] !== undefined) {
      const s = object(o['sort'], 'sort');
      only(s, ['column', 'desc'], 'sort.');
      if (typeof s['desc'] !== 'boolean') fail('sort.desc', `must be true or false, got ${show(s['desc'])}`);
      sort = { column: oneOf(s, 'column', FLOW_SORT_COLUMNS, 'sort.'), desc: s['desc'] as boolean };
    }
    return ok({
      sourceId: sourceId(o), ...(filter === undefined ? {} : { filter }), ...(sort === undefined ? {} : { sort }),
      limit: int(o, 'limit', 1, MAX_LIMIT), offset: int(o, 'offset', 0, ID_MAX),
    });
  },
  'flows.get': (o) => {
    only(o, ['flowId']);
    return ok({ flowId: int(o, 'flowId', 1, ID_MAX) });
  },
  'flows.label': (o) => {
    only(o, ['flowId', 'label']);
    const flowId = int(o, 'flowId', 1, ID_MAX);
    if (o['label'] === null) return ok({ flowId, label: null });
    return ok({ flowId, label: oneOf(o, 'label', [...TRAFFIC_CLASSES, 'unknown'] as const) });
  },
  'capture.interfaces': empty,
  'capture.start': (o) => {
    only(o, ['interface', 'filter', 'snaplen', 'promiscuous', 'ignoreOwnTraffic', 'durationSeconds', 'count']);
    const filter = optText(o, 'filter');
    const snaplen = optInt(o, 'snaplen', 14, 65535);
    const promiscuous = optBool(o, 'promiscuous');
    const ignoreOwnTraffic = optBool(o, 'ignoreOwnTraffic');
    const d = o['durationSeconds'];
    if (d !== undefined && !(typeof d === 'number' && Number.isFinite(d) && d > 0 && d <= 31 * 86400)) {
      fail('durationSeconds', `must be a positive number of seconds (at most 31 days), got ${show(d)}`);
    }
    const count = optInt(o, 'count', 1, ID_MAX);
    const iface = text(o, 'interface');
    if (iface.trim() === '') fail('interface', 'a device name is required');
    return ok({
      interface: iface, ...(filter === undefined ? {} : { filter }), ...(snaplen === undefined ? {} : { snaplen }),
      ...(promiscuous === undefined ? {} : { promiscuous }), ...(ignoreOwnTraffic === undefined ? {} : { ignoreOwnTraffic }),
      ...(d === undefined ? {} : { durationSeconds: d as number }),
      ...(count === undefined ? {} : { count }),
    });
  },
  'capture.stop': jobId,
  'models.list': empty,
  'models.get': byModel,
  'models.train': (o) => {
    only(o, ['task', 'sourceId', 'name', 'target', 'resolution', 'lookback', 'horizon', 'epochs', 'from', 'to', 'seed']);
    oneOf(o, 'task', ['forecast'] as const);
    const name = optName(o);
    const target = optText(o, 'target');
    if (target !== undefined && !/^[a-z][a-z0-9_]{0,127}$/.test(target)) fail('target', `must be a metric name, got ${show(target)}`);
    const resolution = optInt(o, 'resolution', 1, 86400);
    const lookback = optInt(o, 'lookback', 1, 1024);
    const horizon = optInt(o, 'horizon', 1, 256);
    const epochs = optInt(o, 'epochs', 1, 1000);
    const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
    return ok({
      task: 'forecast' as const, sourceId: sourceId(o), ...range(o),
      ...(name === undefined ? {} : { name }), ...(target === undefined ? {} : { target }),
      ...(resolution === undefined ? {} : { resolution }), ...(lookback === undefined ? {} : { lookback }),
      ...(horizon === undefined ? {} : { horizon }), ...(epochs === undefined ? {} : { epochs }), ...(seed === undefined ? {} : { seed }),
    });
  },
  'models.rename': (o) => {
    only(o, ['modelId', 'name']);
    const name = optName(o);
    if (name === undefined) fail('name', 'a name is required');
    return ok({ modelId: modelId(o), name: name as string });
  },
  'models.remove': byModel,
  'models.forecast': (o) => {
    only(o, ['modelId', 'sourceId', 'from', 'to']);
    const sid = optInt(o, 'sourceId', 1, ID_MAX);
    return ok({ modelId: modelId(o), ...(sid === undefined ? {} : { sourceId: sid }), ...range(o) });
  },
  'models.export': (o) => {
    only(o, ['modelId', 'directory']);
    const directory = text(o, 'directory');
    if (directory.trim() === '') fail('directory', 'must not be empty');
    return ok({ modelId: modelId(o), directory });
  },
  'models.import': (o) => {
    only(o, ['path']);
    const path = text(o, 'path');
    if (path.trim() === '') fail('path', 'must not be empty');
    return ok({ path });
  },
  'models.live': (o) => {
    only(o, ['modelId', 'captureJobId']);
    const id = text(o, 'captureJobId');
    if (!/^capture-\d{1,12}$/.test(id)) fail('captureJobId', `not a capture job id: ${show(id)}`);
    return ok({ modelId: modelId(o), captureJobId: id });
  },
  'anomalies.detect': (o) => {
    only(o, ['sourceId', 'resolution', 'contamination', 'from', 'to', 'seed']);
    const resolution = optInt(o, 'resolution', 1, 86400);
    const c = o['contamination'];
    if (c !== undefined && !(typeof c === 'number' && Number.isFinite(c) && c > 0 && c <= 0.5)) {
      fail('contamination', `must be a share in (0, 0.5], got ${show(c)}`);
    }
    const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
    return ok({
      sourceId: sourceId(o), ...range(o), ...(resolution === undefined ? {} : { resolution }),
      ...(c === undefined ? {} : { contamination: c as number }), ...(seed === undefined ? {} : { seed }),
    });
  },
  'anomalies.residual': (o) => {
    only(o, ['modelId', 'sourceId']);
    const sid = optInt(o, 'sourceId', 1, ID_MAX);
    return ok({ modelId: modelId(o), ...(sid === undefined ? {} : { sourceId: sid }) });
  },
  'drift.compare': (o) => {
    only(o, ['reference', 'compared']);
    const side = (k: 'reference' | 'compared'): { sourceId: number; from?: number; to?: number } => {
      const s = object(o[k], k);
      only(s, ['sourceId', 'from', 'to'], `${k}.`);
      return { sourceId: int(s, 'sourceId', 1, ID_MAX, `${k}.`), ...range(s, `${k}.`) };
    };
    return ok({ reference: side('reference'), compared: side('compared') });
  },
};

/** Checks the method name and its argument; the answer is frozen. Never throws. */
export function validateRequest(method: unknown, req: unknown): Result<ValidCall> {
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    return err({ code: 'invalid_argument', message: `method: unknown method ${show(method)}` });
  }
  const m = method as Method;
  try {
    // Methods without arguments accept a missing argument as {}.
    const o = req === undefined || req === null ? object({}, 'req') : object(req, 'req');
    const checked = (VALIDATORS[m] as Check<unknown>)(o);
    if (!checked.ok) return checked;
    return ok(Object.freeze({ method: m, req: deepFreeze(checked.value) }) as ValidCall);
  } catch (e) {
    if (e instanceof FieldError) return err({ code: 'invalid_argument', message: `${m}: ${e.message}` });
    throw e;
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
