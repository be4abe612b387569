/**
 * The pcap-live addon itself (native/pcap-live through pcap-live-binding.ts), on the loopback
 * interface with datagrams the test sends to 127.0.0.1: bounded in count (20) and time.
 * Live parts are skipped, with the reason, when lo cannot be opened (no root / capabilities).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test, type TestContext } from 'node:test';
import { validateCaptureOptions } from '../src-main/capture/capture-options.js';
import { startCapture, validateCaptureFilter } from '../src-main/capture/capture-session.js';
import type { RawBatch } from '../src-main/ingest/raw-batch.js';
import { compileFilter, forEachRecord, LiveHandle, RECORD_HEADER_BYTES } from '../src-main/capture/pcap-live-binding.js';
import { LO, loopbackSkipReason } from './loopback-probe.js';

const skipReason = await loopbackSkipReason();
const DATAGRAMS = 20;
/** Ethernet (DLT_EN10MB on Linux lo) + IPv4 + UDP headers before the payload. */
const PAYLOAD_AT = 14 + 20 + 8;

function payload(i: number): Buffer {
  // Sizes 1..20 and a recognisable pattern, so a shifted or mis-padded record shows.
  const b = Buffer.alloc(i + 1);
  for (let k = 0; k < b.length; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b;
}

async function receiver(t: TestContext): Promise<{ port: number; received: () => number }> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', () => { n++; });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  t.after(() => sock.close());
  return { port: sock.address().port, received: () => n };
}

function open(filter: string): LiveHandle {
  const h = LiveHandle.open({ device: LO, filter, snaplen: 65535, bufferBytes: 4 << 20, promisc: false, timeoutMs: 20 });
  assert.ok(h.ok, h.ok ? '' : h.error.message);
  return h.value;
}

