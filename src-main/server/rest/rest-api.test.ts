import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FlowDetail, FlowRow, JobInfo, Page, SourceInfo } from '../../../src-shared/api.js';
import { corpusDir, readTruth } from '../../../test/corpus-paths.js';
import { parsePrometheusText, sampleValue } from '../../../test/prom-text-parser.js';
import { Workbench } from '../../workbench/workbench.js';
import { startServer } from '../http-server.js';
import type { ServeOptions } from '../http-server.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { createRestApi } from './rest-api.js';

// A real `flowbench serve` on 127.0.0.1:0 with a real workbench; requests through fetch.

const CAPTURE = 'ndpi__443-firefox.pcap';

async function serve(t: TestContext, opts: Partial<ServeOptions> = {}): Promise<{ base: string; dir: string; wb: Workbench; token: string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-rest-'));
  const wb = Workbench.open({ workspacePath: join(dir, 'w.flowbench'), host: 'server' });
  if (!wb.ok) throw new Error(wb.error.message);
  const s = await startServer({ workbench: wb.value, host: '127.0.0.1', port: 0, rendererDir: join(dir, 'none'), ...opts });
  if (!s.ok) throw new Error(s.error.message);
  t.after(async () => {
    await s.value.close();
    await wb.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${s.value.port}`, dir, wb: wb.value, token: s.value.token };
}

interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Asserts an error reply: status, `{ error: { code, message } }`, the message naming `field`, and no stack. */
function assertError(r: Reply, status: number, field: RegExp): void {
  assert.equal(r.status, status, r.text);
  const e = (r.body as { error?: { code?: unknown; message?: unknown } }).error;
  assert.equal(typeof e?.code, 'string', r.text);
  assert.match(String(e?.message), field);
  assert.doesNotMatch(r.text, /\n\s+at /, 'no stack trace');
}

async function untilJobDone(base: string, jobId: string): Promise<JobInfo> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await http(base, 'GET', `/api/jobs/${jobId}`);
    assert.equal(r.status, 200, r.text);
    const job = r.body as JobInfo;
    if (['done', 'failed', 'cancelled'].includes(job.phase)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function metrics(base: string): Promise<ReturnType<typeof parsePrometheusText>> {
  const r = await http(base, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(r.text);
}

test('OpenAPI document: every route documented, every documented operation answers', async (t) => {
  const { base, wb } = await serve(t);
  const doc = await http(base, 'GET', '/api/openapi.json');
  assert.equal(doc.status, 200);
  assert.deepEqual(doc.body, JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  const paths = (doc.body as { openapi: string; paths: Record<string, Record<string, unknown>> }).paths;
  assert.match((doc.body as { openapi: string }).openapi, /^3\./);
  const rest = createRestApi(wb);
  t.after(() => rest.close());
  const documented = new Set(Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  for (const r of rest.routes) assert.ok(documented.has(`${r.method} ${r.path}`), `${r.method} ${r.path} is documented`);
  // Documented but served outside the REST table: health and upload (http-server.ts).
  const routed = new Set([...rest.routes.map((r) => `${r.method} ${r.path}`), 'GET /api/health', 'POST /api/upload']);
  for (const op of documented) assert.ok(routed.has(op), `${op} has a route`);
  for (const op of documented) {
    const [method, path] = op.split(' ') as [string, string];
    const r = await http(base, method, path.replace('{id}', '1'));
    assert.notEqual(r.status, 405, op);
    assert.ok(r.status !== 404 || /no (source|job)/.test(r.text), `${op}: ${r.status} ${r.text}`);
  }
});

test('sources over REST: open by path, job progress, list, get, windows; bad input is a named 4xx', async (t) => {
  const { base } = await serve(t);
  const file = join(corpusDir, 'pcap', CAPTURE);
  const truth = readTruth(CAPTURE) as { packets: number; wire_bytes: number };

  const opened = await http(base, 'POST', '/api/sources', { path: file });
  assert.equal(opened.status, 202, opened.text);
  const { jobId, job } = opened.body as { jobId: string; job: string };
  assert.equal(job, `/api/jobs/${jobId}`);
  const done = await untilJobDone(base, jobId);
  assert.equal(done.phase, 'done');
  assert.equal(done.packets, truth.packets);

  const list = await http(base, 'GET', '/api/sources');
  const sources = list.body as SourceInfo[];
  assert.equal(sources.length, 1);
  const id = sources[0]!.id;
  const one = await http(base, 'GET', `/api/sources/${id}`);
  assert.equal((one.body as SourceInfo).packets, truth.packets);
  assert.equal((one.body as SourceInfo).bytes, truth.wire_bytes);

  const w = await http(base, 'GET', `/api/sources/${id}/windows?resolution=1`);
  assert.equal(w.status, 200, w.text);
  const wb = w.body as { resolution: number; rows: Record<string, number | null>[] };
  assert.equal(wb.resolution, 1);
  assert.equal(wb.rows.reduce((n, r) => n + (r['packets'] ?? 0), 0), truth.packets);
  assert.equal(wb.rows.reduce((n, r) => n + (r['bytes'] ?? 0), 0), truth.wire_bytes);
  assert.deepEqual(Object.keys(wb.rows[0]!).slice(0, 5), ['t', 'packets', 'bytes', 'captured_bytes', 'bytes_per_second']);
  const first = wb.rows[0]!['t']!;
  const ranged = await http(base, 'GET', `/api/sources/${id}/windows?resolution=1&from=${first}&to=${first + 1}`);
  assert.deepEqual((ranged.body as typeof wb).rows, [wb.rows[0]]);
  const auto = await http(base, 'GET', `/api/sources/${id}/windows?limit=1`);
  assert.equal((auto.body as typeof wb).rows.length, 1);

  // Bad bodies and parameters: each a 4xx naming what is wrong.
  assertError(await http(base, 'POST', '/api/sources', '{"path": '), 400, /^body: not JSON/);
  assertError(await http(base, 'POST', '/api/sources', '[1]'), 400, /^body: must be a JSON object/);
  assertError(await http(base, 'POST', '/api/sources', { path: file }, { 'content-type': 'text/plain' }), 415, /Content-Type/);
  assertError(await http(base, 'POST', '/api/sources', {}), 400, /^path: /);
  assertError(await http(base, 'POST', '/api/sources', { path: 7 }), 400, /^path: must be a non-empty string, got 7/);
  assertError(await http(base, 'POST', '/api/sources', { path: file, colour: 'red' }), 400, /^colour: unknown field/);
  assertError(await http(base, 'POST', '/api/sources', { path: 'relative.pcap' }), 400, /^path: must be an absolute path/);
  assertError(await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'nope.pcap') }), 404, /^path: no such file/);
  assertError(await http(base, 'POST', '/api/sources', { path: corpusDir }), 400, /^path: not a file/);
  assertError(await http(base, 'POST', '/api/sources', { path: file, force: 'yes' }), 400, /^force: /);
  assertError(await http(base, 'POST', '/api/sources', { path: 'x'.repeat(1024 * 1024 + 10) }), 413, /limit of 1048576/);
  assertError(await http(base, 'GET', '/api/sources/abc'), 400, /^id: must be a source id/);
  assertError(await http(base, 'GET', '/api/sources/999'), 404, /sourceId: no source 999/);
  assertError(await http(base, 'GET', '/api/sources/999/windows'), 404, /no source 999/);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?resolution=7`), 400, /^resolution: /);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?from=10&to=5`), 400, /^from: /);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?from=yesterday`), 400, /^from: must be epoch seconds/);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?limit=0`), 400, /^limit: /);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?fill=maybe`), 400, /^fill: /);
  assertError(await http(base, 'GET', `/api/sources/${id}/windows?colour=red`), 400, /^colour: unknown query parameter/);
  assertError(await http(base, 'GET', '/api/jobs/no-such-job'), 404, /^id: no job no-such-job/);
  assertError(await http(base, 'GET', '/api/jobs/%3Cscript%3E'), 400, /^id: not a job id/);
  const wrongMethod = await http(base, 'DELETE', '/api/sources');
  assertError(wrongMethod, 405, /method DELETE not allowed/);
  assert.equal(wrongMethod.headers.get('allow'), 'GET, POST');
  assertError(await http(base, 'POST', '/api/sources', { path: file }, { origin: 'https://evil.example' }), 403, /^origin: /);
});

