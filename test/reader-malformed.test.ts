import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { ErrorCode } from '../src-shared/result.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { compareTime, formatEpoch } from '../src-main/ingest/timestamp.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

// Every file of corpus/malformed: the reader must not crash, hang or allocate what a header
// claims; it keeps what was valid before a fault and names the fault's offset and record.
// Where we differ from tshark 4.0.17 on purpose, `deviation` says what and why, and the
// expected values are ours (derived from the file bytes), not the truth's.

/** The parts of truth/malformed/<file>.json this test reads. */
interface Truth {
  packets: number;
  captured_bytes: number;
  wire_bytes: number;
  timestamps: { min: string; max: string } | null;
}

type Expected =
  | { readonly open: ErrorCode; readonly message: RegExp; readonly deviation?: string; readonly tshark?: { packets: number } }
  | {
      readonly packets: number;
      /** Absent: the truth's captured/wire bytes and min/max timestamps must match. */
      readonly ours?: { capturedBytes: number; wireBytes: number; min: string | null; max: string | null };
      readonly warning?: { offset: number; record: number; message: RegExp };
      readonly linkTypes?: readonly number[];
      readonly normalizedTimestamps?: number;
      readonly deviation?: string;
      /** What tshark reported instead (checked against the truth, so the deviation stays pinned). */
      readonly tshark?: Partial<{ packets: number; capturedBytes: number; wireBytes: number; min: string; max: string }>;
    };

