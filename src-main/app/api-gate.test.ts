import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EVENTS, METHODS } from '../../src-shared/api.js';
import { isEventName, isMethod, routeApiCall, type WorkbenchPort } from './api-gate.js';
import { DropGrants } from './capture-path.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbench-gate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A workbench that records calls and answers ok (or throws for 'stats.get'). */
function fakeWorkbench(): WorkbenchPort & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    call(method, req) {
      calls.push([method, req]);
      if (method === 'stats.get') return Promise.reject(new Error('boom\n    at stack'));
      return Promise.resolve({ ok: true, value: { jobId: 'j1' } });
    },
    onEvent: () => () => undefined,
  };
}

test('the allow-lists are the contract lists', () => {
  for (const m of METHODS) assert.equal(isMethod(m), true, m);
  for (const e of EVENTS) assert.equal(isEventName(e), true, e);
  for (const bad of ['constructor', '__proto__', 'sources', 'sources.open ', '', 7, null]) {
    assert.equal(isMethod(bad), false, String(bad));
    assert.equal(isEventName(bad), false, String(bad));
  }
});

test('unknown methods never reach the workbench; known ones pass through raw', async () => {
  const wb = fakeWorkbench();
  const drops = new DropGrants();
  const r = await routeApiCall(wb, drops, 'fs.readFile', { path: '/etc/passwd' });
  assert.equal(r.ok ? 'ok' : r.error.code, 'invalid_argument');
  const r2 = await routeApiCall(wb, drops, { toString: () => 'sources.list' }, {});
  assert.equal(r2.ok, false);
  assert.deepEqual(await routeApiCall(wb, drops, 'sources.list', { junk: 1 }), { ok: true, value: { jobId: 'j1' } });
  assert.deepEqual(wb.calls, [['sources.list', { junk: 1 }]], 'argument validation is the workbench\'s');
});

test('a throw becomes an internal error value without a stack', async () => {
  const r = await routeApiCall(fakeWorkbench(), new DropGrants(), 'stats.get', { sourceId: 1 });
  assert.deepEqual(r, { ok: false, error: { code: 'internal', message: 'stats.get: boom' } });
});

test('sources.open from the page opens only dropped, existing regular files', async () => {
  const file = join(dir, 'dropped.pcap');
  writeFileSync(file, 'x');
  const wb = fakeWorkbench();
  const drops = new DropGrants();
  const opened: string[] = [];
  const open = (req: unknown) => routeApiCall(wb, drops, 'sources.open', req, (p) => opened.push(p));
  const code = (r: Awaited<ReturnType<typeof open>>) => (r.ok ? 'ok' : r.error.code);

  assert.equal(code(await open({ path: file })), 'permission_denied', 'not dropped');
  assert.equal(code(await open({ path: '/etc/passwd' })), 'permission_denied');
  assert.equal(code(await open(null)), 'permission_denied');
  drops.grant(file);
  drops.grant(dir);
  drops.grant(join(dir, 'gone.pcap'));
  assert.equal(code(await open({ path: dir })), 'invalid_argument', 'a dropped folder');
  assert.equal(code(await open({ path: join(dir, 'gone.pcap') })), 'not_found');
  assert.deepEqual(wb.calls, []);
  assert.equal(code(await open({ path: file, force: true })), 'ok');
  assert.deepEqual(wb.calls, [['sources.open', { path: file, force: true }]]);
  assert.deepEqual(opened, [file], 'added to Open Recent');
});