test('/metrics: strict text format, expected series, counters move after an ingest', async (t) => {
  const { base } = await serve(t);
  const before = await metrics(base);
  for (const name of ['flowbench_ingest_packets_total', 'flowbench_ingest_bytes_total', 'flowbench_capture_packets_total', 'flowbench_capture_bytes_total']) {
    assert.equal(before.get(name)?.type, 'counter', name);
    assert.equal(sampleValue(before, name, name), 0, name);
  }
  assert.equal(before.has('flowbench_capture_dropped_packets_total'), false, 'drops only once a capture knows them');
  assert.equal(before.get('flowbench_capture_window_bytes_per_second')?.type, 'gauge');
  assert.equal(before.get('flowbench_jobs')?.type, 'gauge');
  assert.equal(before.get('flowbench_api_request_duration_seconds')?.type, 'histogram');

  const name = CAPTURE;
  const truth = readTruth(name) as { packets: number };
  const size = (await import('node:fs')).statSync(join(corpusDir, 'pcap', name)).size;
  const opened = await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'pcap', name) });
  await untilJobDone(base, (opened.body as { jobId: string }).jobId);
  // The same file again is reused, not read: the counters must not count it twice.
  const again = await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'pcap', name) });
  await untilJobDone(base, (again.body as { jobId: string }).jobId);

  const after = await metrics(base);
  assert.equal(sampleValue(after, 'flowbench_ingest_packets_total', 'flowbench_ingest_packets_total'), truth.packets);
  assert.equal(sampleValue(after, 'flowbench_ingest_bytes_total', 'flowbench_ingest_bytes_total'), size);
  assert.equal(sampleValue(after, 'flowbench_jobs', 'flowbench_jobs', { kind: 'ingest', phase: 'done' }), 2);
  assert.ok((sampleValue(after, 'flowbench_api_requests_total', 'flowbench_api_requests_total', { method: 'POST', route: '/api/sources', code: '202' }) ?? 0) >= 2);
  assert.ok((sampleValue(after, 'flowbench_api_requests_total', 'flowbench_api_requests_total', { method: 'GET', route: '/metrics', code: '200' }) ?? 0) >= 1);
  const count = sampleValue(after, 'flowbench_api_request_duration_seconds', 'flowbench_api_request_duration_seconds_count', { route: '/api/jobs/{id}' });
  assert.ok(count !== undefined && count >= 2);
});

