/** Unit formatting for the renderer: the shared pure formatters plus chart-axis helpers. */
export {
  formatBitRate,
  formatByteRateAsBits,
  formatBytes,
  formatClock,
  formatCompactCount,
  formatCount,
  formatDuration,
  formatEpoch,
  formatEpochString,
  formatMs,
  formatPacketRate,
  formatPercent,
  formatSecondsAsMs,
} from '../../src-shared/format-units.js';

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP', 47: 'GRE', 50: 'ESP' };

/** IP protocol number as a name: 6 → "TCP", 99 → "99". */
export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

/** An address and port as an endpoint: "10.0.0.1:443", "[2001:db8::1]:443". */
export function endpoint(addr: string, port: number | null): string {
  if (port === null) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Common LINKTYPE_ names (tcpdump.org link-layer header types). */
const LINK_TYPES: Readonly<Record<number, string>> = {
  0: 'NULL (BSD loopback)',
  1: 'Ethernet',
  101: 'Raw IP',
  105: 'IEEE 802.11',
  113: 'Linux cooked (SLL)',
  127: 'IEEE 802.11 radiotap',
  228: 'Raw IPv4',
  229: 'Raw IPv6',
  276: 'Linux cooked v2 (SLL2)',
};

/** A link type number with its name: 1 → "Ethernet (1)". */
export function linkTypeName(n: number): string {
  const name = LINK_TYPES[n];
  return name === undefined ? `LINKTYPE ${n}` : `${name} (${n})`;
}
