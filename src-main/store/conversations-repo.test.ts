import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Workspace } from './workspace.js';
import { SourcesRepo } from './sources-repo.js';
import { ConversationsRepo } from './conversations-repo.js';
import type { ConversationWrite } from './conversations-repo.js';
import { StatsRepo, summarizeSamples, EMPTY_STAT } from './stats-repo.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function workspace(t: TestContext): Workspace {
  return openTempWorkspace(t, 'conv').ws;
}

function conv(proto: ConversationWrite['proto'], a: string, b: string, ab: [number, number], ba: [number, number], start: number, duration: number): ConversationWrite {
  const ports = proto === 'tcp' || proto === 'udp';
  return { proto, addr_a: a, port_a: ports ? 1234 : null, addr_b: b, port_b: ports ? 80 : null, packets_ab: ab[0], bytes_ab: ab[1], packets_ba: ba[0], bytes_ba: ba[1], start, duration };
}

test('conversations page like Wireshark: largest bytes first, per-direction figures, rel start, bps', (t) => {
  const ws = workspace(t);
  const sources = new SourcesRepo(ws.db);
  const sid = sources.create({ kind: 'file', path: '/c.pcap', displayName: 'c.pcap' });
  sources.complete(sid, { packets: 1, bytes: 1, capturedBytes: 1, firstTimestamp: '1000.000000000', lastTimestamp: '2000.000000000' });
  const repo = new ConversationsRepo(ws.db);
  repo.insertMany(sid, [
    conv('tcp', '10.0.0.1', '10.0.0.2', [10, 1000], [5, 500], 1001.5, 2),
    conv('tcp', '10.0.0.1', '10.0.0.3', [10, 10_000], [50, 90_000], 1010, 4),
    conv('udp', '10.0.0.1', '10.0.0.4', [1, 50_000], [0, 0], 1020, 0),
    conv('ipv4', '10.0.0.1', '10.0.0.3', [10, 10_000], [50, 90_000], 1010, 4),
  ]);
  assert.deepEqual(repo.counts(sid), { tcp: 2, udp: 1, ipv4: 1, ipv6: 0 });
  const tcp = repo.page(sid, { proto: 'tcp' });
  assert.deepEqual(tcp.map((c) => c.addr_b), ['10.0.0.3', '10.0.0.2']);
  const top = tcp[0];
  assert.deepEqual(
    [top?.packets, top?.bytes, top?.rel_start, top?.bps_ab, top?.bps_ba],
    [60, 100_000, 10, 20_000, 180_000],
  );
  const all = repo.page(sid, { limit: 2 });
  assert.deepEqual(all.map((c) => [c.proto, c.bytes]), [['tcp', 100_000], ['ipv4', 100_000]]);
  assert.deepEqual(repo.page(sid, { limit: 2, offset: 2 }).map((c) => c.proto), ['udp', 'tcp']);
  const udp = repo.page(sid, { proto: 'udp' })[0];
  assert.equal(udp?.bps_ab, null, 'zero duration: no rate, as Wireshark shows N/A');
});

test('per-source stats round-trip; p50 is the median and p99 the nearest rank', (t) => {
  const ws = workspace(t);
  const sid = new SourcesRepo(ws.db).create({ kind: 'file', path: '/s.pcap', displayName: 's.pcap' });
  const samples = Array.from({ length: 200 }, (_, i) => (i + 1) / 1000);
  const ack = summarizeSamples(samples.slice().reverse());
  assert.deepEqual(ack, { count: 200, mean: 0.1005, p50: 0.1005, p99: 0.198, max: 0.2 });
  assert.deepEqual(summarizeSamples(new Float64Array([3, 1, 2])), { count: 3, mean: 2, p50: 2, p99: 3, max: 3 });
  assert.equal(summarizeSamples([]), EMPTY_STAT);

  const repo = new StatsRepo(ws.db);
  assert.equal(repo.read(sid), null);
  repo.write(sid, {
    ack_rtt: ack,
    handshake_rtt: summarizeSamples([0.02, 0.04]),
    dns_latency: EMPTY_STAT,
    packet_length_buckets: [0, 0, 833, 202, 71, 88, 60, 539, 0, 0],
    sni: new Map([['b.example', 2], ['a.example', 1]]),
    dns_names: new Map([['x.example', 4]]),
  });
  const s = repo.read(sid);
  assert.deepEqual(s?.ack_rtt, ack);
  assert.deepEqual(s?.handshake_rtt, { count: 2, mean: 0.03, p50: 0.03, p99: 0.04, max: 0.04 });
  assert.deepEqual(s?.dns_latency, EMPTY_STAT);
  assert.deepEqual(s?.packet_length_buckets[2], { range: '40-79', count: 833 });
  assert.deepEqual(s?.packet_length_buckets[9], { range: '5120 and greater', count: 0 });
  assert.deepEqual(s?.sni, ['a.example', 'b.example']);
  assert.deepEqual(s?.dns_names, ['x.example']);
});
