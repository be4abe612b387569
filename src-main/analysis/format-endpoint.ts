/**
 * Text forms of addresses and endpoints for reports (never used on the per-packet path).
 */

/** Dotted-quad form of an IPv4 address held as a 32-bit number. */
export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/**
 * RFC 5952 text form of an IPv6 address held as four 32-bit words: lower-case hex, no leading
 * zeros, the longest run of two or more zero groups (the first on a tie) as "::", and
 * IPv4-mapped addresses (::ffff:0:0/96, RFC 5952 §5) with a dotted-quad tail.
 */
export function formatIpv6(words: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = words[i] ?? 0;
    g.push(w >>> 16, w & 0xffff);
  }
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4((words[3] ?? 0) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** "addr:port" for IPv4, "[addr]:port" for IPv6. */
export function formatEndpoint(ipVersion: 4 | 6, words: ArrayLike<number>, port: number): string {
  return ipVersion === 4
    ? `${formatIpv4((words[0] ?? 0) >>> 0)}:${port}`
    : `[${formatIpv6(words)}]:${port}`;
}
