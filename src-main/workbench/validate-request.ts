/**
 * Hand-written validators of every request's argument: the contract's data enters here from
 * IPC, WebSocket or the CLI, and leaves readonly and checked. An error names the field.
 */
import { FLOW_SORT_COLUMNS, METHODS, SIMULATE_SCENARIOS, SIMULATE_SHAPES } from '../../src-shared/api.js';
import { TRAFFIC_CLASSES } from '../../src-shared/classify-api.js';
import type { FlowBehaviour } from '../../src-shared/classify-api.js';
import type { AnomalyTrainRequest, ClassifyTrainRequest } from '../../src-shared/models-api.js';
import type { LabelRuleInput, LabelRuleKind } from '../../src-shared/classify-api.js';
import type { ConversationProto, FlowFilter, FlowSortColumn, Method, Requests } from '../../src-shared/api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { MAX_POINTS } from '../store/chart-queries.js';
import { patternProblem } from '../ml/classify/traffic-rules.js';

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
  only(o, ['from', 'to', 'addr', 'port', 'proto', 'name', 'label'], 'filter.');
  const label = o['label'] === undefined ? undefined : oneOf(o, 'label', [...TRAFFIC_CLASSES, 'unknown'] as const, 'filter.');
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
    ...(label === undefined ? {} : { label }),
  };
}

/** A label rule to save: the pattern checked for its kind (port or range; name or glob). */
function labelRule(o: Obj): LabelRuleInput {
  only(o, ['id', 'kind', 'pattern', 'label', 'priority', 'enabled']);
  const id = optInt(o, 'id', 1, ID_MAX);
  const kind = oneOf<LabelRuleKind>(o, 'kind', ['port', 'sni', 'dns']);
  const raw = text(o, 'pattern');
  const problem = patternProblem(kind, raw);
  if (problem !== null) fail('pattern', problem);
  if (kind !== 'port' && (/\.\./.test(raw) || /^[*.]*$/.test(raw.trim()))) fail('pattern', `"${raw}" needs a name part (no empty label between dots, not only '*')`);
  // Stored normalised: "6881 - 6889" as "6881-6889", names in lower case.
  const pattern = kind === 'port' ? raw.replace(/\s+/g, '') : raw.trim().toLowerCase().replace(/\.$/, '');
  const label = oneOf(o, 'label', TRAFFIC_CLASSES);
  const priority = optInt(o, 'priority', 0, 1_000_000);
  const enabled = optBool(o, 'enabled');
  return {
    ...(id === undefined ? {} : { id }), kind, pattern, label,
    ...(priority === undefined ? {} : { priority }), ...(enabled === undefined ? {} : { enabled }),
  };
}

/** Most flows one `traffic.classify` call takes. */
export const MAX_CLASSIFY_FLOWS = 100_000;

function contamination(o: Obj): number | undefined {
  const c = o['contamination'];
  if (c !== undefined && !(typeof c === 'number' && Number.isFinite(c) && c > 0 && c <= 0.5)) {
    fail('contamination', `must be a share in (0, 0.5], got ${show(c)}`);
  }
  return c as number | undefined;
}

function anomalyTrain(o: Obj): AnomalyTrainRequest {
  only(o, ['task', 'sourceId', 'name', 'from', 'to', 'resolution', 'contamination', 'seed']);
  const name = optName(o);
  const resolution = optInt(o, 'resolution', 1, 86400);
  const c = contamination(o);
  const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
  return {
    task: 'anomaly', sourceId: sourceId(o), ...range(o), ...(name === undefined ? {} : { name }),
    ...(resolution === undefined ? {} : { resolution }), ...(c === undefined ? {} : { contamination: c }), ...(seed === undefined ? {} : { seed }),
  };
}

function classifyTrain(o: Obj): ClassifyTrainRequest {
  only(o, ['task', 'sourceIds', 'name', 'seed', 'epochs']);
  const ids = o['sourceIds'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) fail('sourceIds', `must be a list of 1 to 1000 source ids, got ${show(ids)}`);
  const list = (ids as unknown[]).map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > ID_MAX) fail(`sourceIds[${i}]`, `must be a source id, got ${show(v)}`);
    return v as number;
  });
  if (new Set(list).size !== list.length) fail('sourceIds', 'lists a source twice');
  const name = optName(o);
  const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
  const epochs = optInt(o, 'epochs', 1, 1000);
  return {
    task: 'classify', sourceIds: list, ...(name === undefined ? {} : { name }), ...(seed === undefined ? {} : { seed }),
    ...(epochs === undefined ? {} : { epochs }),
  };
}