test('POST /api/export writes under the workspace exports folder; Parquet read back by DuckDB', async (t) => {
  const { base, dir } = await serve(t);
  const opened = await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'pcap', CAPTURE) });
  await untilJobDone(base, (opened.body as { jobId: string }).jobId);
  const truth = readTruth(CAPTURE) as { packets: number; wire_bytes: number };

  const r = await http(base, 'POST', '/api/export', { format: 'parquet', table: 'flows', source: 1, dir: 'run-1' });
  assert.equal(r.status, 200, r.text);
  const out = r.body as { rows: number; dir: string; files: { path: string; rows: number }[] };
  assert.equal(out.dir, 'exports/run-1');
  assert.ok(out.files.length >= 1);
  for (const f of out.files) {
    assert.match(f.path, /^exports\/run-1\/table=flows\/source_id=1\/date=\d{4}-\d{2}-\d{2}\/part-0\.parquet$/);
    assert.ok(existsSync(join(dir, f.path)));
  }
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = join(dir, 'exports', 'run-1', 'table=flows', '**', '*.parquet');
  const read = await duck.runAndReadAll(`SELECT count(*)::INTEGER n, sum(packets)::BIGINT p, sum(bytes)::BIGINT b, min(source_id)::INTEGER s FROM read_parquet('${glob}', hive_partitioning = true)`);
  const row = read.getRowObjects()[0]!;
  assert.equal(row['n'], out.rows);
  assert.equal(Number(row['p']), truth.packets);
  assert.equal(Number(row['b']), truth.wire_bytes);
  assert.equal(row['s'], 1);
  duck.closeSync();

  const csv = await http(base, 'POST', '/api/export', { format: 'csv', table: 'windows', resolution: 10 });
  assert.equal(csv.status, 200, csv.text);
  assert.match((csv.body as { dir: string }).dir, /^exports\/\d{4}-/);

  assertError(await http(base, 'POST', '/api/export', { format: 'xml', table: 'flows' }), 400, /^format: must be one of csv, jsonl, parquet/);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv' }), 400, /^table: /);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', dir: '../outside' }), 400, /^dir: /);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', dir: '/tmp/x' }), 400, /^dir: /);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', dir: 'a/../../b' }), 400, /^dir: /);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', source: 42 }), 404, /no source 42/);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', source: -1 }), 400, /^source: /);
  assertError(await http(base, 'POST', '/api/export', { format: 'csv', table: 'flows', resolution: 10 }), 400, /^resolution: only applies/);
  assert.equal(existsSync(join(dir, 'outside')), false);
});

