import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ingestFile } from '../src-main/analysis/ingest-pipeline.js';
import { ConversationsRepo } from '../src-main/store/conversations-repo.js';
import { SourcesRepo } from '../src-main/store/sources-repo.js';
import { StatsRepo } from '../src-main/store/stats-repo.js';
import { WindowsRepo } from '../src-main/store/windows-repo.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { main } from '../src-main/cli/main.js';
import { recordingIo } from '../src-main/cli/test-io.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

// Every capture of corpus/pcap ingested into ONE real workspace, then read back through the
// store's query layer and compared with Wireshark's truth: per-second packet / wire-byte /
// captured-byte counts (per_second_epoch), TCP and UDP conversation counts, packet-length
// buckets, mean ack_rtt and handshake RTT (within 1 %), TLS SNI and DNS query names.

interface Stat { count: number; mean: string }
interface Truth {
  packets: number;
  per_second_epoch: { rows: [number, number, number, number][] };
  conversations: { tcp_count: number; udp_count: number };
  packet_length_buckets: { range: string; count: number }[];
  tcp_rtt: { ack_rtt_s: Stat; initial_rtt_per_stream_s: Stat };
  tls_sni: { values: string[] };
  dns_query_names: { values: string[] };
}

/**
 * Documented deviations, per file and check. `skip` leaves the check out; `subset` checks that
 * every name found is in the truth (none invented) but allows truth names the flow table does
 * not extract. Reported to the flow-table owner; remove an entry once the flow table covers it.
 */
type Exception = { readonly kind: 'skip' | 'subset'; readonly why: string };
const QUIC_SNI: Exception = { kind: 'subset', why: 'SNI inside QUIC Initial packets: the flow table reads TLS over TCP only' };
const SPLIT_HELLO: Exception = {
  kind: 'subset',
  why: 'ClientHello spans several TCP segments / IP fragments: the flow table parses one segment',
};
const EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, Exception>>>> = {
  'ndpi__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap': {
    udp_conversations: { kind: 'skip', why: 'tshark gives SDP-announced RTP/T.38 media its own conversations (test/protocol-counts.test.ts)' },
  },
  'ndpi__doq_adguard.pcapng': { sni: QUIC_SNI },
  'ndpi__quic-mvfst-22.pcap': { sni: QUIC_SNI },
  'ndpi__quic-v2.pcapng': { sni: QUIC_SNI },
  'ndpi__quic_interop_V.pcapng': { sni: QUIC_SNI },
  'ndpi__snapchat_call_v1.pcapng': { sni: QUIC_SNI },
  'ndpi__sites.pcapng': { sni: { kind: 'subset', why: '55 of 59: the 4 missing names travel in QUIC Initial packets' } },
  'zeek__chromium-115.0.5790.110-google-de-fragmented.pcap': { sni: SPLIT_HELLO },
  'zeek__firefox-102.13.0esr-blog-cloudflare-com.pcap': { sni: SPLIT_HELLO },
  'ndpi__dns-tunnel-iodine.pcap': {
    dns_names: { kind: 'skip', why: 'binary iodine labels: tshark escapes / drops non-printable names (200) where the flow table keeps 222 raw ones' },
  },
  'ndpi__iphone.pcap': {
    dns_names: { kind: 'skip', why: 'one multi-question mDNS message: the flow table keeps _uscans._tcp.local, tshark _adisk._tcp.local' },
  },
  'tcpdump__of13_ericsson.pcapng': {
    ack_rtt: { kind: 'skip', why: 'flow table finds 101 ack_rtt samples, tshark 104 (mean 5 % lower): open flow-table question' },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'flowbench-ingest-corpus-'));
const dbPath = join(dir, 'corpus.db');
after(() => rmSync(dir, { recursive: true, force: true }));

const files = corpusFiles('pcap');
const sourceOf = new Map<string, number>();

test('every corpus capture ingests completely into one workspace', async () => {
  const ws = openWorkspace(dbPath);
  assert.ok(ws.ok, ws.ok ? '' : ws.error.message);
  try {
    for (const f of files) {
      const r = await ingestFile(ws.value.db, f);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      const truth = readTruth(basename(f)) as Truth;
      assert.equal(r.value.complete, true, `${basename(f)}: not complete (${r.value.warnings.map((w) => w.message).join('; ')})`);
      assert.equal(r.value.packets, truth.packets, `${basename(f)}: packets`);
      sourceOf.set(basename(f), r.value.sourceId);
    }
    // Re-opening an analysed file is instant: the same source, nothing read.
    const again = await ingestFile(ws.value.db, files[0]!);
    assert.ok(again.ok);
    assert.equal(again.value.reused, true);
    assert.equal(again.value.sourceId, sourceOf.get(basename(files[0]!)));
    assert.equal(new SourcesRepo(ws.value.db).list().length, files.length);
  } finally {
    ws.value.close();
  }
});

