/**
 * Live capture on the loopback interface with traffic the test makes itself, to 127.0.0.1
 * only, bounded in count and time. Needs root (CI runs as root) or the capture capabilities;
 * skipped, with the reason, when lo cannot be opened.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { validateCaptureOptions, type CaptureOptions } from '../src-main/capture/capture-options.js';
import { startCapture, validateCaptureFilter } from '../src-main/capture/capture-session.js';
import { runLiveCapture, type LiveOutcome, type LiveStatus } from '../src-main/capture/live-capture.js';
import { main } from '../src-main/cli/main.js';
import { recordingIo } from '../src-main/cli/test-io.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { openWorkspace, type Workspace } from '../src-main/store/workspace.js';
import { LO, loopbackSkipReason } from './loopback-probe.js';

const UDP_DATAGRAMS = 200;
/** Ethernet (DLT_EN10MB on Linux lo) + IPv4 + UDP headers. */
const UDP_OVERHEAD = 14 + 20 + 8;

const skipReason = await loopbackSkipReason();

function setup(t: TestContext): { ws: Workspace; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-live-'));
  const r = openWorkspace(join(dir, 'w.flowbench'));
  if (!r.ok) throw new Error(r.error.message);
  t.after(() => {
    r.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ws: r.value, dir };
}

function options(input: Parameters<typeof validateCaptureOptions>[0]): CaptureOptions {
  const r = validateCaptureOptions(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A UDP receiver on 127.0.0.1 at a free port (so no ICMP unreachable is generated). */
async function udpReceiver(t: TestContext): Promise<{ port: number; received: () => number }> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', () => { n++; });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  t.after(() => sock.close());
  return { port: sock.address().port, received: () => n };
}

/** Sends `count` datagrams to 127.0.0.1:port, payload sizes 10..109; resolves with the wire bytes. */
async function sendUdp(port: number, count: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const size = 10 + (i % 100);
      bytes += size + UDP_OVERHEAD;
      await new Promise<void>((resolve, reject) => sock.send(Buffer.alloc(size, i), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
  } finally {
    sock.close();
  }
  return bytes;
}

/** One TCP connection to 127.0.0.1:port: 1000 bytes each way, then close. Bounded by a 5 s timeout. */
async function tcpExchange(t: TestContext, port: number): Promise<void> {
  const server = net.createServer((c) => {
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(() => server.close());
  await withTimeout(new Promise<void>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.end(Buffer.alloc(1000, 7)));
    let echoed = 0;
    c.on('data', (d) => { echoed += d.length; });
    c.on('close', () => (echoed === 1000 ? resolve() : reject(new Error(`echoed ${echoed} bytes`))));
    c.on('error', reject);
  }), 5000, 'tcp exchange');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); }),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts records and wire bytes of a recording with our reader. */
function readBack(paths: readonly string[]): { packets: number; bytes: number; linkTypes: readonly number[] } {
  const raw = createRawBatch(4096);
  let packets = 0;
  let bytes = 0;
  let linkTypes: readonly number[] = [];
  for (const p of paths) {
    const r = openCapture(p);
    if (!r.ok) throw new Error(r.error.message);
    for (let n = r.value.next(raw); n > 0; n = r.value.next(raw)) {
      packets += n;
      for (let i = 0; i < n; i++) bytes += raw.wirelen[i]!;
    }
    assert.deepEqual(r.value.warnings, []);
    linkTypes = r.value.linkTypes();
    r.value.close();
  }
  return { packets, bytes, linkTypes };
}

function windowSums(ws: Workspace, sourceId: number, resolution: number): { packets: number; bytes: number; udp: number; tcp: number } {
  const row = ws.db.prepare(
    `SELECT COALESCE(SUM(packets),0) AS packets, COALESCE(SUM(bytes),0) AS bytes,
            COALESCE(SUM(udp_packets),0) AS udp, COALESCE(SUM(tcp_packets),0) AS tcp
       FROM windows WHERE source_id = ? AND resolution = ?`,
  ).get(sourceId, resolution) as { packets: number; bytes: number; udp: number; tcp: number };
  return row;
}

