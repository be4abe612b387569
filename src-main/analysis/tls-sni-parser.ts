/**
 * TLS ClientHello SNI from the start of a TCP payload (RFC 8446 §4.1.2 ClientHello, RFC 5246
 * §6.2.1 record layer, RFC 6066 §3 server_name). Bounded: reads only data[off, end), so a
 * ClientHello cut by the segment or the snaplen still yields its SNI when the extension is
 * inside the captured part. One segment only (no reassembly): corpus ClientHellos all fit in
 * one segment. QUIC Initial packets carry the ClientHello encrypted (RFC 9001 §5.2); decrypting
 * them is out of scope, so QUIC SNI is not extracted.
 */

import { sanitizeUtf8 } from './sanitize-utf8.js';

/**
 * Looks for a TLS ClientHello at data[off, end). Returns undefined when the bytes are not a
 * ClientHello, null for a ClientHello without a host name, else the host name (the last
 * host_name entry, as tshark's last-occurrence field shows it).
 */
export function parseClientHelloSni(data: Uint8Array, off: number, end: number): string | null | undefined {
  if (end > data.length) end = data.length;
  // Record header: type 22 (handshake), version 3.x, length; then handshake type 1, length.
  if (off + 9 > end) return undefined;
  if (data[off] !== 22 || data[off + 1] !== 3 || data[off + 2]! > 4) return undefined;
  if (data[off + 5] !== 1) return undefined;
  const recordEnd = off + 5 + ((data[off + 3]! << 8) | data[off + 4]!);
  const helloEnd = off + 9 + ((data[off + 6]! << 16) | (data[off + 7]! << 8) | data[off + 8]!);
  const limit = Math.min(end, recordEnd, helloEnd);
  // client_version (2) + random (32), then session_id<0..32>.
  let p = off + 9 + 34;
  if (p + 1 > limit) return null;
  p += 1 + data[p]!;
  if (p + 2 > limit) return null;
  p += 2 + ((data[p]! << 8) | data[p + 1]!); // cipher_suites
  if (p + 1 > limit) return null;
  p += 1 + data[p]!; // compression_methods
  if (p + 2 > limit) return null;
  const extEnd = Math.min(limit, p + 2 + ((data[p]! << 8) | data[p + 1]!));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = (data[p]! << 8) | data[p + 1]!;
    const len = (data[p + 2]! << 8) | data[p + 3]!;
    const body = p + 4;
    if (type === 0) return readServerName(data, body, Math.min(extEnd, body + len));
    p = body + len;
  }
  return null;
}

/** server_name extension body: ServerNameList<1..2^16-1> of (name_type, HostName). */
function readServerName(data: Uint8Array, p: number, end: number): string | null {
  let found: string | null = null;
  if (p + 2 > end) return null;
  const listEnd = Math.min(end, p + 2 + ((data[p]! << 8) | data[p + 1]!));
  p += 2;
  while (p + 3 <= listEnd) {
    const nameType = data[p]!;
    const len = (data[p + 1]! << 8) | data[p + 2]!;
    const name = p + 3;
    if (name + len > listEnd) break;
    if (nameType === 0) found = decodeName(data, name, name + len);
    p = name + len;
  }
  return found;
}

function decodeName(data: Uint8Array, from: number, to: number): string {
  return sanitizeUtf8(data, from, to);
}