const EXPECTED: Record<string, Expected> = {
  // 5th EPB (block 7: SHB, IDB, 4 EPBs before it) has trailer 116 vs leading 108.
  'made__bad_block_trailer_length.pcapng': {
    packets: 4, warning: { offset: 680, record: 7, message: /lengths differ: 108 at the start, 116 at the end/ },
  },
  'made__bad_byte_order_magic.pcapng': {
    open: 'not_a_capture', message: /byte-order magic at offset 8 is 0x11223344/,
    deviation: 'tshark falls back to format heuristics and opens it as a one-record JSON file (truth: 1 packet, file type json); a pcapng with a broken byte-order magic cannot be read, so we refuse it.',
    tshark: { packets: 1 },
  },
  'made__bad_magic.pcap': { open: 'not_a_capture', message: /unknown magic 0xefbeadde at offset 0/ },
  'made__bad_version.pcap': { packets: 264 },
  'made__header_only_no_packets.pcap': { packets: 0 },
  // Record 51 of tcpdump__mptcp-v0.pcap starts at byte 10778.
  'made__huge_caplen.pcap': {
    packets: 50, warning: { offset: 10778, record: 51, message: /claims 2147483648 captured bytes, more than the 262144-byte limit/ },
  },
  'made__huge_caplen_early_record.pcap': {
    packets: 2,
    ours: { capturedBytes: 172, wireBytes: 172, min: '1361796995.701161000', max: '1361796995.701661000' },
    warning: { offset: 228, record: 3, message: /claims 2147483648 captured bytes/ },
    deviation: 'the bogus record 3 makes Wireshark pick another pcap variant, so tshark reads 2 garbled records (the second at 701661.000086 s, 620072264 wire bytes) and then fails on a "72569110-byte packet"; we read the 2 genuine records and stop at record 3.',
    tshark: { wireBytes: 620072264, min: '701661.000086000' },
  },
  'made__origlen_lt_caplen.pcap': { packets: 264 },
  'made__truncated_global_header.pcap': { open: 'truncated', message: /pcap file header cut short at offset 12 \(12 of 24 bytes\)/ },
  // The 88th EPB is block 90 and starts at byte 14224; the file holds 50 of its 100 bytes.
  'made__truncated_mid_block.pcapng': {
    packets: 87, warning: { offset: 14224, record: 90, message: /block of 100 bytes runs past the end of the file, 50 bytes left \(truncated\)/ },
  },
  'made__truncated_mid_record.pcap': {
    packets: 100, warning: { offset: 17478, record: 101, message: /file ends 99 bytes into its \d+ captured bytes \(truncated\)/ },
  },
  'made__truncated_record_header.pcap': {
    packets: 100, warning: { offset: 17478, record: 101, message: /file ends 8 bytes into the 16-byte record header \(truncated\)/ },
  },
  'made__zero_length.pcap': {
    open: 'not_a_capture', message: /empty file \(0 bytes\)/,
    deviation: 'tshark accepts a 0-byte file as an empty ERF capture (rc 0); an empty file is no capture, so we say so.',
    tshark: { packets: 0 },
  },
  // Version 2.0: lengths in pre-2.3 order (libpcap and Wireshark swap them): 197 captured of 524501.
  'ndpi__fuzz-2021-10-13.pcap': {
    packets: 1,
    ours: { capturedBytes: 197, wireBytes: 524501, min: '980658803.882137472', max: '980658803.882137472' },
    warning: { offset: 237, record: 2, message: /file ends 2 bytes into the 16-byte record header/ },
    normalizedTimestamps: 1,
    deviation: 'the ns fraction field is 1882137472 (>= 1e9): tshark prints it literally as 980658802.1882137472; we carry the whole second: 980658803.882137472.',
    tshark: { min: '980658802.1882137472' },
  },
  'tcpdump__arp-oobr.pcap': { packets: 2282 },
  'tcpdump__atm-oam-loopback-print-overrun.pcap': {
    packets: 1,
    ours: { capturedBytes: 64, wireBytes: 65622, min: '1544489736.821166000', max: '1544489736.821166000' },
    linkTypes: [123],
    normalizedTimestamps: 1,
    deviation: 'LINKTYPE_SUNATM: Wireshark strips the 4-byte SunATM pseudo-header from both lengths (60 / 65618), we report the record as stored (64 / 65622); and the µs field 1159821166 (>= 1e6) becomes 1159.821166 s for us, while tshark shows 1544488577.179996080, its fraction × 1000 wrapped at 2^32.',
    tshark: { capturedBytes: 60, wireBytes: 65618, min: '1544488577.179996080' },
  },
  'tcpdump__bgp-bgp_capabilities_print-oobr-1.pcap': { packets: 1 },
  'tcpdump__empty.pcapng': { packets: 0 },
  'tcpdump__hoobr_juniper3.pcap': {
    packets: 1,
    ours: { capturedBytes: 6, wireBytes: 262144, min: '808464432.999999000', max: '808464432.999999000' },
    linkTypes: [132],
    deviation: 'link-type field 0x30000084 (LINKTYPE 132, Juniper, with FCS bits): tshark refuses the file before any packet; we read its one record and leave the unknown link type to the decoder, which counts it.',
    tshark: { packets: 0 },
  },
  'tcpdump__ipv6_jumbogram_invalid_length.pcap': { packets: 1 },
  'tcpdump__ppp-invalid-lengths.pcap': { packets: 1 },
  'tcpdump__time_2106_overflow.pcapng': { packets: 1 },
  'tcpdump__timestamp_invalid_micro.pcap': {
    packets: 3,
    ours: { capturedBytes: 220, wireBytes: 220, min: '1418145369.999999000', max: '1418147517.483648000' },
    normalizedTimestamps: 2,
    deviation: 'µs fields 1000000 and 2147483648: tshark prints the first literally as 1418145370.1000000000 and wraps the second to .000000000; we carry whole seconds (1418145371.000000000, 1418147517.483648000).',
    tshark: { max: '1418145370.1000000000' },
  },
  'tcpdump__timestamp_invalid_nano.pcap': {
    packets: 3,
    ours: { capturedBytes: 220, wireBytes: 220, min: '1418145369.999999999', max: '1418145372.147483648' },
    normalizedTimestamps: 2,
    deviation: 'ns fields 1000000000 and 2147483648: tshark prints 1418145370.1000000000 and -1418145370.2147483648; we carry whole seconds (1418145371.000000000, 1418145372.147483648).',
    tshark: { min: '-1418145370.2147483648', max: '1418145370.1000000000' },
  },
  'tcpdump__udp-length-heapoverflow.pcap': { packets: 1, linkTypes: [1] },
  'tcpdump__vtp_asan.pcap': {
    packets: 5,
    ours: { capturedBytes: 50, wireBytes: 524288, min: '0.000000000', max: '1700306020.999999000' },
    linkTypes: [182],
    deviation: 'LINKTYPE 182 is unknown to Wireshark 4.0, which refuses the file; we read its 5 records (4 of them empty) and leave the link type to the decoder, which counts it as unknown.',
    tshark: { packets: 0 },
  },
  'zeek__geneve-truncated.pcapng': { packets: 1 },
  'zeek__ip-discarder-truncated-tcp-oob.pcapng': { packets: 1 },
  'zeek__mpls-6in6-broken.pcap': { packets: 1811 },
  'zeek__nflog-bad-tlv-len.pcap': { packets: 1, linkTypes: [239] },
};

