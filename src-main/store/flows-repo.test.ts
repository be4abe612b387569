import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { EarlyPacket, FlowRecord } from '../../src-shared/flow-record.js';
import type { Workspace } from './workspace.js';
import { SourcesRepo } from './sources-repo.js';
import { decodeEarlyPackets, encodeEarlyPackets, FlowsRepo } from './flows-repo.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): Workspace {
  return openTempWorkspace(t, 'flows').ws;
}

const stats = (min: number, mean: number, max: number, std: number) => ({ min, mean, max, std });

/** A flow record with distinct values in every field. */
export function sampleFlow(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    proto: 6,
    ip_version: 4,
    client_addr: `10.0.0.${i % 250}`,
    client_port: 40000 + i,
    server_addr: '192.0.2.1',
    server_port: 443,
    first_ts: 1_700_000_000 + i,
    last_ts: 1_700_000_000 + i + 2.5,
    duration: 2.5,
    fwd_packets: 10 + i,
    bwd_packets: 8,
    fwd_bytes: 1000 + i,
    bwd_bytes: 9000,
    fwd_header_bytes: 400,
    bwd_header_bytes: 320,
    pkt_len: stats(54, 555.5, 1514, 600.25),
    fwd_pkt_len: stats(54, 100, 400, 90),
    bwd_pkt_len: stats(60, 1125, 1514, 500),
    iat: stats(0, 0.147, 1.2, 0.3),
    fwd_iat: stats(0.001, 0.25, 1.2, 0.4),
    bwd_iat: stats(0.0005, 0.3, 1.1, 0.35),
    syn_count: 2,
    fin_count: 2,
    rst_count: 0,
    psh_count: 5,
    ack_count: 17,
    urg_count: 0,
    handshake_rtt: 0.0231,
    sni: i % 2 === 0 ? 'example.org' : null,
    dns_query: null,
    dns_answers: [],
    end_reason: 'fin',
    segment: 0,
    early_packets: [
      [74, 1, 0],
      [74, -1, 0.0231],
      [66, 1, 0.000125],
    ],
    ...over,
  };
}

test('early packets pack into 8 bytes each and unpack to the same sizes, directions and float32 gaps', () => {
  const pkts: EarlyPacket[] = [
    [0, -1, 0],
    [1514, 1, 0.000001],
    [65535, -1, 12.75],
    [262144, 1, 299.999],
  ];
  const buf = encodeEarlyPackets(pkts);
  assert.equal(buf.length, 32);
  const back = decodeEarlyPackets(buf);
  assert.deepEqual(back.map((p) => [p[0], p[1]]), pkts.map((p) => [p[0], p[1]]));
  back.forEach((p, i) => assert.equal(p[2], Math.fround(pkts[i]?.[2] ?? 0)));
  assert.deepEqual(decodeEarlyPackets(buf.subarray(0, 12)).length, 1, 'a trailing partial entry is ignored');
  assert.deepEqual(decodeEarlyPackets(encodeEarlyPackets([])), []);
});

test('a flow record round-trips through the flows table', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new FlowsRepo(ws.db);
  const f = sampleFlow(4, {
    ip_version: 6,
    client_addr: '2001:db8::1',
    server_addr: '2001:db8::53',
    proto: 17,
    server_port: 53,
    handshake_rtt: null,
    dns_query: 'example.com',
    dns_answers: ['93.184.216.34', '2606:2800:220:1::'],
    end_reason: 'idle',
    segment: 2,
    early_packets: [[80, 1, 0]],
  });
  const g = sampleFlow(9, { early_packets: [[1514, -1, 0.5], [60, 1, 0.25], [1514, -1, 0.125]], first_ts: 1_800_000_000 });
  // Two rows through one prepared statement and one scratch buffer: each keeps its own BLOB.
  repo.insert(sid, f);
  repo.insert(sid, g);
  const rows = repo.page(sid);
  assert.equal(rows.length, 2);
  rows.forEach((got, i) => {
    const { id, source_id, ...record } = got;
    assert.equal(source_id, sid);
    assert.ok(id > 0);
    assert.deepEqual(record, i === 0 ? f : g);
  });
});

test('the flows view filters by address, port, protocol, SNI, DNS name and time, and pages by (first_ts, id)', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const other = new SourcesRepo(ws.db).create({ kind: 'file', path: '/y', displayName: 'y' });
  const repo = new FlowsRepo(ws.db);
  const flows = Array.from({ length: 50 }, (_, i) =>
    sampleFlow(i, i % 10 === 0 ? { proto: 17, server_port: 53, dns_query: `q${i}.example`, sni: null } : {}),
  );
  repo.insertMany(sid, flows);
  repo.insertMany(other, flows.slice(0, 5));
  assert.equal(repo.count(sid), 50);

  assert.deepEqual(repo.page(sid, { addr: '10.0.0.7' }).map((f) => f.client_port), [40007]);
  assert.deepEqual(repo.page(sid, { port: 40003 }).map((f) => f.client_addr), ['10.0.0.3']);
  assert.equal(repo.page(sid, { port: 53 }).length, 5);
  assert.equal(repo.page(sid, { proto: 17 }).length, 5);
  assert.equal(repo.page(sid, { sni: 'example.org' }).length, 20);
  assert.deepEqual(repo.page(sid, { dnsQuery: 'q20.example' }).map((f) => f.first_ts), [1_700_000_020]);
  // Overlap: a flow from 1_700_000_010 lasts until …12.5, so [12, 14) holds flows 10..13.
  assert.deepEqual(repo.page(sid, { from: 1_700_000_012, to: 1_700_000_014 }).map((f) => f.client_port), [40010, 40011, 40012, 40013]);

  const seen: number[] = [];
  let after: { first_ts: number; id: number } | undefined;
  for (;;) {
    const page = repo.page(sid, {}, { limit: 7, ...(after === undefined ? {} : { after }) });
    if (page.length === 0) break;
    seen.push(...page.map((f) => f.client_port));
    const last = page[page.length - 1];
    if (last === undefined) break;
    after = { first_ts: last.first_ts, id: last.id };
  }
  assert.deepEqual(seen, flows.map((f) => f.client_port));
});

test('flow inserts in one transaction: rows per second', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/x', displayName: 'x' });
  const repo = new FlowsRepo(ws.db);
  const early: EarlyPacket[] = Array.from({ length: 30 }, (_, i) => [60 + i, i % 2 === 0 ? 1 : -1, i * 0.001]);
  const n = 50_000;
  const flows = Array.from({ length: 1000 }, (_, i) => sampleFlow(i, { early_packets: early, sni: i % 3 === 0 ? `s${i}.example` : null }));
  const start = process.hrtime.bigint();
  ws.db.transaction(() => {
    for (let i = 0; i < n; i++) repo.insert(sid, flows[i % 1000] ?? sampleFlow(0));
  })();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  t.diagnostic(`flows insert: ${n} rows in ${s.toFixed(3)} s = ${Math.round(n / s)} rows/s (7 indexes, 30 early packets each)`);
  assert.equal(repo.count(sid), n);
});
