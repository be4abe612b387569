import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CaptureStatus, JobInfo } from '../../src-shared/api.js';
import { LO, loopbackSkipReason } from '../../test/loopback-probe.js';
import { startServer } from '../server/http-server.js';
import { createDirectClient } from './direct-client.js';
import { Workbench } from './workbench.js';

// capture.start / capture.stop through the workbench on the loopback interface, with UDP
// datagrams the test sends itself to a port nobody else uses.

const skip = await loopbackSkipReason();

test('capture.start records lo into a capture source; capture.stop ends it with everything kept', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-wb-capture-'));
  const r = Workbench.open({ workspacePath: join(dir, 'w.flowbench'), host: 'server' });
  if (!r.ok) throw new Error(r.error.message);
  const wb = r.value;
  t.after(async () => {
    await wb.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = createDirectClient(wb);
  const info = await api.call('app.info', {});
  assert.ok(info.ok && info.value.capture.available);
  const ifaces = await api.call('capture.interfaces', {});
  assert.ok(ifaces.ok && ifaces.value.some((i) => i.name === LO && i.loopback));

  const statuses: CaptureStatus[] = [];
  api.on('capture.status', (s) => statuses.push(s));
  const port = 40000 + (process.pid % 20000);
  const started = await api.call('capture.start', { interface: LO, filter: `udp and dst port ${port}` });
  assert.ok(started.ok);
  const jobId = started.value.jobId;
  const end = new Promise<JobInfo>((resolve) => {
    api.on('jobs.progress', (j) => { if (j.jobId === jobId && j.phase !== 'queued' && j.phase !== 'running') resolve(j); });
  });
  const running = new Promise<JobInfo>((resolve) => {
    api.on('jobs.progress', (j) => { if (j.jobId === jobId && j.phase === 'running') resolve(j); });
  });
  await running;
  const sock = createSocket('udp4');
  const SENT = 50;
  for (let i = 0; i < SENT; i++) await new Promise<void>((res) => sock.send(Buffer.alloc(100), port, '127.0.0.1', () => res()));
  sock.close();
  await new Promise((res) => setTimeout(res, 1500));
  assert.deepEqual(await api.call('capture.stop', { jobId }), { ok: true, value: null });
  const job = await end;
  assert.equal(job.phase, 'done');
  assert.equal(job.packets, SENT);

  const source = await api.call('sources.get', { sourceId: job.sourceId! });
  assert.ok(source.ok);
  assert.equal(source.value.kind, 'capture');
  assert.equal(source.value.status, 'complete');
  assert.equal(source.value.packets, SENT);
  // 100 bytes of payload + UDP 8 + IPv4 20 + Ethernet 14 on lo.
  assert.equal(source.value.bytes, SENT * 142);
  const pcap = source.value.path ?? '';
  assert.equal(dirname(pcap), join(dir, 'captures'));
  assert.ok(existsSync(pcap) && statSync(pcap).size > SENT * 142);
  const last = statuses.at(-1);
  assert.equal(last?.running, false);
  assert.equal(last?.packets, SENT);
  assert.ok(statuses.some((s) => s.running && s.jobId === jobId), 'a status every second while running');

  const again = await api.call('capture.stop', { jobId });
  assert.equal(again.ok ? '' : again.error.code, 'not_found');
  const bad = await api.call('capture.start', { interface: LO, snaplen: 5 });
  assert.match(bad.ok ? '' : bad.error.message, /snaplen/);
});

test("ignoreOwnTraffic leaves the server's own port out of a capture; without it the same traffic is captured", { skip, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-wb-own-'));
  const r = Workbench.open({ workspacePath: join(dir, 'w.flowbench'), host: 'server' });
  if (!r.ok) throw new Error(r.error.message);
  const wb = r.value;
  const served = await startServer({ workbench: wb, host: '127.0.0.1', port: 0 });
  if (!served.ok) throw new Error(served.error.message);
  t.after(async () => {
    await served.value.close();
    await wb.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = createDirectClient(wb);
  const port = served.value.port;
  const udpPort = 40000 + ((process.pid + 7) % 20000);

  /** Captures while making 5 requests to the server and sending 5 datagrams; returns [server-port packets, udp packets]. */
  const captureOnce = async (ignoreOwnTraffic: boolean): Promise<[number, number]> => {
    const started = await api.call('capture.start', { interface: LO, filter: `tcp port ${port} or udp dst port ${udpPort}`, ignoreOwnTraffic });
    assert.ok(started.ok, started.ok ? '' : started.error.message);
    const jobId = started.value.jobId;
    const end = new Promise<JobInfo>((resolve) => {
      api.on('jobs.progress', (j) => { if (j.jobId === jobId && j.phase !== 'queued' && j.phase !== 'running') resolve(j); });
    });
    await new Promise<void>((resolve) => {
      const off = api.on('jobs.progress', (j) => { if (j.jobId === jobId && j.phase === 'running') { off(); resolve(); } });
    });
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${served.value.url}api/health`)).status, 200);
    const sock = createSocket('udp4');
    for (let i = 0; i < 5; i++) await new Promise<void>((res) => sock.send(Buffer.alloc(10), udpPort, '127.0.0.1', () => res()));
    sock.close();
    await new Promise((res) => setTimeout(res, 1200));
    await api.call('capture.stop', { jobId });
    const job = await end;
    const flows = await api.call('flows.page', { sourceId: job.sourceId!, limit: 100, offset: 0 });
    assert.ok(flows.ok);
    const own = flows.value.rows.filter((f) => f.proto === 6 && (f.server_port === port || f.client_port === port)).reduce((n, f) => n + f.packets, 0);
    const udp = flows.value.rows.filter((f) => f.proto === 17).reduce((n, f) => n + f.packets, 0);
    return [own, udp];
  };
  const [ownKept, udpKept] = await captureOnce(false);
  assert.ok(ownKept >= 5 * 3, `the server's own traffic is captured when not ignored (${ownKept} packets)`);
  assert.equal(udpKept, 5);
  const [ownLeft, udpLeft] = await captureOnce(true);
  assert.equal(ownLeft, 0, "no packet of the server's own port when ignored");
  assert.equal(udpLeft, 5, 'the rest of the filter still applies');
});