test('read() writes packed records (ts, caplen, len, data, 4-byte aligned) equal to the datagrams sent', { skip: skipReason, timeout: 15_000 }, async (t) => {
  const rx = await receiver(t);
  const h = open(`udp and dst port ${rx.port}`);
  t.after(() => h.close());
  assert.equal(h.info.dlt, 1, 'lo is DLT_EN10MB on Linux');
  const tx = dgram.createSocket('udp4');
  const before = Date.now() / 1000;
  for (let i = 0; i < DATAGRAMS; i++) {
    await new Promise<void>((resolve, reject) => tx.send(payload(i), rx.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  tx.close();
  const after = Date.now() / 1000 + 1;

  const buffer = new Uint8Array(new ArrayBuffer(h.minReadBytes));
  const got: { caplen: number; len: number; ts: number; data: Buffer; at: number; read: number }[] = [];
  const deadline = Date.now() + 5000;
  let reads = 0;
  while (got.length < DATAGRAMS && Date.now() < deadline) {
    const n = await h.read(buffer);
    reads++;
    const used = forEachRecord(buffer, n, (at, caplen, len, tsSec, tsNsec) => {
      assert.equal(at % 4, 0, 'record data starts 4-byte aligned');
      assert.ok(tsNsec < 1e9);
      got.push({ caplen, len, ts: tsSec + tsNsec / 1e9, data: Buffer.from(buffer.subarray(at, at + caplen)), at, read: reads });
    });
    assert.ok(used <= buffer.length);
  }
  assert.equal(got.length, DATAGRAMS, 'every datagram once (the outgoing copy on lo is not delivered)');
  got.forEach((r, i) => {
    const p = payload(i);
    assert.equal(r.len, PAYLOAD_AT + p.length, `record ${i}: original length`);
    assert.equal(r.caplen, r.len, `record ${i}: not truncated`);
    assert.deepEqual(r.data.subarray(PAYLOAD_AT), p, `record ${i}: payload bytes`);
    assert.equal(r.data.readUInt16BE(PAYLOAD_AT - 6), rx.port, `record ${i}: UDP destination port`);
    assert.ok(r.ts >= before - 1 && r.ts <= after, `record ${i}: timestamp ${r.ts} within the test`);
    if (i > 0) assert.ok(r.ts >= got[i - 1]!.ts, 'timestamps in order');
    const prev = got[i - 1];
    if (prev === undefined || prev.read !== r.read) assert.equal(r.at, RECORD_HEADER_BYTES, 'a read starts at the buffer start');
    else assert.equal(r.at, prev.at + ((prev.caplen + 3) & ~3) + RECORD_HEADER_BYTES, 'records packed back to back');
  });

  const stats = h.stats();
  assert.ok(stats.ok, stats.ok ? '' : stats.error.message);
  assert.equal(typeof stats.value.received, 'number');
  assert.equal(stats.value.dropped, 0);
  assert.equal(typeof stats.value.ifDropped, 'number');
  // On Linux lo the kernel's counter sees both the outgoing and the incoming copy.
  assert.ok(stats.value.received >= DATAGRAMS, `received ${stats.value.received}`);
});

test('close() is idempotent, also with a read pending; a closed handle refuses reads and stats', { skip: skipReason, timeout: 15_000 }, async () => {
  const h = open('udp and port 9');
  const buffer = new Uint8Array(new ArrayBuffer(h.minReadBytes));
  const pending = h.read(buffer);
  h.close();
  h.close();
  // The pending read settles (its wait is bounded by the 20 ms timeout), then the handle is gone.
  assert.equal(await pending, 0);
  const stats = h.stats();
  assert.equal(stats.ok, false);
  await assert.rejects(() => h.read(buffer), /closed/);
});

test('a read buffer smaller than two full records is refused, not overrun', { skip: skipReason, timeout: 15_000 }, async () => {
  const h = open('');
  try {
    await assert.rejects(() => h.read(new Uint8Array(64)), /at least two full records/);
  } finally {
    h.close();
  }
});

test('a filter that does not compile is an error naming the filter, with and without a device', { timeout: 15_000 }, async () => {
  const dead = compileFilter(1, 65535, 'udp prot 53');
  assert.equal(dead.ok, false);
  if (!dead.ok) {
    assert.equal(dead.error.kind, 'filter');
    assert.match(dead.error.message, /syntax error/);
  }
  assert.deepEqual(compileFilter(1, 65535, 'udp and port 53'), { ok: true, value: null });
  // Through the session API (needs no privilege: pcap_open_dead for lo's link type).
  const v = await validateCaptureFilter(LO, 'tcp port 70000');
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.error.field, 'filter');
    assert.match(v.error.message, /^filter: invalid capture filter "tcp port 70000": .*70000/);
  }
});

test('opening a bad filter on lo fails at the filter step', { skip: skipReason, timeout: 15_000 }, () => {
  const r = LiveHandle.open({ device: LO, filter: 'udp prot 53', snaplen: 256, bufferBytes: 1 << 20, promisc: false, timeoutMs: 20 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.kind, 'filter');
    assert.match(r.error.message, /syntax error/);
  }
});

test('a missing interface is an error that names the interface', { timeout: 15_000 }, () => {
  const r = LiveHandle.open({ device: 'flowbench-nope0', filter: '', snaplen: 256, bufferBytes: 1 << 20, promisc: false, timeoutMs: 20 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    // Unprivileged, libpcap may report the permission problem first; either way the device is named.
    assert.ok(r.error.kind === 'no_such_device' || r.error.kind === 'permission', r.error.kind);
    assert.match(r.error.message, /flowbench-nope0/);
  }
});

test('the capture worker splits a read into batches of at most batchPackets, each record intact', { skip: skipReason, timeout: 20_000 }, async (t) => {
  const rx = await receiver(t);
  const options = validateCaptureOptions({ interface: LO, filter: `udp and dst port ${rx.port}` });
  assert.ok(options.ok);
  const batches: RawBatch[] = [];
  const started = await startCapture(options.value, (raw) => batches.push(raw), { batchPackets: 3 });
  assert.ok(started.ok, started.ok ? '' : started.error.message);
  const session = started.value;
  const tx = dgram.createSocket('udp4');
  // Sent back to back so that one read holds several of them.
  await Promise.all(Array.from({ length: DATAGRAMS }, (_, i) => new Promise<void>((resolve, reject) => {
    tx.send(payload(i), rx.port, '127.0.0.1', (e) => (e ? reject(e) : resolve()));
  })));
  tx.close();
  const deadline = Date.now() + 5000;
  while (batches.reduce((n, b) => n + b.count, 0) < DATAGRAMS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  session.stop();
  const end = await session.ended;
  assert.equal(end.reason, 'stopped');
  assert.equal(end.packets, DATAGRAMS);
  assert.equal(end.dropped, 0);
  const payloads: Buffer[] = [];
  for (const b of batches) {
    assert.ok(b.count >= 1 && b.count <= 3, `batch of ${b.count}`);
    for (let i = 0; i < b.count; i++) {
      const at = b.offset[i]!;
      assert.ok(at + b.caplen[i]! <= b.data.length, 'record inside its batch data');
      payloads.push(Buffer.from(b.data.subarray(at + PAYLOAD_AT, at + b.caplen[i]!)));
    }
  }
  assert.deepEqual(payloads, Array.from({ length: DATAGRAMS }, (_, i) => payload(i)));
  assert.ok(batches.some((b, k) => k > 0 && b.firstRecord === batches[k - 1]!.firstRecord + 3), 'a read was split');
});
