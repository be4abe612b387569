import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowRecord } from '../../src-shared/flow-record.js';
import type { Workspace } from './workspace.js';
import { SourcesRepo } from './sources-repo.js';
import { FlowsRepo } from './flows-repo.js';
import { TalkerQueries } from './talker-queries.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): Workspace {
  return openTempWorkspace(t, 'talk').ws;
}

const zero = { min: 0, mean: 0, max: 0, std: 0 };

function flow(c: string, cp: number, s: string, sp: number, fwd: [number, number], bwd: [number, number], first: number, proto = 6): FlowRecord {
  return {
    proto,
    ip_version: 4,
    client_addr: c,
    client_port: cp,
    server_addr: s,
    server_port: sp,
    first_ts: first,
    last_ts: first + 10,
    duration: 10,
    fwd_packets: fwd[0],
    fwd_bytes: fwd[1],
    bwd_packets: bwd[0],
    bwd_bytes: bwd[1],
    fwd_header_bytes: 0,
    bwd_header_bytes: 0,
    pkt_len: zero,
    fwd_pkt_len: zero,
    bwd_pkt_len: zero,
    iat: zero,
    fwd_iat: zero,
    bwd_iat: zero,
    syn_count: 0,
    fin_count: 0,
    rst_count: 0,
    psh_count: 0,
    ack_count: 0,
    urg_count: 0,
    handshake_rtt: null,
    sni: null,
    dns_query: null,
    dns_answers: [],
    end_reason: 'end_of_capture',
    segment: 0,
    early_packets: [],
  };
}

test('top talkers by IP and by port count both directions, ranked by bytes or packets, within a range', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/t.pcap', displayName: 't.pcap' });
  const other = new SourcesRepo(ws.db).create({ kind: 'file', path: '/u.pcap', displayName: 'u.pcap' });
  const flows = new FlowsRepo(ws.db);
  flows.insertMany(sid, [
    // A downloads a lot from S1 over HTTPS; B sends many small packets to S2 (DNS).
    flow('10.0.0.1', 50000, '198.51.100.1', 443, [100, 8_000], [900, 1_200_000], 1000),
    flow('10.0.0.1', 50001, '198.51.100.1', 443, [10, 800], [20, 30_000], 1100),
    flow('10.0.0.2', 53000, '198.51.100.2', 53, [5000, 400_000], [5000, 600_000], 1200, 17),
    flow('10.0.0.3', 40000, '198.51.100.1', 80, [3, 200], [2, 100], 5000),
    // Same port at both ends counts once for that port.
    flow('10.0.0.4', 123, '198.51.100.3', 123, [1, 90], [1, 90], 1300, 17),
  ]);
  flows.insertMany(other, [flow('10.9.9.9', 1, '10.9.9.8', 2, [1, 1e9], [1, 1e9], 1000)]);
  const q = new TalkerQueries(ws.db);

  const byBytes = q.byIp({ sourceId: sid, limit: 3 });
  assert.deepEqual(
    byBytes.map((r) => [r.addr, r.bytes, r.packets, r.flows]),
    [
      ['198.51.100.1', 8_000 + 1_200_000 + 800 + 30_000 + 300, 100 + 900 + 10 + 20 + 5, 3],
      ['10.0.0.1', 8_000 + 1_200_000 + 800 + 30_000, 1030, 2],
      ['10.0.0.2', 1_000_000, 10_000, 1],
    ],
  );
  const a = byBytes[1];
  assert.deepEqual([a?.tx_bytes, a?.rx_bytes, a?.tx_packets, a?.rx_packets], [8_800, 1_230_000, 110, 920]);
  assert.deepEqual(
    q.byIp({ sourceId: sid, limit: 2, orderBy: 'packets' }).map((r) => r.addr),
    ['10.0.0.2', '198.51.100.2'], // equal packets: the tie is broken by bytes, then address
  );
  // A range keeps only flows overlapping it.
  assert.deepEqual(q.byIp({ sourceId: sid, from: 4000, to: 6000 }).map((r) => r.addr), ['10.0.0.3', '198.51.100.1']);

  const ports = q.byPort({ sourceId: sid, limit: 4 });
  assert.deepEqual(
    ports.map((p) => [p.proto, p.port, p.bytes, p.flows]),
    [
      [6, 443, 1_238_800, 2],
      [6, 50000, 1_208_000, 1],
      [17, 53, 1_000_000, 1],
      [17, 53000, 1_000_000, 1],
    ],
  );
  const ntp = q.byPort({ sourceId: sid, limit: 100 }).filter((p) => p.port === 123);
  assert.deepEqual(ntp.map((p) => [p.packets, p.flows]), [[2, 1]]);
});