const STAT_KEYS = ['pkt_len', 'fwd_pkt_len', 'bwd_pkt_len', 'iat', 'fwd_iat', 'bwd_iat'] as const;
const COUNT_KEYS = ['fwd_packets', 'bwd_packets', 'fwd_bytes', 'bwd_bytes', 'fwd_header_bytes', 'bwd_header_bytes', 'syn_count', 'fin_count', 'rst_count', 'psh_count', 'ack_count', 'urg_count'] as const;

function nonNegative(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${where}${k}`, `must be a number ≥ 0, got ${show(v)}`);
  return v as number;
}

const BEHAVIOUR_FIELDS: ReadonlySet<string> = new Set(['proto', 'duration', ...COUNT_KEYS, ...STAT_KEYS, 'handshake_rtt', 'early_packets']);
const REQUIRED_COUNTS: ReadonlySet<string> = new Set(['fwd_packets', 'bwd_packets', 'fwd_bytes', 'bwd_bytes']);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= ID_MAX;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * A flow behaviour of `traffic.classify` (fields of FlowBehaviour only: no addresses, ports or
 * names). Batches run to 100 000 flows, so the checks are plain and field names are only built
 * for the error.
 */
function flowBehaviour(v: unknown, field: string): FlowBehaviour {
  const o = object(v, field);
  for (const k in o) if (!BEHAVIOUR_FIELDS.has(k)) fail(`${field}.${k}`, 'unknown field');
  const out: Record<string, unknown> = { proto: int(o, 'proto', 0, 255, `${field}.`), duration: nonNegative(o, 'duration', `${field}.`) };
  for (const k of COUNT_KEYS) {
    const x = o[k];
    if (x === undefined && !REQUIRED_COUNTS.has(k)) continue;
    if (!isCount(x)) fail(`${field}.${k}`, `must be a whole number ≥ 0, got ${show(x)}`);
    out[k] = x;
  }
  for (const k of STAT_KEYS) {
    const x = o[k];
    if (x === undefined) continue;
    const s = object(x, `${field}.${k}`);
    for (const sk in s) if (sk !== 'min' && sk !== 'mean' && sk !== 'max' && sk !== 'std') fail(`${field}.${k}.${sk}`, 'unknown field');
    if (!isNonNegative(s['min']) || !isNonNegative(s['mean']) || !isNonNegative(s['max']) || !isNonNegative(s['std'])) {
      const bad = (['min', 'mean', 'max', 'std'] as const).find((sk) => !isNonNegative(s[sk])) ?? 'min';
      fail(`${field}.${k}.${bad}`, `must be a number ≥ 0, got ${show(s[bad])}`);
    }
    out[k] = s;
  }
  const rtt = o['handshake_rtt'];
  if (rtt !== undefined && rtt !== null) out['handshake_rtt'] = nonNegative(o, 'handshake_rtt', `${field}.`);
  const seq = o['early_packets'];
  if (!Array.isArray(seq) || seq.length > 30) fail(`${field}.early_packets`, `must be a list of at most 30 [size, direction, iat], got ${show(seq)}`);
  const packets = seq as unknown[];
  // Checked in place: a batch's 3 million packet triples are not copied (the request is frozen after).
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    if (!Array.isArray(p) || p.length !== 3) fail(`${field}.early_packets[${i}]`, `must be [wire size, direction 1 or -1, seconds since the previous packet], got ${show(p)}`);
    const [size, dir, iat] = p as unknown[];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 262144) fail(`${field}.early_packets[${i}][0]`, `must be a wire size in bytes, got ${show(size)}`);
    if (dir !== 1 && dir !== -1) fail(`${field}.early_packets[${i}][1]`, `must be 1 (client→server) or -1 (server→client), got ${show(dir)}`);
    if (!isNonNegative(iat)) fail(`${field}.early_packets[${i}][2]`, `must be seconds ≥ 0, got ${show(iat)}`);
  }
  out['early_packets'] = packets;
  return out as unknown as FlowBehaviour;
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
  'labels.rules.list': empty,
  'labels.rules.save': (o) => ok(labelRule(o)),
  'labels.rules.remove': (o) => {
    only(o, ['ruleId']);
    return ok({ ruleId: int(o, 'ruleId', 1, ID_MAX) });
  },
  'labels.rules.reset': empty,
  'labels.import': (o) => {
    only(o, ['path', 'sourceId']);
    const path = text(o, 'path');
    if (path.trim() === '') fail('path', 'must not be empty');
    const sid = optInt(o, 'sourceId', 1, ID_MAX);
    return ok({ path, ...(sid === undefined ? {} : { sourceId: sid }) });
  },
  'flows.classify': (o) => {
    only(o, ['modelId', 'sourceId']);
    return ok({ modelId: modelId(o), sourceId: sourceId(o) });
  },
  'traffic.classify': (o) => {
    only(o, ['modelId', 'flows']);
    const mid = optInt(o, 'modelId', 1, ID_MAX);
    const fs = o['flows'];
    if (!Array.isArray(fs) || fs.length === 0 || fs.length > MAX_CLASSIFY_FLOWS) fail('flows', `must be a list of 1 to ${MAX_CLASSIFY_FLOWS} flows, got ${show(fs)}`);
    return ok({ ...(mid === undefined ? {} : { modelId: mid }), flows: (fs as unknown[]).map((f, i) => flowBehaviour(f, `flows[${i}]`)) });
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
    const task = oneOf(o, 'task', ['forecast', 'anomaly', 'classify'] as const);
    if (task === 'anomaly') return ok(anomalyTrain(o));
    if (task === 'classify') return ok(classifyTrain(o));
    only(o, ['task', 'sourceId', 'name', 'target', 'resolution', 'lookback', 'horizon', 'epochs', 'from', 'to', 'seed', 'features', 'series']);
    const name = optName(o);
    const target = optText(o, 'target');
    if (target !== undefined && !/^[a-z][a-z0-9_]{0,127}$/.test(target)) fail('target', `must be a metric name, got ${show(target)}`);
    const resolution = optInt(o, 'resolution', 1, 86400);
    const lookback = optInt(o, 'lookback', 1, 1024);
    const horizon = optInt(o, 'horizon', 1, 256);
    const epochs = optInt(o, 'epochs', 1, 1000);
    const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
    const features = o['features'];
    if (features !== undefined) {
      if (!Array.isArray(features) || features.length > 64) fail('features', 'must be a list of at most 64 metric names');
      (features as unknown[]).forEach((f, i) => {
        if (typeof f !== 'string' || !/^[a-z][a-z0-9_]{0,127}$/.test(f)) fail(`features[${i}]`, `must be a metric name, got ${show(f)}`);
      });
    }
    const series = o['series'];
    if (series !== undefined) {
      if (typeof series !== 'object' || series === null || Array.isArray(series)) fail('series', 'must be { by, name, top? }');
      const sel = series as Record<string, unknown>;
      only(sel, ['by', 'name', 'top'], 'series.');
      oneOf(sel, 'by', ['traffic_type', 'service'] as const, 'series.');
      if (typeof sel['name'] !== 'string' || sel['name'] === '' || sel['name'].length > 300) fail('series.name', `must be a traffic type or service name, got ${show(sel['name'])}`);
      optInt(sel, 'top', 1, 50, 'series.');
    }
    return ok({
      ...(features === undefined ? {} : { features: features as string[] }),
      ...(series === undefined ? {} : { series: series as { by: 'traffic_type' | 'service'; name: string; top?: number } }),
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
  'models.typeSeries': (o) => {
    only(o, ['sourceId', 'by', 'top', 'resolution']);
    const sid = sourceId(o);
    const by = oneOf(o, 'by', ['traffic_type', 'service'] as const);
    const top = optInt(o, 'top', 1, 50);
    const resolution = optInt(o, 'resolution', 1, 86_400);
    return ok({ sourceId: sid, by, ...(top === undefined ? {} : { top }), ...(resolution === undefined ? {} : { resolution }) });
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
    only(o, ['sourceId', 'modelId', 'resolution', 'contamination', 'from', 'to', 'seed']);
    const mid = optInt(o, 'modelId', 1, ID_MAX);
    if (mid !== undefined) {
      for (const k of ['resolution', 'contamination', 'seed']) if (o[k] !== undefined) fail(k, 'comes from the model when modelId is given; leave it out');
    }
    const resolution = optInt(o, 'resolution', 1, 86400);
    const c = contamination(o);
    const seed = optInt(o, 'seed', 0, 2 ** 31 - 1);
    return ok({
      sourceId: sourceId(o), ...(mid === undefined ? {} : { modelId: mid }), ...range(o), ...(resolution === undefined ? {} : { resolution }),
      ...(c === undefined ? {} : { contamination: c }), ...(seed === undefined ? {} : { seed }),
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
  'features.explore': (o) => {
    only(o, ['sourceId', 'from', 'to', 'resolution', 'features']);
    const resolution = optInt(o, 'resolution', 1, 86400);
    const f = o['features'];
    if (f !== undefined && (!Array.isArray(f) || f.length === 0 || f.length > MAX_METRICS)) fail('features', `must be a list of 1 to ${MAX_METRICS} names`);
    const features = f === undefined ? undefined : [...new Set((f as unknown[]).map((x, i) => {
      if (typeof x !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(x)) fail(`features[${i}]`, `must be a feature name, got ${show(x)}`);
      return x as string;
    }))];
    return ok({
      sourceId: sourceId(o), ...range(o), ...(resolution === undefined ? {} : { resolution }), ...(features === undefined ? {} : { features }),
    });
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
