import type { CaptureSummary, ProtocolCounts } from '../../src-shared/capture-summary.js';
import { linkTypeName } from '../ingest/link-types.js';
import { renderFields, renderTable } from './text-table.js';
import { formatBitRate, formatBytes, formatCount, formatPercent, formatSpan, formatUtc } from './units.js';

const PROTOCOL_LABELS: readonly (readonly [keyof ProtocolCounts, string])[] = [
  ['ipv4', 'IPv4'], ['ipv6', 'IPv6'], ['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP'], ['icmpv6', 'ICMPv6'],
];

/**
 * The readable form of `flowbench summary`: capinfos-style fields, then protocol and
 * top-conversation tables. Every number carries its unit.
 */
export function formatSummaryText(s: CaptureSummary): string {
  const parts = [renderFields(overviewFields(s))];
  parts.push(`\nProtocols (frames containing each, tunnels and ICMP-quoted headers included)\n`);
  parts.push(renderTable(
    [{ title: 'Protocol' }, { title: 'Packets', align: 'right' }, { title: 'Share', align: 'right' }],
    PROTOCOL_LABELS.map(([key, label]) => [label, formatCount(s.protocols[key]), share(s.protocols[key], s.packets)]),
  ));
  parts.push(`\nConversations: ${formatCount(s.conversations.tcp)} TCP, ${formatCount(s.conversations.udp)} UDP\n`);
  if (s.topConversations.length > 0) {
    parts.push(`\nTop conversations by bytes (A sent the first packet)\n`);
    parts.push(renderTable(
      [{ title: '#', align: 'right' }, { title: 'Proto' }, { title: 'A' }, { title: 'B' },
        { title: 'Packets', align: 'right' }, { title: 'Bytes', align: 'right' }, { title: 'Share', align: 'right' }],
      s.topConversations.map((c, i) => [
        String(i + 1), c.proto.toUpperCase(), c.a, c.b, formatCount(c.packets), formatBytes(c.bytes),
        share(c.bytes, s.wireBytes),
      ]),
    ));
  }
  if (s.warnings !== undefined && s.warnings.length > 0) {
    parts.push(`\nWarnings (the counts above cover the data before the first fault)\n`);
    for (const w of s.warnings) {
      parts.push(`  byte offset ${w.offset}, record ${w.record}: ${w.message}\n`);
    }
  }
  return parts.join('');
}

function overviewFields(s: CaptureSummary): [string, string][] {
  const fields: [string, string][] = [
    ['File', s.file],
    ['Format', s.format],
    ['Link types', s.linkTypes.length === 0 ? '-' : s.linkTypes.map((t) => `${linkTypeName(t)} (${t})`).join(', ')],
    ['Packets', formatCount(s.packets)],
    ['Captured bytes', `${formatCount(s.capturedBytes)} bytes (${formatBytes(s.capturedBytes)})`],
    ['Wire bytes', `${formatCount(s.wireBytes)} bytes (${formatBytes(s.wireBytes)})`],
    ['First packet', s.firstTimestamp === null ? '-' : `${formatUtc(s.firstTimestamp)}  (${s.firstTimestamp})`],
    ['Last packet', s.lastTimestamp === null ? '-' : `${formatUtc(s.lastTimestamp)}  (${s.lastTimestamp})`],
    ['Duration', s.packets === 0 ? '-' : duration(s.durationSeconds)],
  ];
  if (s.packets > 0) {
    fields.push(['Average packet size', `${(s.wireBytes / s.packets).toFixed(2)} bytes`]);
  }
  if (s.durationSeconds > 0) {
    fields.push(['Average data rate', formatBitRate((s.wireBytes * 8) / s.durationSeconds)]);
    fields.push(['Average packet rate', `${formatRate(s.packets / s.durationSeconds)} packets/s`]);
  }
  return fields;
}

/** Seconds to the microsecond, plus a readable span once it passes a minute. */
function duration(seconds: number): string {
  const exact = `${seconds.toFixed(6)} s`;
  return Math.abs(seconds) < 60 ? exact : `${exact} (${formatSpan(seconds)})`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? formatCount(perSecond) : perSecond.toFixed(2);
}

function share(part: number, whole: number): string {
  return whole > 0 ? formatPercent(part / whole) : '-';
}