function exception(name: string, check: string): Exception | undefined {
  return EXCEPTIONS[name]?.[check];
}

/** Names equal to the truth, or (a `subset` exception) each name found is in the truth. */
function namesMatch(name: string, check: string, ours: readonly string[], truth: readonly string[]): void {
  if (exception(name, check)?.kind === 'subset') {
    const known = new Set(truth);
    assert.deepEqual(ours.filter((n) => !known.has(n)), [], `${check}: names not in the truth`);
  } else {
    assert.deepEqual([...ours].sort(), [...truth].sort(), check);
  }
}

function relClose(actual: number | null, expected: number, what: string): void {
  assert.notEqual(actual, null, `${what}: no value (truth ${expected})`);
  const rel = Math.abs(actual! - expected) / Math.max(Math.abs(expected), 1e-12);
  assert.ok(rel <= 0.01, `${what}: ${actual} vs truth ${expected} (${(rel * 100).toFixed(2)} % off)`);
}

test('query layer equals the truth for every capture', () => {
  const ws = openWorkspace(dbPath, { readonly: true });
  assert.ok(ws.ok, ws.ok ? '' : ws.error.message);
  const db = ws.value.db;
  const windows = new WindowsRepo(db);
  const conversations = new ConversationsRepo(db);
  const stats = new StatsRepo(db);
  const failures: string[] = [];
  try {
    for (const f of files) {
      const name = basename(f);
      const id = sourceOf.get(name);
      if (id === undefined) { failures.push(`${name}: not ingested`); continue; }
      const truth = readTruth(name) as Truth;
      const check = (label: string, fn: () => void): void => {
        if (exception(name, label)?.kind === 'skip') return;
        try { fn(); } catch (e) { failures.push(`${name}: ${label}: ${(e as Error).message.split('\n')[0]}`); }
      };
      check('per_second', () => {
        const rows = windows.page(id, 1).map((w) => [w.t, w['packets'], w['bytes'], w['captured_bytes']]);
        assert.deepEqual(rows, truth.per_second_epoch.rows, 'per-second rows');
      });
      const counts = conversations.counts(id);
      check('tcp_conversations', () => assert.equal(counts.tcp, truth.conversations.tcp_count, 'tcp conversations'));
      check('udp_conversations', () => assert.equal(counts.udp, truth.conversations.udp_count, 'udp conversations'));
      const s = stats.read(id);
      check('stats', () => assert.notEqual(s, null, 'stats written'));
      if (s === null) continue;
      check('packet_length_buckets', () => assert.deepEqual(s.packet_length_buckets, truth.packet_length_buckets));
      check('ack_rtt', () => {
        const t = truth.tcp_rtt.ack_rtt_s;
        assert.equal(s.ack_rtt.count, t.count, 'ack_rtt count');
        if (t.count > 0) relClose(s.ack_rtt.mean, Number(t.mean), 'ack_rtt mean');
      });
      check('handshake_rtt', () => {
        const t = truth.tcp_rtt.initial_rtt_per_stream_s;
        if (t.count > 0) relClose(s.handshake_rtt.mean, Number(t.mean), 'handshake_rtt mean');
        else assert.equal(s.handshake_rtt.count, 0, 'handshake_rtt count');
      });
      check('sni', () => namesMatch(name, 'sni', s.sni, truth.tls_sni.values));
      check('dns_names', () => namesMatch(name, 'dns_names', s.dns_names, truth.dns_query_names.values));
    }
  } finally {
    ws.value.close();
  }
  assert.deepEqual(failures, [], `${failures.length} mismatches:\n${failures.join('\n')}`);
});

test('flowbench query windows --json prints the stored 1 s rows', async () => {
  const name = 'ndpi__443-firefox.pcap';
  const io = recordingIo();
  const code = await main(['query', 'windows', '--db', dbPath, '--source', String(sourceOf.get(name)), '--resolution', '1s', '--json'], io);
  assert.equal(code, 0, io.stderr());
  const rows = JSON.parse(io.stdout()) as Record<string, number | null>[];
  const truth = readTruth(name) as Truth;
  assert.deepEqual(rows.map((r) => [r['t'], r['packets'], r['bytes'], r['captured_bytes']]), truth.per_second_epoch.rows);
  assert.deepEqual(Object.keys(rows[0]!).slice(0, 5), ['t', 'packets', 'bytes', 'captured_bytes', 'bytes_per_second']);
  assert.equal(rows[0]!['packets_per_second'], rows[0]!['packets']);
});
