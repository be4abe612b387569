import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowTable } from '../analysis/flow-table.js';
import { createPacketAnnotations, NO_FLOW } from '../analysis/packet-annotations.js';
import { createDecodedBatch, type DecodedBatch } from '../ingest/decoded-batch.js';
import { openCapture } from '../ingest/open-capture.js';
import { PacketDecoder } from '../ingest/packet-decoder.js';
import { createRawBatch, type RawBatch } from '../ingest/raw-batch.js';
import { SCENARIOS, type EventKind, type EventLabel } from './scenario.js';
import { simulate, type SimulateOptions } from './simulator.js';
import type { TcpSessionParams } from './tcp-session.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbench-sim-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function generate(name: string, o: Omit<SimulateOptions, 'out'>): { path: string; packets: number; events: readonly EventLabel[] } {
  const path = join(dir, name);
  const r = simulate({ ...o, out: path });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return { path, packets: r.value.packets, events: r.value.events };
}

/** Reads a capture with our reader, calling `each` per decoded batch. */
function readBack(path: string, each?: (raw: RawBatch, dec: DecodedBatch) => void): number {
  const opened = openCapture(path);
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  const reader = opened.value;
  const raw = createRawBatch(2048);
  const dec = createDecodedBatch(2048);
  const decoder = new PacketDecoder();
  let n = 0;
  try {
    while (reader.next(raw) > 0) {
      decoder.decode(raw, dec);
      each?.(raw, dec);
      n += raw.count;
    }
    assert.deepEqual(reader.warnings, [], 'no read warnings');
  } finally {
    reader.close();
  }
  return n;
}

const capinfos = spawnSync('capinfos', ['-v'], { encoding: 'utf8' });
const haveCapinfos = capinfos.status === 0;

test('same seed gives identical bytes and labels; another seed differs', () => {
  const o = { scenario: 'mixed', duration: 40, rate: 400, seed: 11 } as const;
  const a = generate('a.pcapng', o);
  const b = generate('b.pcapng', o);
  const c = generate('c.pcapng', { ...o, seed: 12 });
  assert.ok(readFileSync(a.path).equals(readFileSync(b.path)), 'same seed: byte-identical capture');
  assert.equal(readFileSync(join(dir, 'a.labels.json'), 'utf8'), readFileSync(join(dir, 'b.labels.json'), 'utf8'));
  assert.ok(!readFileSync(a.path).equals(readFileSync(c.path)), 'another seed: another capture');
});

for (const scenario of SCENARIOS) {
  test(`${scenario}: our reader and capinfos count the packets the generator wrote`, (t) => {
    const g = generate(`${scenario}.pcapng`, { scenario, duration: 30, rate: 500, seed: 3 });
    assert.ok(g.packets > 1000, `${g.packets} packets`);
    assert.equal(readBack(g.path), g.packets);
    const labels = JSON.parse(readFileSync(join(dir, `${scenario}.labels.json`), 'utf8')) as EventLabel[];
    assert.deepEqual(labels, g.events);
    if (!haveCapinfos) {
      t.skip('capinfos is not installed');
      return;
    }
    const out = spawnSync('capinfos', ['-c', '-M', g.path], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`Number of packets:\\s+${g.packets}\\n`));
  });
}

test('handshake RTT and ack RTT measured by the flow stage equal the configured RTTs', () => {
  const sessions: TcpSessionParams[] = [];
  const g = generate('rtt.pcapng', { scenario: 'baseline', duration: 30, rate: 400, seed: 5, observeSessions: (p) => sessions.push(p) });
  // Sessions by client port (ports drawn twice are left out: their packets are ambiguous).
  const byPort = new Map<number, TcpSessionParams | null>();
  for (const s of sessions) byPort.set(s.clientPort, byPort.has(s.clientPort) ? null : s);
  const ann = createPacketAnnotations(2048);
  const records: { client_port: number; handshake_rtt: number | null }[] = [];
  const table = new FlowTable((r) => records.push(r));
  let ackSamples = 0;
  readBack(g.path, (raw, dec) => {
    table.process(raw, dec, ann);
    for (let i = 0; i < raw.count; i++) {
      const rtt = ann.ackRtt[i]!;
      if (rtt !== rtt || ann.flowSlot[i] === NO_FLOW || dec.ipProto[i] !== 6) continue;
      const fromServer = dec.srcPort[i] === 443 || dec.srcPort[i] === 22;
      const s = byPort.get(fromServer ? dec.dstPort[i]! : dec.srcPort[i]!);
      if (s == null) continue;
      const clientSide = Math.round(s.rttUs * s.clientShare);
      // The server acknowledges client data one server-side round trip later, and vice versa.
      const want = fromServer ? s.rttUs - clientSide : clientSide;
      assert.ok(Math.abs(rtt * 1e6 - want) < 0.5, `ack_rtt ${rtt * 1e6} µs, configured ${want} µs`);
      ackSamples++;
    }
  });
  table.flushAll();
  let handshakes = 0;
  for (const r of records) {
    const s = byPort.get(r.client_port);
    if (s == null || r.handshake_rtt === null) continue;
    assert.ok(Math.abs(r.handshake_rtt * 1e6 - s.rttUs) < 0.5, `handshake ${r.handshake_rtt * 1e6} µs vs ${s.rttUs} µs`);
    handshakes++;
  }
  assert.ok(handshakes >= sessions.length * 0.8, `${handshakes} of ${sessions.length} sessions have a handshake RTT`);
  assert.ok(ackSamples > 1000, `${ackSamples} ack_rtt samples checked`);
});