const files = corpusFiles('malformed');

test('every malformed file has an expected outcome, and every outcome a file', () => {
  assert.deepEqual(files.map((f) => basename(f)), Object.keys(EXPECTED).sort());
});

for (const path of files) {
  const name = basename(path);
  const expected = EXPECTED[name];
  test(`malformed: ${name}`, () => {
    assert.ok(expected !== undefined, `no expectation for ${name}`);
    const truth = readTruth(name, 'malformed') as Truth;
    if (expected.tshark !== undefined) {
      assert.ok(expected.deviation !== undefined);
      const t = expected.tshark as Partial<Record<string, number | string>>;
      const said: Record<string, number | string | undefined> = {
        packets: truth.packets, capturedBytes: truth.captured_bytes, wireBytes: truth.wire_bytes,
        min: truth.timestamps?.min, max: truth.timestamps?.max,
      };
      for (const [key, value] of Object.entries(t)) assert.equal(said[key], value, `truth ${key}`);
    }
    for (const chunkSize of [undefined, 61]) {
      const opened = openCapture(path, chunkSize === undefined ? {} : { chunkSize });
      if ('open' in expected) {
        assert.equal(opened.ok, false);
        if (opened.ok) return;
        assert.equal(opened.error.code, expected.open);
        assert.match(opened.error.message, expected.message);
        assert.ok(opened.error.message.startsWith(path), 'the message names the file');
        assert.doesNotMatch(opened.error.message, /\n/);
        if (expected.deviation === undefined) assert.equal(truth.packets, 0, 'tshark reads nothing either');
        continue;
      }
      assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
      const reader = opened.value;
      const batch = createRawBatch(64);
      let packets = 0, capturedBytes = 0, wireBytes = 0, minS = 0, minN = 0, maxS = 0, maxN = 0;
      let k: number;
      while ((k = reader.next(batch)) > 0) {
        assert.ok(batch.data.length <= 4 * 1024 * 1024, 'the window never grows past the chunk');
        for (let i = 0; i < k; i++) {
          const s = batch.tsSec[i]!, ns = batch.tsNsec[i]!;
          if (packets === 0 || compareTime(s, ns, minS, minN) < 0) [minS, minN] = [s, ns];
          if (packets === 0 || compareTime(s, ns, maxS, maxN) > 0) [maxS, maxN] = [s, ns];
          packets++;
          capturedBytes += batch.caplen[i]!;
          wireBytes += batch.wirelen[i]!;
        }
      }
      const got = {
        capturedBytes, wireBytes,
        min: packets > 0 ? formatEpoch(minS, minN) : null,
        max: packets > 0 ? formatEpoch(maxS, maxN) : null,
      };
      assert.equal(packets, expected.packets);
      if (expected.ours !== undefined) {
        assert.ok(expected.deviation !== undefined, 'values that differ from the truth need a reason');
        assert.deepEqual(got, expected.ours);
      } else {
        assert.equal(truth.packets, expected.packets, 'same count as tshark');
        assert.deepEqual(got, {
          capturedBytes: truth.captured_bytes, wireBytes: truth.wire_bytes,
          min: truth.timestamps?.min ?? null, max: truth.timestamps?.max ?? null,
        });
      }
      if (expected.warning === undefined) {
        assert.deepEqual(reader.warnings, []);
        assert.equal(reader.bytesConsumed(), reader.fileSize);
      } else {
        assert.equal(reader.warnings.length, 1);
        const w = reader.warnings[0]!;
        assert.deepEqual([w.offset, w.record], [expected.warning.offset, expected.warning.record]);
        assert.match(w.message, expected.warning.message);
        assert.match(w.message, new RegExp(`(record|block) ${w.record} at offset ${w.offset}: .*; reading stopped$`));
        assert.equal(reader.bytesConsumed(), w.offset, 'progress stops where the fault starts');
      }
      if (expected.linkTypes !== undefined) assert.deepEqual(reader.linkTypes(), expected.linkTypes);
      assert.equal(reader.normalizedTimestamps?.() ?? 0, expected.normalizedTimestamps ?? 0);
      reader.close();
    }
  });
}