test('UDP datagrams on lo: counts, bytes, pcapng read-back and SQLite windows equal what was sent', { skip: skipReason, timeout: 20_000 }, async (t) => {
  const { ws, dir } = setup(t);
  const rx = await udpReceiver(t);
  const port = rx.port;
  const pcap = join(dir, 'lo.pcapng');
  const controller = new AbortController();
  let started!: () => void;
  const isStarted = new Promise<void>((resolve) => { started = resolve; });
  let statusCalls = 0;
  let lastStatus: LiveStatus | undefined;
  const run = runLiveCapture(ws.db, {
    capture: options({ interface: LO, filter: `udp port ${port}` }),
    recording: { path: pcap },
    signal: controller.signal,
    onStarted: () => started(),
    onStatus: (st) => { statusCalls++; lastStatus = st; },
  });
  await withTimeout(isStarted, 10_000, 'capture start');
  const sentBytes = await sendUdp(port, UDP_DATAGRAMS);
  await withTimeout((async () => { while (rx.received() < UDP_DATAGRAMS) await sleep(20); })(), 5000, 'udp receive');
  // Let the last batch (flushed every 100 ms) and a status tick through, then stop as Ctrl-C would.
  await sleep(1200);
  controller.abort();
  const result = await withTimeout(run, 10_000, 'capture stop');
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  const o: LiveOutcome = result.value;
  assert.equal(o.error, null);
  assert.equal(o.reason, 'stopped');
  assert.equal(o.packets, UDP_DATAGRAMS);
  assert.equal(o.bytes, sentBytes);
  // libpcap's drop counter is known now (a number, not null) and, with every datagram captured, 0.
  assert.equal(o.dropped, 0);
  assert.equal(typeof o.interfaceDropped, 'number');
  assert.ok(statusCalls >= 1, 'a status every second');
  assert.equal(typeof lastStatus?.dropped, 'number', 'the status line knows the drop count');

  assert.deepEqual(o.pcapFiles, [pcap]);
  assert.deepEqual(readBack(o.pcapFiles), { packets: UDP_DATAGRAMS, bytes: sentBytes, linkTypes: [1] });
  if (existsSync('/usr/bin/capinfos')) {
    const ci = spawnSync('/usr/bin/capinfos', ['-c', '-M', pcap], { encoding: 'utf8', timeout: 10_000 });
    assert.match(ci.stdout, new RegExp(`Number of packets:\\s+${UDP_DATAGRAMS}\\b`));
  }

  for (const res of [1, 10, 60]) {
    assert.deepEqual(windowSums(ws, o.sourceId, res), { packets: UDP_DATAGRAMS, bytes: sentBytes, udp: UDP_DATAGRAMS, tcp: 0 }, `${res} s windows`);
  }
  const src = ws.db.prepare('SELECT kind, status, packets, bytes, path FROM sources WHERE id = ?').get(o.sourceId);
  assert.deepEqual(src, { kind: 'capture', status: 'complete', packets: UDP_DATAGRAMS, bytes: sentBytes, path: pcap });
  const flows = ws.db.prepare('SELECT COUNT(*) AS n FROM flows WHERE source_id = ?').get(o.sourceId) as { n: number };
  assert.ok(flows.n >= 1, 'the UDP flow is stored');
});

test('a TCP exchange on lo is captured whole: recording, windows and totals agree', { skip: skipReason, timeout: 20_000 }, async (t) => {
  const { ws, dir } = setup(t);
  // A free TCP port: listen on 0, read it, close, reuse the number for the test server.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const pcap = join(dir, 'tcp.pcapng');
  const controller = new AbortController();
  let started!: () => void;
  const isStarted = new Promise<void>((resolve) => { started = resolve; });
  const run = runLiveCapture(ws.db, {
    capture: options({ interface: LO, filter: `tcp port ${port}` }),
    recording: { path: pcap, tsResolution: 'ns' },
    signal: controller.signal,
    onStarted: () => started(),
  });
  await withTimeout(isStarted, 10_000, 'capture start');
  await tcpExchange(t, port);
  await sleep(500);
  controller.abort();
  const result = await withTimeout(run, 10_000, 'capture stop');
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  const o = result.value;
  // SYN, SYN/ACK, ACK, data, data, and the FIN exchange: at least 8 segments, all TCP.
  assert.ok(o.packets >= 8, `${o.packets} packets`);
  const back = readBack(o.pcapFiles);
  assert.equal(back.packets, o.packets);
  assert.equal(back.bytes, o.bytes);
  assert.deepEqual(windowSums(ws, o.sourceId, 1), { packets: o.packets, bytes: o.bytes, udp: 0, tcp: o.packets });
  const flow = ws.db.prepare('SELECT COUNT(*) AS n FROM flows WHERE source_id = ?').get(o.sourceId) as { n: number };
  assert.equal(flow.n, 1, 'one TCP connection, one flow');
});

