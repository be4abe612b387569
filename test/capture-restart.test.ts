/**
 * Starting and stopping a live capture many times in one process leaks nothing: 20 captures on
 * lo through runLiveCapture (the path the CLI and the app use), each stopped by its AbortSignal
 * after it saw the test's own datagrams to 127.0.0.1, leave the process with the file
 * descriptors and child processes it had before, and its RSS within a bound.
 * Skipped, with the reason, when lo cannot be opened.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validateCaptureOptions } from '../src-main/capture/capture-options.js';
import { runLiveCapture } from '../src-main/capture/live-capture.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { LO, loopbackSkipReason } from './loopback-probe.js';

const CYCLES = 20;
const DATAGRAMS_PER_CYCLE = 5;
const WARMUP_CYCLES = 3;
/**
 * RSS growth allowed over the 20 measured cycles. Each capture adds a source, its windows and
 * flows to the same SQLite workspace (SQLite's page cache grows with it) and V8 keeps some
 * code and heap it does not return; a leak of the per-capture buffers would show as ≥ 4 MB a
 * cycle (the worker's batch is 4 MB), i.e. ≥ 80 MB. Measured here: +6 to +21 MiB (malloc and SQLite
 * noise; an 80-cycle run outside the test levels off within ~10 cycles, V8 heap flat at 8 MiB).
 */
const MAX_RSS_GROWTH_BYTES = 30 * 1024 * 1024;
/** Descriptors that may differ from the baseline (a libuv or SQLite handle opened lazily). */
const FD_SLACK = 2;
/** Time the worker has to read a delivered datagram from the kernel before the stop (µs in practice). */
const SETTLE_MS = 300;

const skipReason = await loopbackSkipReason();

/** gc() when it can be exposed at run time; null otherwise (RSS is then measured as is). */
const gc = ((): (() => void) | null => {
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('gc');
    return typeof f === 'function' ? (f as () => void) : null;
  } catch {
    return null;
  }
})();

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Live child processes of this process (any state but zombie: a zombie was not reaped). */
function childPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === process.pid) out.push(Number(name));
  }
  return out;
}

async function rss(): Promise<number> {
  if (gc !== null) {
    gc();
    await sleep(20);
    gc();
  }
  return process.memoryUsage().rss;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); }),
  ]);
}

/** Records in a pcapng recording, read with our reader. */
function countRecords(path: string): number {
  const r = openCapture(path);
  if (!r.ok) throw new Error(r.error.message);
  const raw = createRawBatch(256);
  let n = 0;
  for (let k = r.value.next(raw); k > 0; k = r.value.next(raw)) n += k;
  r.value.close();
  return n;
}

test(`${CYCLES} live captures on lo started and stopped in one process: fds and children back to baseline, RSS bounded`, { skip: skipReason, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-restart-'));
  const ws = openWorkspace(join(dir, 'w.flowbench'));
  if (!ws.ok) throw new Error(ws.error.message);
  const rx = dgram.createSocket('udp4');
  let received = 0;
  rx.on('message', () => { received++; });
  await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
  const tx = dgram.createSocket('udp4');
  t.after(() => {
    tx.close();
    rx.close();
    ws.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = rx.address().port;
  const capture = validateCaptureOptions({ interface: LO, filter: `udp port ${port}` });
  if (!capture.ok) throw new Error(capture.error.message);

  const cycle = async (i: number): Promise<void> => {
    const pcap = join(dir, `cycle-${i}.pcapng`);
    const controller = new AbortController();
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => { started = resolve; });
    const run = runLiveCapture(ws.value.db, {
      capture: capture.value, recording: { path: pcap }, signal: controller.signal, onStarted: () => started(),
    });
    await withTimeout(isStarted, 10_000, `cycle ${i}: capture start`);
    const before = received;
    for (let k = 0; k < DATAGRAMS_PER_CYCLE; k++) {
      await new Promise<void>((resolve, reject) => tx.send(Buffer.from(`cycle ${i} datagram ${k}`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
    await withTimeout((async () => { while (received - before < DATAGRAMS_PER_CYCLE) await sleep(5); })(), 5000, `cycle ${i}: udp receive`);
    await sleep(SETTLE_MS);
    controller.abort();
    const result = await withTimeout(run, 10_000, `cycle ${i}: capture stop`);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.value.error, null, `cycle ${i}`);
    assert.equal(result.value.reason, 'stopped', `cycle ${i}`);
    assert.equal(result.value.packets, DATAGRAMS_PER_CYCLE, `cycle ${i}: packets captured`);
    assert.equal(countRecords(pcap), DATAGRAMS_PER_CYCLE, `cycle ${i}: records in the recording`);
    rmSync(pcap);
  };

  // Warm-up cycles first: modules, SQLite statements, libuv's thread pool and malloc's arenas
  // are created once (a 100-cycle run levels off after a few cycles, heap flat at ~8 MiB).
  const childrenBefore = childPids().length;
  for (let i = -WARMUP_CYCLES; i < 0; i++) await cycle(i);
  // A stopped worker is reaped on its 'close' event, which a loaded machine may delay: the
  // baseline is taken once the warm-up workers are gone, so it holds no capture child.
  const childrenGone = async (): Promise<void> => {
    const deadline = performance.now() + 10_000;
    while (childPids().length > childrenBefore && performance.now() < deadline) await sleep(20);
  };
  await childrenGone();
  await sleep(100);
  const base = { fds: openFds(), children: childPids().length, rss: await rss() };
  const t0 = performance.now();
  let mid = 0;
  for (let i = 1; i <= CYCLES; i++) {
    await cycle(i);
    if (i === CYCLES / 2) mid = await rss();
  }
  await childrenGone();
  await sleep(100);
  const after = { fds: openFds(), children: childPids().length, rss: await rss() };
  const growth = after.rss - base.rss;
  t.diagnostic(`${CYCLES} cycles in ${((performance.now() - t0) / 1000).toFixed(1)} s; gc ${gc === null ? 'unavailable' : 'forced'}`);
  t.diagnostic(`fds ${base.fds} -> ${after.fds}; children ${base.children} -> ${after.children}; RSS ${(base.rss / 2 ** 20).toFixed(1)} -> ${(mid / 2 ** 20).toFixed(1)} (cycle ${CYCLES / 2}) -> ${(after.rss / 2 ** 20).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 2 ** 20).toFixed(1)} MiB)`);
  assert.equal(base.children, childrenBefore, 'the warm-up capture workers exited');
  assert.equal(after.children, childrenBefore, 'every capture worker exited');
  assert.ok(after.fds <= base.fds + FD_SLACK, `fds ${base.fds} -> ${after.fds}`);
  assert.ok(growth < MAX_RSS_GROWTH_BYTES, `RSS grew ${(growth / 2 ** 20).toFixed(1)} MiB over ${CYCLES} cycles (bound ${MAX_RSS_GROWTH_BYTES / 2 ** 20} MiB)`);
});
