import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { JobInfo, ServerFrame, SourceInfo } from '../../src-shared/api.js';
import { corpusDir, readTruth } from '../../test/corpus-paths.js';
import { Workbench } from '../workbench/workbench.js';
import { startServer } from './http-server.js';
import type { RunningServer, ServeOptions } from './http-server.js';

// A real server on 127.0.0.1 (or bound to 0.0.0.0 for the token checks, but only ever
// connected to through 127.0.0.1), a real `ws` client, real uploads and static files.

async function serve(t: TestContext, opts: Partial<ServeOptions> = {}): Promise<{ server: RunningServer; dir: string; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-serve-'));
  const wb = Workbench.open({ workspacePath: join(dir, 'w.flowbench'), host: 'server' });
  if (!wb.ok) throw new Error(wb.error.message);
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Flowbench test renderer</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  const s = await startServer({ workbench: wb.value, host: '127.0.0.1', port: 0, rendererDir: renderer, ...opts });
  if (!s.ok) throw new Error(s.error.message);
  t.after(async () => {
    await s.value.close();
    await wb.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server: s.value, dir, base: `http://127.0.0.1:${s.value.port}` };
}

/** GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that collects frames. */
class Client {
  readonly frames: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 1;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(String(d)) as ServerFrame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  async call(method: string, req: unknown): Promise<Extract<ServerFrame, { type: 'result' }>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'call', id, method, req }));
    return (await this.until((f) => f.type === 'result' && f.id === id)) as Extract<ServerFrame, { type: 'result' }>;
  }

  async until(match: (f: ServerFrame) => boolean, timeoutMs = 30_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(match);
      if (f !== undefined) return f;
      if (this.closed !== null) throw new Error(`socket closed: ${this.closed.code} ${this.closed.reason}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async untilClosed(): Promise<{ code: number; reason: string }> {
    while (this.closed === null) await new Promise<void>((r) => this.waiters.push(r));
    return this.closed;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

const jobDone = (jobId: string) => (f: ServerFrame): boolean =>
  f.type === 'event' && f.event === 'jobs.progress' && (f.payload as JobInfo).jobId === jobId && ['done', 'failed', 'cancelled'].includes((f.payload as JobInfo).phase);

test('WebSocket API: calls, events, and errors for bad calls', async (t) => {
  const { server } = await serve(t);
  assert.equal(server.token, null, 'loopback needs no token unless given');
  const c = await Client.open(`ws://127.0.0.1:${server.port}/api/ws`);
  t.after(() => c.ws.terminate());

  const info = await c.call('app.info', {});
  assert.equal(info.ok, true);
  assert.equal(info.ok && (info.value as { host: string }).host, 'server');

  const name = 'ndpi__443-firefox.pcap';
  const opened = await c.call('sources.open', { path: join(corpusDir, 'pcap', name) });
  assert.ok(opened.ok);
  const jobId = (opened.value as { jobId: string }).jobId;
  const done = await c.until(jobDone(jobId));
  assert.equal(((done as { payload: JobInfo }).payload).phase, 'done');
  await c.until((f) => f.type === 'event' && f.event === 'sources.changed');
  const list = await c.call('sources.list', {});
  const sources = (list as { value: SourceInfo[] }).value;
  const truth = readTruth(name) as { packets: number; wire_bytes: number };
  assert.equal(sources[0]?.packets, truth.packets);
  assert.equal(sources[0]?.bytes, truth.wire_bytes);

  const unknown = await c.call('sources.explode', {});
  assert.equal(unknown.ok, false);
  assert.equal(!unknown.ok && unknown.error.code, 'invalid_argument');
  assert.match(!unknown.ok ? unknown.error.message : '', /method/);
  const badArg = await c.call('flows.page', { sourceId: 1, limit: -5, offset: 0 });
  assert.match(!badArg.ok ? badArg.error.message : '', /limit/);
  const notFound = await c.call('flows.get', { flowId: 123456 });
  assert.equal(!notFound.ok && notFound.error.code, 'not_found');

  // A frame without an id cannot be answered: the socket closes with the reason.
  c.ws.send(JSON.stringify({ type: 'call', method: 'app.info', req: {} }));
  assert.deepEqual(await c.untilClosed(), { code: 1008, reason: 'frame id must be a non-negative integer' });

  const c2 = await Client.open(`ws://127.0.0.1:${server.port}/api/ws`);
  c2.ws.send('{not json');
  assert.deepEqual(await c2.untilClosed(), { code: 1007, reason: 'frame is not JSON' });

  const c3 = await Client.open(`ws://127.0.0.1:${server.port}/api/ws`);
  c3.ws.send('x'.repeat(2 * 1024 * 1024));
  assert.equal((await c3.untilClosed()).code, 1009, 'an oversized frame closes the socket');

  await assert.rejects(Client.open(`ws://127.0.0.1:${server.port}/api/ws`, { Origin: 'http://evil.example' }), /HTTP 403/);
  await assert.rejects(Client.open(`ws://127.0.0.1:${server.port}/api/ws`, { Origin: 'http://127.0.0.1.evil.example' }), /HTTP 403/);
  const dev = await Client.open(`ws://127.0.0.1:${server.port}/api/ws`, { Origin: 'http://localhost:5173' });
  assert.equal((await dev.call('jobs.list', {})).ok, true, 'the renderer dev server on loopback may connect');
  dev.ws.terminate();
  await assert.rejects(Client.open(`ws://127.0.0.1:${server.port}/api/other`), /HTTP 404/);
});

