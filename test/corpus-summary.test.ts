// Every capture of the shared corpus, summarized in-process and checked field by field against
// the Wireshark truth (truth/<file>.json, made by tshark/capinfos 4.0.17). Where our number
// differs on purpose, KNOWN_DIFFERENCES names the file, the field, our value and why; the test
// then asserts exactly that value, so a documented difference cannot hide a new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { CaptureSummary, ConversationRow } from '../src-shared/capture-summary.js';
import { summarizeCapture } from '../src-main/ingest/summarize-capture.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

interface TruthRow {
  readonly proto: 'tcp' | 'udp';
  readonly a: string;
  readonly b: string;
  readonly frames: number;
  readonly bytes_wire: number;
}

interface Truth {
  readonly packets: number;
  readonly captured_bytes: number;
  readonly wire_bytes: number;
  readonly timestamps: { readonly min: string | null; readonly max: string | null; readonly duration_max_minus_min: string | null };
  readonly filter_counts: Record<string, { readonly frames: number }>;
  readonly conversations: {
    readonly tcp_count: number;
    readonly udp_count: number;
    readonly top5_by_bytes: readonly TruthRow[];
  };
}

/** Fields compared; `top5` is the top-conversations list as a set of rows. */
type Field =
  | 'packets' | 'capturedBytes' | 'wireBytes' | 'firstTimestamp' | 'lastTimestamp' | 'durationSeconds'
  | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'tcpConversations' | 'udpConversations' | 'top5';

interface KnownDifference {
  /** Our value, as `actual()` renders it for this field. */
  readonly ours: unknown;
  readonly why: string;
}

/**
 * Intended differences from the truth. Each entry states our value and the reason; see the
 * test's header comment.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, Partial<Record<Field, KnownDifference>>>> = {
  'ndpi__vxlan.pcap': {
    top5: {
      ours: [
        'tcp 10.10.20.4:45228 157.240.224.35:443 91 76161',
        'udp 192.168.22.4:4789 192.168.22.5:36286 56 71223',
        'tcp 10.10.20.4:45226 157.240.224.35:443 28 7991',
        'udp 192.168.22.4:4789 192.168.22.5:60230 13 5656',
        'udp 192.168.22.4:40646 192.168.22.5:4789 35 4938',
      ],
      why: 'same conversations, packets and bytes; the truth labels the outer VXLAN UDP streams with ' +
        'the inner IP addresses (it pairs the last _ws.col.Source/Destination, i.e. the innermost IP, ' +
        'with the last udp.srcport/dstport, i.e. the outer UDP header); we print the outer addresses, ' +
        'as tshark -z conv,udp does',
    },
  },
  'tcpdump__geneve.pcap': {
    top5: {
      ours: [
        'tcp 30.0.0.1:22 30.0.0.2:51225 33 8368',
        'udp 20.0.0.1:22540 20.0.0.2:6081 16 4559',
        'udp 20.0.0.1:6081 20.0.0.2:43443 17 3809',
        'udp 20.0.0.1:12618 20.0.0.2:6081 3 468',
        'udp 20.0.0.1:6081 20.0.0.2:50525 3 444',
      ],
      why: 'as in ndpi__vxlan.pcap the truth pairs inner Geneve IP addresses with outer UDP ports (we ' +
        'print the outer addresses, as tshark -z conv,udp does); and the truth leaves out every frame ' +
        'containing ICMP, so the two Geneve pairs that only carry pings (3 frames each) are missing ' +
        'from its list; they are real UDP conversations (tshark -z conv,udp lists them)',
    },
  },
  'ndpi__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap': {
    udpConversations: {
      ours: 5,
      why: "Wireshark's SIP/SDP dissector creates a new conversation for the RTP/T.38 media pair " +
        '10.23.1.52:16756 <-> 10.35.60.100:15580 at each offer/answer, so tshark -z conv,udp lists that ' +
        'one address/port pair as 8 rows (12 in all); we count address/port pairs and do not dissect ' +
        'signalling, so the pair is one conversation (5 in all)',
    },
    top5: {
      ours: [
        'udp 10.35.60.100:15580 10.23.1.52:16756 1330 182702',
        'udp 10.35.40.25:5060 10.35.40.200:5060 46 26472',
        'udp 10.35.40.22:2944 10.23.1.42:2944 130 23570',
        'udp 10.35.60.72:5060 10.35.60.100:5060 23 13236',
        'udp 138.132.169.101:5060 192.168.100.219:5060 23 13143',
      ],
      why: 'follows from udpConversations: the 8 SDP-split streams of the media pair are one ' +
        'conversation here (1330 frames, 182702 bytes = the sum of those streams), which frees a ' +
        'place for the fifth SIP pair',
    },
  },
};

/** Our value of a field, in a form that compares with `expected()`. */
function actual(s: CaptureSummary, field: Field): unknown {
  switch (field) {
    case 'packets': return s.packets;
    case 'capturedBytes': return s.capturedBytes;
    case 'wireBytes': return s.wireBytes;
    case 'firstTimestamp': return s.firstTimestamp;
    case 'lastTimestamp': return s.lastTimestamp;
    case 'durationSeconds': return s.durationSeconds.toFixed(6);
    case 'ipv4': case 'ipv6': case 'tcp': case 'udp': case 'icmp': case 'icmpv6': return s.protocols[field];
    case 'tcpConversations': return s.conversations.tcp;
    case 'udpConversations': return s.conversations.udp;
    case 'top5': return rowSet(s.topConversations.map(ourRow));
  }
}