test('models over REST: list, train (forecast) with its job, bad bodies named', async (t) => {
  const { base, wb } = await serve(t);
  const models = await http(base, 'GET', '/api/models');
  assert.equal(models.status, 200, models.text);
  assert.deepEqual(models.body, []);
  const opened = await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'pcap', CAPTURE) });
  await untilJobDone(base, (opened.body as { jobId: string }).jobId);

  assertError(await http(base, 'POST', '/api/train', { task: 'forecast' }), 400, /^source: required/);
  assertError(await http(base, 'POST', '/api/train', { task: 'dance', source: 1 }), 400, /^task: must be one of forecast/);
  assertError(await http(base, 'POST', '/api/train', { task: 'forecast', source: 1, metrics_file: '/x.csv' }), 400, /^metrics_file: /);
  assertError(await http(base, 'POST', '/api/train', { task: 'forecast', source: 1, epochs: 0 }), 400, /epochs/);
  assertError(await http(base, 'POST', '/api/train', { task: 'forecast', source: 1, colour: 1 }), 400, /^colour: unknown field/);
  assertError(await http(base, 'POST', '/api/train', { task: 'forecast', source: 99 }), 404, /99/);

  const started = await http(base, 'POST', '/api/train', { task: 'forecast', source: 1, model_name: 'rest model', epochs: 1 });
  assert.equal(started.status, 202, started.text);
  const { jobId, modelId } = started.body as { jobId: string; modelId: number };
  assert.ok(Number.isInteger(modelId));
  const job = await http(base, 'GET', `/api/jobs/${jobId}`);
  assert.equal((job.body as JobInfo).kind, 'train');
  await wb.call('jobs.cancel', { jobId });
  const listed = (await http(base, 'GET', '/api/models')).body as { id: number; name: string; task: string }[];
  assert.deepEqual(listed.map((m) => [m.id, m.name, m.task]), [[modelId, 'rest model', 'forecast']]);
});

test('REST and /metrics ask for the token when the server has one', async (t) => {
  const { base, token } = await serve(t, { token: 'sekrit-token' });
  assert.equal(token, 'sekrit-token');
  assert.equal((await http(base, 'GET', '/metrics')).status, 401);
  assert.equal((await http(base, 'GET', '/api/sources')).status, 401);
  assert.equal((await http(base, 'GET', '/metrics', undefined, { authorization: 'Bearer sekrit-token' })).status, 200);
  assert.equal((await http(base, 'GET', '/api/sources', undefined, { authorization: 'Bearer sekrit-token' })).status, 200);
});

