import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiClient, FlowRow, JobInfo, SourceInfo } from '../../src-shared/api.js';
import { corpusDir, readTruth } from '../../test/corpus-paths.js';
import { buildReplayCapture } from '../../test/replay-capture.js';
import { openAndWait, openBench, value } from '../../test/workbench-client.js';
import { Workbench } from './workbench.js';

// The workbench against a real SQLite file and real corpus captures, through the direct client
// (so every argument goes through the same validation as the WebSocket and IPC transports).

interface Truth {
  size_bytes: number;
  packets: number;
  wire_bytes: number;
  captured_bytes: number;
  packet_length_buckets: { range: string; count: number }[];
}

/** Resolves with the job's final jobs.progress event. */
function finished(api: ApiClient, jobId: string, timeoutMs = 60_000): Promise<JobInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${jobId} did not finish in ${timeoutMs} ms`)), timeoutMs);
    const off = api.on('jobs.progress', (j) => {
      if (j.jobId === jobId && (j.phase === 'done' || j.phase === 'cancelled' || j.phase === 'failed')) {
        clearTimeout(timer);
        off();
        resolve(j);
      }
    });
  });
}

test('sources.open ingests a corpus capture in a worker: totals equal the Wireshark truth', async (t) => {
  const { api } = openBench(t, 'open');
  const name = 'ndpi__443-firefox.pcap';
  const truth = readTruth(name) as Truth;
  const progress: JobInfo[] = [];
  const changed: (number | null)[] = [];
  api.on('jobs.progress', (j) => progress.push(j));
  api.on('sources.changed', (c) => changed.push(c.sourceId));

  const job = await openAndWait(api, join(corpusDir, 'pcap', name));
  assert.equal(job.phase, 'done');
  assert.equal(job.error, null);
  assert.equal(job.packets, truth.packets);
  assert.equal(job.bytesDone, truth.size_bytes);
  assert.equal(job.bytesTotal, truth.size_bytes);
  assert.deepEqual(progress.slice(0, 2).map((j) => j.phase), ['queued', 'running']);
  assert.ok(job.sourceId !== null && changed.includes(job.sourceId), 'sources.changed names the source');

  const sources = await value(api.call('sources.list', {}));
  assert.equal(sources.length, 1);
  const s = sources[0] as SourceInfo;
  assert.equal(s.id, job.sourceId);
  assert.equal(s.status, 'complete');
  assert.equal(s.packets, truth.packets);
  assert.equal(s.bytes, truth.wire_bytes);
  assert.equal(s.capturedBytes, truth.captured_bytes);
  assert.deepEqual(s.warnings, []);

  const totals = await value(api.call('stats.totals', { sourceId: s.id }));
  assert.equal(totals.packets, truth.packets);
  assert.equal(totals.bytes, truth.wire_bytes);
  assert.deepEqual(totals.packetLengths, truth.packet_length_buckets);
  const tcp = totals.protocols.find((p) => p.name === 'tcp');
  assert.deepEqual(tcp, { name: 'tcp', packets: 667, bytes: 458067 });
  assert.equal(totals.flows, 1);

  // A range: the first two seconds hold fewer packets; the sum of two halves is the whole.
  const from = totals.from ?? 0;
  const mid = from + 2;
  const a = await value(api.call('stats.totals', { sourceId: s.id, from, to: mid }));
  const b = await value(api.call('stats.totals', { sourceId: s.id, from: mid, to: (totals.to ?? 0) + 1 }));
  assert.ok(a.packets > 0 && a.packets < truth.packets);
  assert.equal(a.packets + b.packets, truth.packets);
  assert.equal(a.bytes + b.bytes, truth.wire_bytes);

  const stats = await value(api.call('stats.get', { sourceId: s.id }));
  assert.deepEqual(stats.sni, ['www.ntop.org']);

  // Re-opening the analysed file is instant and answers the same source.
  const t0 = performance.now();
  const again = await openAndWait(api, join(corpusDir, 'pcap', name));
  assert.equal(again.phase, 'done');
  assert.equal(again.sourceId, s.id);
  assert.ok(performance.now() - t0 < 500, `reuse took ${performance.now() - t0} ms`);
  assert.equal((await value(api.call('sources.list', {}))).length, 1);

  const jobs = await value(api.call('jobs.list', {}));
  assert.deepEqual(jobs.map((j) => j.phase), ['done', 'done']);
});

test('flows.page filters, sorts and pages; totals match an independent SQL count', async (t) => {
  const { api, db } = openBench(t, 'flows');
  const job = await openAndWait(api, join(corpusDir, 'pcap', 'ndpi__1kxun.pcap'));
  assert.equal(job.phase, 'done');
  const sourceId = job.sourceId!;
  const sql = new Database(db, { readonly: true });
  t.after(() => sql.close());
  const count = (where: string, ...args: unknown[]): number =>
    (sql.prepare(`SELECT count(*) AS n FROM flows WHERE source_id = ? AND ${where}`).get(sourceId, ...args) as { n: number }).n;

  const all = await value(api.call('flows.page', { sourceId, limit: 5000, offset: 0 }));
  assert.equal(all.total, count('1'));
  assert.ok(all.total > 100, `expected many flows, got ${all.total}`);
  assert.equal(all.rows.length, all.total);

  const p443 = await value(api.call('flows.page', { sourceId, filter: { port: 443 }, limit: 5, offset: 0 }));
  const expected443 = count('(client_port = 443 OR server_port = 443)');
  assert.ok(expected443 > 5, `port 443 flows: ${expected443}`);
  assert.equal(p443.total, expected443);
  assert.equal(p443.rows.length, 5);
  assert.ok(p443.rows.every((r) => r.client_port === 443 || r.server_port === 443));

  const udp = await value(api.call('flows.page', { sourceId, filter: { proto: 17 }, limit: 1, offset: 0 }));
  assert.equal(udp.total, count('proto = 17'));

  // Name filter: substring of SNI or DNS name, case-insensitive.
  const named = sql.prepare('SELECT sni FROM flows WHERE source_id = ? AND sni IS NOT NULL LIMIT 1').get(sourceId) as { sni: string } | undefined;
  assert.ok(named !== undefined, 'the capture has a TLS SNI');
  const part = named.sni.slice(1, Math.max(3, named.sni.length - 2)).toUpperCase();
  const byName = await value(api.call('flows.page', { sourceId, filter: { name: part }, limit: 5000, offset: 0 }));
  const lower = part.toLowerCase();
  assert.equal(byName.total, count('(instr(lower(sni), ?) > 0 OR instr(lower(dns_query), ?) > 0)', lower, lower));
  assert.ok(byName.rows.every((r) => (r.sni ?? '').toLowerCase().includes(lower) || (r.dns_query ?? '').toLowerCase().includes(lower)));
  // LIKE wildcards in the text match literally.
  assert.equal((await value(api.call('flows.page', { sourceId, filter: { name: '%' }, limit: 1, offset: 0 }))).total, 0);

  // Sort by bytes (both directions) descending, paged: pages concatenate to the sorted list.
  const sorted = [...all.rows].sort((x, y) => y.bytes - x.bytes || y.id - x.id);
  const pages: FlowRow[] = [];
  for (let offset = 0; offset < 60; offset += 20) {
    const p = await value(api.call('flows.page', { sourceId, sort: { column: 'bytes', desc: true }, limit: 20, offset }));
    assert.equal(p.total, all.total);
    pages.push(...p.rows);
  }
  assert.deepEqual(pages.map((r) => r.id), sorted.slice(0, 60).map((r) => r.id));
  for (const r of pages) assert.equal(r.bytes, r.fwd_bytes + r.bwd_bytes);
  assert.ok(pages[0]!.bytes > pages[59]!.bytes);

  const byPackets = await value(api.call('flows.page', { sourceId, sort: { column: 'packets', desc: false }, limit: 5000, offset: 0 }));
  for (let i = 1; i < byPackets.rows.length; i++) assert.ok(byPackets.rows[i - 1]!.packets <= byPackets.rows[i]!.packets);

  const detail = await value(api.call('flows.get', { flowId: pages[0]!.id }));
  assert.equal(detail.bytes, pages[0]!.bytes);
  assert.equal(detail.source_id, sourceId);
  assert.equal(detail.early_packets.length, Math.min(30, detail.packets));

  const talkers = await value(api.call('talkers.top', { sourceId, limit: 3 }));
  assert.equal(talkers.byIp.length, 3);
  assert.ok(talkers.byIp[0]!.bytes >= talkers.byIp[1]!.bytes);
  const conv = await value(api.call('conversations.page', { sourceId, proto: 'tcp', limit: 5, offset: 0 }));
  assert.equal(conv.total, (sql.prepare("SELECT count(*) AS n FROM conversations WHERE source_id = ? AND proto = 'tcp'").get(sourceId) as { n: number }).n);
  assert.equal(conv.rows.length, 5);
  // The chart keeps peaks: the largest bucket max is the busiest 1 s window.
  const chart = await value(api.call('charts.series', { sourceId, metrics: ['packets'], maxPoints: 200, resolution: 1 }));
  assert.ok(chart.series[0]!.t.length <= 200);
  const peak = (sql.prepare('SELECT max(packets) AS m FROM windows WHERE source_id = ? AND resolution = 1').get(sourceId) as { m: number }).m;
  assert.equal(Math.max(...chart.series[0]!.max.map((v) => v ?? 0)), peak);
});

test('validation: unknown methods, wrong types, NaN, negative offsets and huge limits name the field', async (t) => {
  const { wb } = openBench(t, 'validate');
  const cases: [string, unknown, RegExp][] = [
    ['no.such', {}, /method/],
    ['flows.page', { sourceId: 1, limit: 10, offset: -1 }, /offset/],
    ['flows.page', { sourceId: 1, limit: 1e9, offset: 0 }, /limit/],
    ['flows.page', { sourceId: 1, limit: 10, offset: 0, filter: { port: 70000 } }, /filter\.port/],
    ['flows.page', { sourceId: 1, limit: 10, offset: 0, sort: { column: 'evil; DROP TABLE', desc: true } }, /sort\.column/],
    ['flows.page', { sourceId: 1, limit: 10, offset: 0, extra: 1 }, /extra/],
    ['stats.totals', { sourceId: 1, from: Number.NaN }, /from/],
    ['stats.totals', { sourceId: 1, from: 10, to: 5 }, /to/],
    ['charts.series', { sourceId: 1, metrics: ['packets'], maxPoints: 10_000_000 }, /maxPoints/],
    ['sources.open', { path: 42 }, /path/],
    ['sources.get', { sourceId: '1' }, /sourceId/],
    ['jobs.cancel', { jobId: '../x' }, /jobId/],
    ['flows.page', 'nope', /req/],
  ];
  for (const [method, req, field] of cases) {
    const r = await wb.call(method, req);
    assert.equal(r.ok, false, `${method} ${JSON.stringify(req)} should fail`);
    if (!r.ok) {
      assert.equal(r.error.code, 'invalid_argument');
      assert.match(r.error.message, field);
    }
  }
  const missing = await wb.call('sources.get', { sourceId: 99 });
  assert.deepEqual(missing, { ok: false, error: { code: 'not_found', message: 'sourceId: no source 99' } });
  const noStats = await wb.call('stats.get', { sourceId: 99 });
  assert.equal(noStats.ok ? '' : noStats.error.code, 'not_found');
});

test('a damaged file finishes with warnings (offsets) and a partial source; not-a-capture fails clearly', async (t) => {
  const { api } = openBench(t, 'malformed');
  const damaged = join(corpusDir, 'malformed', 'made__truncated_mid_record.pcap');
  const truth = readTruth('made__truncated_mid_record.pcap', 'malformed') as Truth;
  const job = await openAndWait(api, damaged);
  assert.equal(job.phase, 'done');
  assert.equal(job.error?.code, 'corrupt');
  assert.match(job.error?.message ?? '', /made__truncated_mid_record\.pcap.*byte offset \d+/);
  assert.ok(job.warnings.length > 0);
  assert.ok(job.warnings.every((w) => typeof w.offset === 'number' && w.offset > 0));
  const source = await value(api.call('sources.get', { sourceId: job.sourceId! }));
  assert.equal(source.status, 'partial');
  assert.equal(source.packets, truth.packets);
  assert.deepEqual(source.warnings, job.warnings);

  const bad = await openAndWait(api, join(corpusDir, 'malformed', 'made__bad_magic.pcap'));
  assert.equal(bad.phase, 'failed');
  assert.equal(bad.error?.code, 'not_a_capture');
  assert.match(bad.error?.message ?? '', /made__bad_magic\.pcap/);

  const missing = await openAndWait(api, join(corpusDir, 'no-such-file.pcap'));
  assert.equal(missing.phase, 'failed');
  assert.equal(missing.error?.code, 'not_found');
});

test('jobs.cancel stops a big ingest: rows so far kept, source partial; remove works after', async (t) => {
  const { api, dir } = openBench(t, 'cancel');
  const big = buildReplayCapture(join(dir, 'big.pcap'), 3_000_000);
  const queued = join(dir, 'queued.pcap');
  copyFileSync(join(corpusDir, 'pcap', 'ndpi__443-firefox.pcap'), queued);
  const running = new Promise<JobInfo>((resolve) => {
    const off = api.on('jobs.progress', (j) => {
      if (j.phase === 'running' && j.packets > 0 && j.sourceId !== null) { off(); resolve(j); }
    });
  });
  const { jobId } = await value(api.call('sources.open', { path: big.path }));
  const second = await value(api.call('sources.open', { path: queued }));
  const secondInfo = (await value(api.call('jobs.list', {}))).find((j) => j.jobId === second.jobId);
  assert.equal(secondInfo?.phase, 'queued', 'jobs run one at a time');
  const end = finished(api, jobId);
  const during = await running;
  assert.ok(during.bytesDone < during.bytesTotal);
  assert.ok(during.packetsPerSecond > 0);
  const refused = await api.call('sources.remove', { sourceId: during.sourceId! });
  assert.equal(refused.ok, false, 'a source being written cannot be removed');
  assert.deepEqual(await api.call('jobs.cancel', { jobId }), { ok: true, value: null });
  const job = await end;
  assert.equal(job.phase, 'cancelled');
  const source = await value(api.call('sources.get', { sourceId: job.sourceId! }));
  assert.equal(source.status, 'partial');
  assert.ok(source.packets > 0 && source.packets < big.packets, `kept ${source.packets} of ${big.packets}`);
  // The queued job runs once the cancelled one is over.
  const next = await finished(api, second.jobId);
  assert.equal(next.phase, 'done');

  assert.deepEqual(await api.call('sources.remove', { sourceId: job.sourceId! }), { ok: true, value: null });
  const left = await value(api.call('sources.list', {}));
  assert.deepEqual(left.map((s) => s.id), [next.sourceId]);
});

test('sources.openSample ingests the shipped sample; an empty assets dir says it is missing', async (t) => {
  const { api, dir } = openBench(t, 'sample');
  const info = await value(api.call('app.info', {}));
  assert.equal(info.hasSample, true);
  assert.equal(info.host, 'server');
  const { jobId } = await value(api.call('sources.openSample', {}));
  const job = await finished(api, jobId);
  assert.equal(job.phase, 'done');
  assert.ok(job.packets > 0);

  const empty = join(dir, 'no-assets');
  writeFileSync(join(dir, 'placeholder'), '');
  const r = Workbench.open({ workspacePath: join(dir, 'other.flowbench'), host: 'electron', assetsDir: empty });
  assert.ok(r.ok);
  t.after(() => r.value.close());
  const sample = await r.value.call('sources.openSample', {});
  assert.equal(sample.ok ? '' : sample.error.code, 'not_found');
  assert.equal(((await r.value.call('app.info', {})) as { value: { hasSample: boolean } }).value.hasSample, false);
});

test('sources.open of a NAB CSV series imports it as a series source with one window per row', async (t) => {
  const { api } = openBench(t, 'series');
  const csv = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_5abac7.csv');
  // Distinct timestamps: the file repeats 11 of them, and a repeated row replaces the earlier one.
  const rows = new Set(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0])).size;
  const job = await openAndWait(api, csv);
  assert.equal(job.phase, 'done', job.error?.message);
  const source = await value(api.call('sources.get', { sourceId: job.sourceId ?? -1 }));
  assert.equal(source.kind, 'series');
  assert.equal(source.status, 'complete');
  assert.equal(job.packets, rows, 'the job counts the windows stored');
  const chart = await value(api.call('charts.series', { sourceId: source.id, metrics: ['value'], maxPoints: 100_000 }));
  assert.equal(chart.series[0]?.t.length, rows, 'one stored window per distinct timestamp');
});