test('POST /api/upload stores the body under uploads/ and ingests it', async (t) => {
  const { server, dir, base } = await serve(t);
  const c = await Client.open(`ws://127.0.0.1:${server.port}/api/ws`);
  t.after(() => c.ws.terminate());
  const name = 'ndpi__443-firefox.pcap';
  const body = readFileSync(join(corpusDir, 'pcap', name));
  const res = await fetch(`${base}/api/upload?name=${encodeURIComponent('../../evil name.pcap')}`, { method: 'POST', body });
  assert.equal(res.status, 200);
  const { jobId } = (await res.json()) as { jobId: string };
  const done = (await c.until(jobDone(jobId))) as { payload: JobInfo };
  assert.equal(done.payload.phase, 'done');
  const sources = ((await c.call('sources.list', {})) as { value: SourceInfo[] }).value;
  const truth = readTruth(name) as { packets: number; wire_bytes: number };
  assert.equal(sources.length, 1);
  assert.equal(sources[0]?.packets, truth.packets);
  assert.equal(sources[0]?.bytes, truth.wire_bytes);
  const stored = sources[0]?.path ?? '';
  assert.ok(stored.startsWith(join(dir, 'uploads') + '/'), stored);
  assert.match(stored, /\/uploads\/\d+-[0-9a-f]{8}\/evil_name\.pcap$/, 'its own folder, the name made safe');
  assert.equal(sources[0]?.displayName, 'evil_name.pcap');
  assert.deepEqual(readFileSync(stored), body);

  const missingName = await fetch(`${base}/api/upload`, { method: 'POST', body: 'x' });
  assert.equal(missingName.status, 400);
  assert.equal((await fetch(`${base}/api/upload?name=a.pcap`)).status, 405);
});

test('upload over the size limit is refused and nothing is kept', async (t) => {
  const { dir, base } = await serve(t, { uploadLimitBytes: 1000 });
  const declared = await fetch(`${base}/api/upload?name=big.pcap`, { method: 'POST', body: Buffer.alloc(5000) });
  assert.equal(declared.status, 413);
  // Chunked, no Content-Length: the limit is enforced while streaming.
  const chunks = [Buffer.alloc(600), Buffer.alloc(600)];
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
  const chunked = await fetch(`${base}/api/upload?name=big.pcap`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(chunked.status, 413);
  assert.match(await chunked.text(), /limit of 1000/);
  assert.deepEqual(readdirSync(join(dir, 'uploads')), []);
});

test('static files: index, assets, SPA fallback, CSP, traversal refused', async (t) => {
  const { server, base } = await serve(t);
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(await index.text(), /Flowbench test renderer/);
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /connect-src 'self' ws:/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');

  const js = await fetch(`${base}/assets/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.equal(await js.text(), 'console.log("app");');

  const route = await fetch(`${base}/sources/3/flows`);
  assert.equal(route.status, 200);
  assert.match(await route.text(), /Flowbench test renderer/);
  assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${base}/api/nothing`)).status, 404);

  for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt']) {
    const r = await rawGet(server.port, path);
    assert.equal(r.status, 400, path);
    assert.doesNotMatch(r.body, /outside the root/);
  }
  const health = await fetch(`${base}/api/health`);
  assert.deepEqual(await health.json(), { ok: true });
});

test('renderer not built: a page says so', async (t) => {
  const { base } = await serve(t, { rendererDir: join(tmpdir(), 'flowbench-no-such-renderer') });
  const r = await fetch(`${base}/`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /renderer is not built/);
});

test('bound beyond loopback: a token is generated and required on HTTP and WebSocket', async (t) => {
  const { server } = await serve(t, { host: '0.0.0.0' });
  assert.equal(server.tokenGenerated, true);
  const token = server.token ?? '';
  assert.ok(token.length >= 16);
  const base = `http://127.0.0.1:${server.port}`;
  assert.equal((await fetch(`${base}/api/health`)).status, 401);
  assert.equal((await fetch(`${base}/`)).status, 401);
  assert.equal((await fetch(`${base}/api/health`, { headers: { Authorization: 'Bearer wrong-token-value' } })).status, 401);
  assert.equal((await fetch(`${base}/api/upload?name=a.pcap`, { method: 'POST', body: 'x' })).status, 401);
  assert.equal((await fetch(`${base}/api/health`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  const viaQuery = await fetch(`${base}/?token=${token}`);
  assert.equal(viaQuery.status, 200);
  // The page's own assets and socket pass with the cookie set by the ?token= visit.
  const cookie = (viaQuery.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.equal((await fetch(`${base}/assets/app.js`, { headers: { Cookie: cookie } })).status, 200);

  await assert.rejects(Client.open(`ws://127.0.0.1:${server.port}/api/ws`), /HTTP 401/);
  await assert.rejects(Client.open(`ws://127.0.0.1:${server.port}/api/ws?token=nope`), /HTTP 401/);
  const c = await Client.open(`ws://127.0.0.1:${server.port}/api/ws?token=${token}`);
  t.after(() => c.ws.terminate());
  assert.equal((await c.call('jobs.list', {})).ok, true);
});

test('a token given on loopback is required too', async (t) => {
  const { server, base } = await serve(t, { token: 'given-token-123' });
  assert.equal(server.tokenGenerated, false);
  assert.equal((await fetch(`${base}/api/health`)).status, 401);
  assert.equal((await fetch(`${base}/api/health`, { headers: { Authorization: 'Bearer given-token-123' } })).status, 200);
});