test('--count stops after exactly N packets, and the CLI prints the one JSON object', { skip: skipReason, timeout: 20_000 }, async (t) => {
  const { dir } = setup(t);
  const rx = await udpReceiver(t);
  const io = recordingIo();
  const pcap = join(dir, 'count.pcapng');
  const db = join(dir, 'cli.flowbench');
  const run = main(['capture', '--interface', LO, '--filter', `udp port ${rx.port}`, '--count', '50', '--pcap', pcap, '--db', db, '--json'], io);
  // The CLI prints nothing until the end with --json: send until it has what it needs.
  let sent = 0;
  const deadline = Date.now() + 10_000;
  let code: number | undefined;
  void run.then((c) => { code = c; });
  while (code === undefined && Date.now() < deadline && sent < 2000) {
    sent += 10;
    await sendUdp(rx.port, 10);
    await sleep(50);
  }
  const exit = await withTimeout(run, 10_000, 'capture --count');
  assert.equal(exit, 0, io.stderr());
  const out = JSON.parse(io.stdout()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['sourceId', 'interface', 'filter', 'packets', 'bytes', 'durationSeconds', 'dropped', 'pcap']);
  assert.equal(out['packets'], 50);
  assert.equal(out['interface'], LO);
  assert.equal(out['filter'], `udp port ${rx.port}`);
  assert.equal(typeof out['dropped'], 'number', 'pcap_stats drop count, known');
  assert.equal(out['pcap'], pcap);
  assert.equal(readBack([pcap]).packets, 50);
});

test('--duration stops the capture after about that long', { skip: skipReason, timeout: 20_000 }, async (t) => {
  const { ws } = setup(t);
  const rx = await udpReceiver(t);
  const t0 = performance.now();
  const result = await withTimeout(runLiveCapture(ws.db, { capture: options({ interface: LO, filter: `udp port ${rx.port}`, durationSeconds: 1.5 }) }), 10_000, 'capture --duration');
  const elapsed = (performance.now() - t0) / 1000;
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  assert.equal(result.value.reason, 'duration');
  assert.equal(result.value.packets, 0);
  assert.equal(result.value.pcap, null);
  assert.ok(elapsed >= 1.4 && elapsed < 6, `took ${elapsed} s`);
  assert.ok(result.value.durationSeconds >= 1.4 && result.value.durationSeconds < 3, `${result.value.durationSeconds} s`);
});

test('a bad filter is a clear error at the filter field; a missing interface at the interface field', { skip: skipReason, timeout: 20_000 }, async () => {
  const bad = await startCapture(options({ interface: LO, filter: 'udp prot 53' }), () => {});
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.field, 'filter');
    assert.equal(bad.error.code, 'invalid_argument');
    assert.match(bad.error.message, /^filter: invalid capture filter "udp prot 53": .*syntax error/);
  }
  const range = await validateCaptureFilter(LO, 'tcp port 70000');
  assert.equal(range.ok, false);
  if (!range.ok) assert.match(range.error.message, /^filter: .*70000/);
  assert.deepEqual(await validateCaptureFilter(LO, 'udp and port 53'), { ok: true, value: null });

  const missing = await startCapture(options({ interface: 'flowbench-no-if0' }), () => {});
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.equal(missing.error.field, 'interface');
    assert.equal(missing.error.code, 'not_found');
  }
  const io = recordingIo();
  assert.equal(await main(['capture', '--interface', LO, '--filter', 'udp prot 53', '--count', '1', '--db', '/nonexistent-dir/x.db'], io), 1);
  // Workspace first or filter first, the CLI error is one line without a stack.
  assert.equal(io.stderr().trim().split('\n').length, 1);
});

test('without CAP_NET_RAW the error says what to run (unprivileged user via setpriv)', { skip: skipReason || (existsSync('/usr/bin/setpriv') ? false : 'setpriv not installed'), timeout: 20_000 }, (t) => {
  const script = `
    import { startCapture } from './src-main/capture/capture-session.ts';
    import { validateCaptureOptions } from './src-main/capture/capture-options.ts';
    const o = validateCaptureOptions({ interface: 'lo', count: 1 });
    const r = await startCapture(o.value, () => {});
    process.stdout.write(JSON.stringify(r.ok ? { ok: true } : r.error));
    process.exit(0);`;
  const child = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 15_000, cwd: process.cwd(),
  });
  if (child.status !== 0 || child.stdout === '') {
    t.skip(`cannot run node as nobody here: ${child.stderr.split('\n')[0] ?? ''}`);
    return;
  }
  const e = JSON.parse(child.stdout) as { code: string; field: string; message: string };
  assert.equal(e.code, 'permission_denied');
  assert.equal(e.field, 'interface');
  assert.match(e.message, /sudo setcap cap_net_raw,cap_net_admin=eip \/\S*node/);
});