test('the label file marks where the traffic changes', () => {
  const start = 1767261600; // 10:00 UTC
  const g = generate('mixed.pcapng', { scenario: 'mixed', duration: 180, rate: 500, seed: 9, start });
  const kinds = new Set(g.events.map((e) => e.kind));
  assert.equal(kinds.size, 6, 'every event kind once');
  const per = new Map<number, { syn: number; udp: number; rst: number; dns: number }>();
  readBack(g.path, (raw, dec) => {
    for (let i = 0; i < raw.count; i++) {
      const sec = raw.tsSec[i]!;
      let c = per.get(sec);
      if (c === undefined) per.set(sec, (c = { syn: 0, udp: 0, rst: 0, dns: 0 }));
      const flags = dec.tcpFlags[i]!;
      if (dec.ipProto[i] === 6 && (flags & 0x12) === 0x02) c.syn++;
      if (dec.ipProto[i] === 6 && (flags & 0x04) !== 0) c.rst++;
      if (dec.ipProto[i] === 17) {
        c.udp++;
        if (dec.srcPort[i] === 53 || dec.dstPort[i] === 53) c.dns++;
      }
    }
  });
  const inside = (e: EventLabel, sec: number): boolean => sec >= e.from && sec < e.to;
  const mean = (k: 'syn' | 'udp' | 'rst' | 'dns', pick: (sec: number) => boolean): number => {
    let sum = 0;
    let n = 0;
    for (let s = start; s < start + 180; s++) {
      if (!pick(s)) continue;
      sum += per.get(s)?.[k] ?? 0;
      n++;
    }
    return sum / Math.max(1, n);
  };
  const quietOutside = (s: number): boolean => g.events.every((e) => !inside(e, s)) && s >= start + 10;
  const ev = (kind: EventKind): EventLabel => g.events.find((e) => e.kind === kind)!;
  const ratio = (kind: EventKind, k: 'syn' | 'udp' | 'rst' | 'dns'): number => mean(k, (s) => inside(ev(kind), s)) / Math.max(1e-9, mean(k, quietOutside));
  assert.ok(ratio('syn_flood', 'syn') > 20, `SYNs in the SYN flood ×${ratio('syn_flood', 'syn').toFixed(1)}`);
  assert.ok(ratio('udp_flood', 'udp') > 10, `UDP in the UDP flood ×${ratio('udp_flood', 'udp').toFixed(1)}`);
  assert.ok(ratio('port_scan', 'rst') > 20, `RSTs in the port scan ×${ratio('port_scan', 'rst').toFixed(1)}`);
  assert.ok(ratio('dns_tunnel', 'dns') > 3, `DNS in the tunnel ×${ratio('dns_tunnel', 'dns').toFixed(1)}`);
  assert.ok(ratio('spike', 'syn') > 2.5, `new connections in the spike ×${ratio('spike', 'syn').toFixed(2)}`);
  assert.ok(ratio('quiet', 'syn') < 0.35, `new connections in the quiet period ×${ratio('quiet', 'syn').toFixed(2)}`);
});

test('bad options are refused with a reason', () => {
  const r = simulate({ scenario: 'dos', duration: 0, out: join(dir, 'x.pcapng') });
  assert.ok(!r.ok && r.error.code === 'invalid_argument' && /duration/.test(r.error.message));
  const w = simulate({ scenario: 'dos', duration: 5, out: join(dir, 'missing-dir', 'x.pcapng') });
  assert.ok(!w.ok && w.error.code === 'io_error' && w.error.message.includes('missing-dir'));
});
