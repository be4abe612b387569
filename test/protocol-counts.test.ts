import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { createDecodedBatch, NO_OFFSET, packetBytes, ProtoBit, type DecodedBatch } from '../src-main/ingest/decoded-batch.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { PacketDecoder } from '../src-main/ingest/packet-decoder.js';
import { createRawBatch, type RawBatch } from '../src-main/ingest/raw-batch.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

// Every capture of corpus/pcap read and decoded by our code, compared with tshark's display
// filter counts (truth filter_counts): a frame counts for a protocol found anywhere in it,
// tunnels and ICMP-quoted headers included. Then the TCP/UDP layers the decoder reports
// (primary + extra layers) are checked against tshark's conversation tables.

/** Truth filter_counts key → ProtoBit. */
const FILTERS: Readonly<Record<string, number>> = {
  ipv4: ProtoBit.IPV4,
  ipv6: ProtoBit.IPV6,
  tcp: ProtoBit.TCP,
  udp: ProtoBit.UDP,
  icmp: ProtoBit.ICMP,
  icmpv6: ProtoBit.ICMPV6,
  arp: ProtoBit.ARP,
  vlan: ProtoBit.VLAN,
  pppoe_session: ProtoBit.PPPOE_SESSION,
  pppoe_discovery: ProtoBit.PPPOE_DISCOVERY,
  mpls: ProtoBit.MPLS,
  gre: ProtoBit.GRE,
  vxlan: ProtoBit.VXLAN,
  geneve: ProtoBit.GENEVE,
  sctp: ProtoBit.SCTP,
  esp: ProtoBit.ESP,
  ipv4_fragment: ProtoBit.IPV4_FRAGMENT,
  ipv6_fragment: ProtoBit.IPV6_FRAGMENT,
};

/**
 * Known differences, each with its reason: file → field → why. Protocol counts have none.
 * Conversation counts: tshark splits one address/port pair into several conversations when a
 * signalling dissector (SIP/SDP here) sets up RTP/T.38 conversations for it; the decoder only
 * reports layers, so distinct pairs are counted here.
 */
const EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ndpi__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap': {
    udp_conversations: 'tshark gives SDP-announced RTP/T.38 media its own conversations: 12 rows for 5 address/port pairs',
  },
};

interface Truth {
  packets: number;
  filter_counts: Record<string, { frames: number }>;
  conversations: { tcp_count: number; udp_count: number };
}

/** Counts per filter field, plus the distinct TCP/UDP address-port pairs of all layers. */
interface Counts {
  packets: number;
  fields: Record<string, number>;
  tcpPairs: Set<string>;
  udpPairs: Set<string>;
}

function decodeCapture(path: string): Counts {
  const opened = openCapture(path, { chunkSize: 1 << 16 });
  if (!opened.ok) throw new Error(opened.error.message);
  const reader = opened.value;
  // Small batches so that reassembly and extra layers cross batch boundaries.
  const raw = createRawBatch(512);
  const out = createDecodedBatch(512);
  const decoder = new PacketDecoder();
  const counts: Counts = { packets: 0, fields: {}, tcpPairs: new Set(), udpPairs: new Set() };
  for (const key of [...Object.keys(FILTERS), 'tcp_not_in_icmp', 'udp_not_in_icmp']) counts.fields[key] = 0;
  try {
    while (reader.next(raw) > 0) {
      decoder.decode(raw, out);
      counts.packets += out.count;
      for (let i = 0; i < out.count; i++) {
        const m = out.protoMask[i]!;
        for (const [key, bit] of Object.entries(FILTERS)) if ((m & bit) !== 0) counts.fields[key]!++;
        const icmp = (m & (ProtoBit.ICMP | ProtoBit.ICMPV6)) !== 0;
        if ((m & ProtoBit.TCP) !== 0 && !icmp) counts.fields['tcp_not_in_icmp']!++;
        if ((m & ProtoBit.UDP) !== 0 && !icmp) counts.fields['udp_not_in_icmp']!++;
      }
      collectPairs(raw, out, counts);
    }
  } finally {
    reader.close();
  }
  return counts;
}

/** Adds the address/port pair of every complete TCP/UDP layer (primary and extra). */
function collectPairs(raw: RawBatch, out: DecodedBatch, counts: Counts): void {
  const add = (bytes: Uint8Array, version: number, ipOffset: number, proto: number, sport: number, dport: number): void => {
    if (ipOffset === NO_OFFSET || (proto !== 6 && proto !== 17)) return;
    const len = version === 4 ? 4 : 16;
    const at = version === 4 ? 12 : 8;
    const a = `${Buffer.from(bytes.subarray(ipOffset + at, ipOffset + at + len)).toString('hex')}:${sport}`;
    const b = `${Buffer.from(bytes.subarray(ipOffset + at + len, ipOffset + at + 2 * len)).toString('hex')}:${dport}`;
    (proto === 6 ? counts.tcpPairs : counts.udpPairs).add(a < b ? `${a}|${b}` : `${b}|${a}`);
  };
  for (let i = 0; i < out.count; i++) {
    if ((out.protoMask[i]! & ProtoBit.L4_HEADER) === 0) continue;
    add(packetBytes(raw.data, out, i), out.ipVersion[i]!, out.ipOffset[i]!, out.ipProto[i]!, out.srcPort[i]!, out.dstPort[i]!);
  }
  const l = out.layers;
  for (let k = 0; k < l.count; k++) {
    const i = l.packetIndex[k]!;
    add(packetBytes(raw.data, out, i), l.ipVersion[k]!, l.ipOffset[k]!, l.ipProto[k]!, l.srcPort[k]!, l.dstPort[k]!);
  }
}

for (const path of corpusFiles('pcap')) {
  const name = basename(path);
  test(`protocol counts equal tshark's: ${name}`, () => {
    const truth = readTruth(name) as Truth;
    const got = decodeCapture(path);
    assert.equal(got.packets, truth.packets, 'packets');
    const exceptions = EXCEPTIONS[name] ?? {};
    for (const key of Object.keys(got.fields)) {
      assert.equal(exceptions[key], undefined, `no exception may cover protocol field ${key}`);
      assert.equal(got.fields[key], truth.filter_counts[key]!.frames, `${key} (display filter "${key}")`);
    }
    const checks: [string, number, number][] = [
      ['tcp_conversations', got.tcpPairs.size, truth.conversations.tcp_count],
      ['udp_conversations', got.udpPairs.size, truth.conversations.udp_count],
    ];
    for (const [field, ours, theirs] of checks) {
      if (exceptions[field] !== undefined) {
        assert.notEqual(ours, theirs, `${field}: the documented exception no longer applies, remove it`);
        continue;
      }
      assert.equal(ours, theirs, `${field} (TCP/UDP layers, primary + extra)`);
    }
  });
}

test('documented exceptions name corpus files that exist', () => {
  const names = new Set(corpusFiles('pcap').map((p) => basename(p)));
  for (const name of Object.keys(EXCEPTIONS)) assert.ok(names.has(name), name);
});