/** The truth's value of a field. */
function expected(t: Truth, field: Field): unknown {
  switch (field) {
    case 'packets': return t.packets;
    case 'capturedBytes': return t.captured_bytes;
    case 'wireBytes': return t.wire_bytes;
    case 'firstTimestamp': return t.packets === 0 ? null : t.timestamps.min;
    case 'lastTimestamp': return t.packets === 0 ? null : t.timestamps.max;
    // The JSON number keeps ~15 significant digits; spans of years leave µs exact at 6 decimals.
    case 'durationSeconds': return Number(t.timestamps.duration_max_minus_min ?? '0').toFixed(6);
    case 'ipv4': case 'ipv6': case 'tcp': case 'udp': case 'icmp': case 'icmpv6':
      return t.filter_counts[field]?.frames;
    case 'tcpConversations': return t.conversations.tcp_count;
    case 'udpConversations': return t.conversations.udp_count;
    case 'top5': return rowSet(t.conversations.top5_by_bytes.map(truthRow));
  }
}

const FIELDS: readonly Field[] = [
  'packets', 'capturedBytes', 'wireBytes', 'firstTimestamp', 'lastTimestamp', 'durationSeconds',
  'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'tcpConversations', 'udpConversations', 'top5',
];

/** "proto lowEndpoint highEndpoint packets bytes" (the pair unordered, IPv6 without brackets). */
function rowKey(proto: string, a: string, b: string, packets: number, bytes: number): string {
  const [x, y] = [a, b].sort();
  return `${proto} ${x!} ${y!} ${packets} ${bytes}`;
}

function ourRow(r: ConversationRow): string {
  const plain = (e: string): string => e.replace(/^\[(.*)\]:(\d+)$/, '$1:$2');
  return rowKey(r.proto, plain(r.a), plain(r.b), r.packets, r.bytes);
}

function truthRow(r: TruthRow): string {
  return rowKey(r.proto, r.a, r.b, r.frames, r.bytes_wire);
}

/** Rows ordered by bytes (desc), then text, so equal-byte rows compare as a set. */
function rowSet(rows: readonly string[]): string[] {
  const bytes = (r: string): number => Number(r.slice(r.lastIndexOf(' ') + 1));
  return [...rows].sort((p, q) => bytes(q) - bytes(p) || (p < q ? -1 : p > q ? 1 : 0));
}

for (const path of corpusFiles('pcap')) {
  const name = basename(path);
  test(`summary of ${name} equals Wireshark's truth`, async (t) => {
    const truth = readTruth(name) as Truth;
    const result = await summarizeCapture(path);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    const { summary, damaged, cancelled } = result.value;
    assert.equal(damaged, false, `unexpected warnings: ${JSON.stringify(summary.warnings)}`);
    assert.equal(cancelled, false);
    assert.equal(summary.format, isPcapng(truth) ? 'pcapng' : 'pcap', 'format from the magic, as capinfos');

    const known = KNOWN_DIFFERENCES[name] ?? {};
    for (const field of FIELDS) {
      const ours = actual(summary, field);
      const theirs = expected(truth, field);
      const difference = known[field];
      if (difference === undefined) {
        assert.deepEqual(ours, theirs, `${name}: ${field}`);
      } else {
        t.diagnostic(`${name}: ${field} differs on purpose: ${difference.why}`);
        assert.notDeepEqual(theirs, rowSetIfTop(field, difference.ours), `${name}: ${field} now equals the truth; drop the entry`);
        assert.deepEqual(ours, rowSetIfTop(field, difference.ours), `${name}: ${field} (documented value)`);
      }
    }
  });
}

function rowSetIfTop(field: Field, value: unknown): unknown {
  if (field !== 'top5') return value;
  return rowSet((value as string[]).map((row) => {
    const [proto, a, b, packets, bytes] = row.split(' ');
    return rowKey(proto!, a!, b!, Number(packets), Number(bytes));
  }));
}

function isPcapng(truth: Truth): boolean {
  const capinfos = (truth as unknown as { capinfos?: { file_type?: string } }).capinfos;
  return capinfos?.file_type === 'pcapng';
}