test('POST /api/anomalies/detect on the NAB network series: flagged windows with score, severity and drivers; bad bodies named; inference metrics move', async (t) => {
  const { base } = await serve(t);
  const nab = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv');
  const opened = await http(base, 'POST', '/api/sources', { path: nab });
  assert.equal(opened.status, 202, opened.text);
  const job = await untilJobDone(base, (opened.body as { jobId: string }).jobId);
  assert.equal(job.phase, 'done');
  const source = job.sourceId!;

  assertError(await http(base, 'POST', '/api/anomalies/detect', {}), 400, /^source: required/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source: 'one' }), 400, /^source: must be a whole number/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, contamination: 0.9 }), 400, /^contamination: must be above 0 and at most 0\.5/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, resolution: -5 }), 400, /^resolution: /);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, from: 20, to: 10 }), 400, /^from: 20 is not before to 10/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, model: 1, contamination: 0.1 }), 400, /^contamination: not used with model/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, colour: 1 }), 400, /^colour: unknown field/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, metrics_file: '/x.csv' }), 400, /^metrics_file: /);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source: 99 }), 404, /99/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source, model: 42 }), 404, /42/);
  assertError(await http(base, 'POST', '/api/anomalies/detect', 'not json'), 400, /JSON/i);

  const r = await http(base, 'POST', '/api/anomalies/detect', { source, seed: 1 });
  assert.equal(r.status, 200, r.text);
  const body = r.body as { kind: string; windows: number; resolution: number; threshold: number; anomalies: { t: number; score: number; probability: number; severity: string; message: string; drivers: { column: string }[] }[] };
  assert.equal(body.kind, 'isolation_forest');
  // 4 032 five-minute samples; the default contamination flags about 5 % of them.
  assert.deepEqual([body.windows, body.resolution], [4032, 300]);
  assert.ok(Math.abs(body.anomalies.length - 0.05 * 4032) <= 0.01 * 4032, `${body.anomalies.length} flagged`);
  for (const a of body.anomalies) {
    assert.ok(a.score > body.threshold && a.score <= 1);
    assert.ok(a.probability >= 0.95 - 1e-9 && a.probability <= 1);
    assert.ok(['low', 'medium', 'high'].includes(a.severity));
    assert.match(a.message, /anomaly at 2014-04-/);
    assert.equal(a.drivers[0]?.column, 'value');
  }
  // NAB's labelled anomaly window of this series (labels.json): at least one flag falls inside it.
  const labels = JSON.parse((await import('node:fs')).readFileSync(join(corpusDir, 'timeseries', 'labels.json'), 'utf8')) as { windows: Record<string, [string, string][]> };
  const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T').replace(/\.\d+$/, '')}Z`) / 1000;
  const labelled = (labels.windows['realAWSCloudwatch/ec2_network_in_257a54.csv'] ?? []).map(([a, b]) => [utc(a), utc(b)] as const);
  assert.equal(labelled.length, 1);
  assert.ok(body.anomalies.some((a) => labelled.some(([a0, a1]) => a.t >= a0 && a.t <= a1)), 'a flag inside the labelled window');
  const more = (await http(base, 'POST', '/api/anomalies/detect', { source, seed: 1, contamination: 0.2 })).body as typeof body;
  assert.ok(more.anomalies.length > 3 * body.anomalies.length);

  const m = await metrics(base);
  assert.equal(m.get('flowbench_model_inference_total')?.type, 'counter');
  assert.equal(sampleValue(m, 'flowbench_model_inference_total', 'flowbench_model_inference_total', { task: 'anomaly' }), 2);
  assert.equal(m.get('flowbench_model_inference_duration_seconds')?.type, 'histogram');
  assert.equal(sampleValue(m, 'flowbench_model_inference_duration_seconds', 'flowbench_model_inference_duration_seconds_count', { task: 'anomaly' }), 2);
  const sum = sampleValue(m, 'flowbench_model_inference_duration_seconds', 'flowbench_model_inference_duration_seconds_sum', { task: 'anomaly' }) ?? 0;
  assert.ok(sum > 0 && sum < 120, `sum ${sum}`);
});

