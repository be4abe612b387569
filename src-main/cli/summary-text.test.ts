import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaptureSummary } from '../../src-shared/capture-summary.js';
import { formatSummaryText } from './summary-text.js';
import { formatBitRate, formatBytes, formatCount, formatSpan, formatUtc } from './units.js';

const SUMMARY: CaptureSummary = {
  file: 'x.pcap',
  format: 'pcap',
  linkTypes: [1],
  packets: 2011,
  capturedBytes: 116672,
  wireBytes: 116672,
  firstTimestamp: '1278275056.274870000',
  lastTimestamp: '1278275079.360213000',
  durationSeconds: 23.085343,
  protocols: { ipv4: 2011, ipv6: 0, tcp: 2011, udp: 0, icmp: 0, icmpv6: 0 },
  conversations: { tcp: 1994, udp: 0 },
  topConversations: [
    { proto: 'tcp', a: '172.16.0.8:36050', b: '64.13.134.52:53', packets: 5, bytes: 298 },
    { proto: 'udp', a: '[2001:db8::1]:5353', b: '[ff02::fb]:5353', packets: 2, bytes: 180 },
  ],
  warnings: [{ offset: 9978, record: 51, message: 'record claims 2147483648 bytes' }],
};

test('the text summary holds every field with units', () => {
  const text = formatSummaryText(SUMMARY);
  assert.match(text, /^File: +x\.pcap$/m);
  assert.match(text, /^Link types: +Ethernet.*\(1\)$/m);
  assert.match(text, /^Packets: +2,011$/m);
  assert.match(text, /^Captured bytes: +116,672 bytes \(117 kB\)$/m);
  assert.match(text, /^First packet: +2010-07-04 20:24:16\.274870000 UTC +\(1278275056\.274870000\)$/m);
  assert.match(text, /^Duration: +23\.085343 s/m);
  assert.match(text, /^ +TCP +2,011 +100\.0 %$/m);
  assert.match(text, /^Conversations: 1,994 TCP, 0 UDP$/m);
  assert.match(text, /^ +1 +TCP +172\.16\.0\.8:36050 +64\.13\.134\.52:53 +5 +298 B +0\.3 %$/m);
  assert.match(text, /\[2001:db8::1\]:5353/);
  assert.match(text, /byte offset 9978, record 51: record claims/);
});

test('an empty capture prints dashes, not NaN', () => {
  const text = formatSummaryText({
    ...SUMMARY, packets: 0, capturedBytes: 0, wireBytes: 0, firstTimestamp: null, lastTimestamp: null,
    durationSeconds: 0, protocols: { ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0 },
    conversations: { tcp: 0, udp: 0 }, topConversations: [], linkTypes: [], warnings: undefined,
  });
  assert.doesNotMatch(text, /NaN|Infinity|undefined/);
  assert.match(text, /^First packet: +-$/m);
});

test('units', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1_011_234), '1.01 MB');
  assert.equal(formatBytes(35_146), '35.1 kB');
  assert.equal(formatBitRate(12_345_678), '12.3 Mbit/s');
  assert.equal(formatSpan(0.128), '0.128 s');
  assert.equal(formatSpan(89.937), '1 min 30 s');
  assert.equal(formatSpan(184_285_201), '5.8 years');
  assert.equal(formatUtc('4294967296.000000000'), '2106-02-07 06:28:16.000000000 UTC');
  assert.equal(formatUtc('-1.5'), '1969-12-31 23:59:59.5 UTC');
});
