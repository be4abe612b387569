/**
 * Application payloads the scenarios carry: DNS queries and responses in real wire format
 * (RFC 1035 §4.1; AAAA RFC 3596; TXT RFC 1035 §3.3.14), a TLS 1.3 ClientHello with SNI
 * (RFC 8446 §4.1.2, RFC 6066 §3) and TLS application-data records (RFC 8446 §5.1) laid over a
 * byte stream, so every segment's bytes follow from its stream offset alone.
 */
import type { Rng } from './rng.js';

/** DNS record types used here. */
export const DnsType = { A: 1, TXT: 16, AAAA: 28 } as const;

/** A DNS question (query) for `name`. */
export function dnsQuery(id: number, name: string, qtype: number): Uint8Array {
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  put16(out, 0, id);
  put16(out, 2, 0x0100); // standard query, recursion desired
  put16(out, 4, 1);
  out.set(qname, 12);
  put16(out, 12 + qname.length, qtype);
  put16(out, 14 + qname.length, 1);
  return out;
}

/**
 * The response to dnsQuery(id, name, qtype): the question again and one answer whose name is a
 * compression pointer to it (RFC 1035 §4.1.4). `rdata` is the address (A/AAAA) or TXT strings.
 */
export function dnsResponse(id: number, name: string, qtype: number, rdata: Uint8Array, ttl = 300): Uint8Array {
  const qname = encodeName(name);
  const q = 12 + qname.length + 4;
  const out = new Uint8Array(q + 12 + rdata.length);
  put16(out, 0, id);
  put16(out, 2, 0x8180); // response, RD, RA, no error
  put16(out, 4, 1);
  put16(out, 6, 1);
  out.set(qname, 12);
  put16(out, 12 + qname.length, qtype);
  put16(out, 14 + qname.length, 1);
  put16(out, q, 0xc00c);
  put16(out, q + 2, qtype);
  put16(out, q + 4, 1);
  put16(out, q + 6, ttl >>> 16);
  put16(out, q + 8, ttl & 0xffff);
  put16(out, q + 10, rdata.length);
  out.set(rdata, q + 12);
  return out;
}

/** TXT rdata: character-strings of at most 255 bytes each. */
export function txtRdata(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const parts: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(chunk.length, ...chunk);
  }
  return Uint8Array.from(parts);
}

/** Base32 alphabet of tunnel labels (RFC 4648 §6, lower case as iodine-like tools send it). */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random base32 label of `len` characters (≤ 63, RFC 1035 §2.3.4). */
export function randomLabel(rng: Rng, len: number): string {
  let s = '';
  for (let i = 0; i < Math.min(63, len); i++) s += BASE32[rng.uint32() & 31];
  return s;
}

function encodeName(name: string): Uint8Array {
  const labels = name.split('.').filter((l) => l.length > 0);
  const enc = new TextEncoder();
  const parts: number[] = [];
  for (const l of labels) {
    const b = enc.encode(l).subarray(0, 63);
    parts.push(b.length, ...b);
  }
  parts.push(0);
  return Uint8Array.from(parts);
}

/** A TLS 1.3 ClientHello record naming `sni`, with random/session id/key share from `rng`. */
export function clientHello(sni: string, rng: Rng): Uint8Array {
  const name = new TextEncoder().encode(sni);
  const ext: number[] = [];
  const addExt = (type: number, body: number[]): void => {
    ext.push(type >> 8, type & 0xff, body.length >> 8, body.length & 0xff, ...body);
  };
  const listLen = name.length + 3;
  addExt(0, [listLen >> 8, listLen & 0xff, 0, name.length >> 8, name.length & 0xff, ...name]);
  addExt(10, [0, 4, 0, 0x1d, 0, 0x17]); // supported_groups: x25519, secp256r1
  addExt(13, [0, 6, 4, 3, 8, 4, 4, 1]); // signature_algorithms
  addExt(43, [4, 3, 4, 3, 3]); // supported_versions: TLS 1.3, 1.2
  const key = Array.from({ length: 32 }, () => rng.uint32() & 0xff);
  addExt(51, [0, 36, 0, 0x1d, 0, 32, ...key]); // key_share x25519
  const body: number[] = [3, 3];
  for (let i = 0; i < 32; i++) body.push(rng.uint32() & 0xff);
  body.push(32);
  for (let i = 0; i < 32; i++) body.push(rng.uint32() & 0xff);
  body.push(0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03); // cipher suites
  body.push(1, 0); // compression: null
  body.push(ext.length >> 8, ext.length & 0xff, ...ext);
  const hs = [1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body];
  return Uint8Array.from([22, 3, 1, hs.length >> 8, hs.length & 0xff, ...hs]);
}

/** Largest TLS record content (RFC 8446 §5.1). */
const RECORD_CONTENT = 16384;
const RECORD = RECORD_CONTENT + 5;

/**
 * Writes bytes [streamOff, streamOff + len) of a stream of `total` bytes made of TLS
 * application-data records (header 23, 3, 3, length; content zeros) into data at `off`.
 * The bytes are zero on entry (FrameWriter clears the payload).
 */
export function fillTlsRecords(data: Uint8Array, off: number, streamOff: number, len: number, total: number): void {
  const end = streamOff + len;
  let r = Math.floor(streamOff / RECORD) * RECORD;
  for (; r < end; r += RECORD) {
    const content = Math.min(RECORD_CONTENT, total - r - 5);
    if (content <= 0) break;
    const header = [23, 3, 3, content >> 8, content & 0xff];
    for (let k = 0; k < 5; k++) {
      const pos = r + k;
      if (pos >= streamOff && pos < end) data[off + pos - streamOff] = header[k]!;
    }
  }
}

function put16(d: Uint8Array, o: number, v: number): void {
  d[o] = (v >>> 8) & 0xff;
  d[o + 1] = v & 0xff;
}