test('anomaly and classify models over REST: train from a metrics_file, detect with the model, export the stored flags, /traffic/classify one flow and a batch; bad bodies named', async (t) => {
  const { base, wb } = await serve(t);
  const nab = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv');
  assertError(await http(base, 'POST', '/api/train', { task: 'anomaly', metrics_file: 'relative.csv' }), 400, /^metrics_file: must be an absolute path/);
  assertError(await http(base, 'POST', '/api/train', { task: 'anomaly', metrics_file: '/no/such/series.csv' }), 404, /^metrics_file: no such file/);
  assertError(await http(base, 'POST', '/api/train', { task: 'anomaly', source: 1, lookback: 4 }), 400, /^lookback: not a setting of task anomaly/);
  assertError(await http(base, 'POST', '/api/train', { task: 'forecast', sources: [1, 2] }), 400, /^sources: a list of sources only trains task classify/);
  assertError(await http(base, 'POST', '/api/train', { task: 'classify', sources: [1, 'b'] }), 400, /^sources\[1\]: must be a source id/);

  const started = await http(base, 'POST', '/api/train', { task: 'anomaly', metrics_file: nab, contamination: 0.05, seed: 3, model_name: 'nab forest' });
  assert.equal(started.status, 202, started.text);
  const { jobId, modelId, sourceIds } = started.body as { jobId: string; modelId: number; sourceIds: number[] };
  assert.equal((await untilJobDone(base, jobId)).phase, 'done');
  const detail = await wb.call('models.get', { modelId });
  assert.ok(detail.ok);
  const flagged = (detail.value as { anomaly: { flagged: number } | null }).anomaly?.flagged ?? -1;

  // The same file again is the same source; the model's threshold flags the same share.
  const detected = await http(base, 'POST', '/api/anomalies/detect', { metrics_file: nab, model: modelId });
  assert.equal(detected.status, 200, detected.text);
  const d = detected.body as { kind: string; sourceId: number; modelId: number; windows: number; anomalies: { t: number }[] };
  assert.deepEqual([d.kind, d.sourceId, d.modelId, d.windows, d.anomalies.length], ['isolation_forest', sourceIds[0], modelId, 4032, flagged]);
  assertError(await http(base, 'POST', '/api/anomalies/detect', { source: sourceIds[0], model: modelId, seed: 1 }), 400, /^seed: not used with model/);

  const exported = await http(base, 'POST', '/api/export', { format: 'jsonl', table: 'anomalies', source: sourceIds[0], dir: 'flags' });
  assert.equal(exported.status, 200, exported.text);
  assert.equal((exported.body as { rows: number }).rows, flagged);

  // A flow classifier on two corpus captures (split by file), then /traffic/classify.
  const ids: number[] = [];
  for (const f of ['ndpi__netflix.pcap', 'ndpi__signal.pcap']) {
    const o = await http(base, 'POST', '/api/sources', { path: join(corpusDir, 'pcap', f) });
    ids.push((await untilJobDone(base, (o.body as { jobId: string }).jobId)).sourceId!);
  }
  const cls = await http(base, 'POST', '/api/train', { task: 'classify', sources: ids, epochs: 2, seed: 1 });
  assert.equal(cls.status, 202, cls.text);
  const clsJob = await untilJobDone(base, (cls.body as { jobId: string }).jobId);
  assert.equal(clsJob.phase, 'done', JSON.stringify(clsJob.error));
  const classifier = (cls.body as { modelId: number }).modelId;

  const page = await wb.call('flows.page', { sourceId: ids[0]!, limit: 3, offset: 0 });
  assert.ok(page.ok);
  const details = await Promise.all((page.value as Page<FlowRow>).rows.map(async (r) => {
    const g = await wb.call('flows.get', { flowId: r.id });
    assert.ok(g.ok);
    return g.value as FlowDetail;
  }));
  const behaviour = (f: (typeof details)[number]): Record<string, unknown> => ({
    proto: f.proto, duration: f.duration, fwd_packets: f.fwd_packets, bwd_packets: f.bwd_packets, fwd_bytes: f.fwd_bytes, bwd_bytes: f.bwd_bytes,
    pkt_len: f.pkt_len, iat: f.iat, syn_count: f.syn_count, handshake_rtt: f.handshake_rtt, early_packets: f.early_packets,
  });
  const one = await http(base, 'POST', '/traffic/classify', { flow: behaviour(details[0]!) });
  assert.equal(one.status, 200, one.text);
  const p = one.body as { model: number; label: string; confidence: number };
  assert.equal(p.model, classifier);
  assert.match(p.label, /^(web|streaming|conferencing|messaging|dns|mail|file_transfer|vpn_tunnel|other)$/);
  assert.ok(p.confidence > 0 && p.confidence <= 1);
  const batch = await http(base, 'POST', '/traffic/classify', { model: classifier, flows: details.map(behaviour) });
  assert.equal(batch.status, 200, batch.text);
  const preds = (batch.body as { predictions: { label: string; confidence: number }[] }).predictions;
  assert.equal(preds.length, details.length);
  assert.deepEqual(preds[0], { label: p.label, confidence: p.confidence });

  const flow = behaviour(details[0]!);
  assertError(await http(base, 'POST', '/traffic/classify', { flow: { ...flow, server_port: 443 } }), 400, /^flow\.server_port: unknown field/);
  assertError(await http(base, 'POST', '/traffic/classify', { flow: { ...flow, early_packets: [[60, 2, 0]] } }), 400, /^flow\.early_packets\[0\]\[1\]: must be 1/);
  assertError(await http(base, 'POST', '/traffic/classify', { flows: [flow, { ...flow, duration: -1 }] }), 400, /^flows\[1\]\.duration: must be a number/);
  assertError(await http(base, 'POST', '/traffic/classify', { flows: [] }), 400, /^flows: must be a list of 1 to/);
  assertError(await http(base, 'POST', '/traffic/classify', { flow, flows: [flow] }), 400, /^flow: give one flow/);
  assertError(await http(base, 'POST', '/traffic/classify', { flow, model: 999 }), 404, /^model: no model 999/);
  assertError(await http(base, 'POST', '/traffic/classify', { flow, model: modelId }), 400, /^model: model \d+ is an anomaly model, not a classify model/);
});
