/**
 * Bytes → string the way tshark prints protocol strings (DNS names, SNI): valid UTF-8 is kept;
 * a lead byte with the continuation bytes that follow it (up to the length the lead announces)
 * that do not form a valid character become one U+FFFD, and any other byte (a stray
 * continuation byte, FE, FF) one U+FFFD each; F8–FD lead the old 5- and 6-byte forms. This differs from TextDecoder's replacement on
 * inputs such as ED BF 64, where tshark prints one U+FFFD and TextDecoder two (checked
 * against the corpus truth of ndpi__dns-tunnel-iodine.pcap).
 */

// Only ever given 7-bit input, where latin1 (windows-1252) and UTF-8 agree; native and fast.
const ascii7 = new TextDecoder('latin1');

/** Decodes data[from, to) as tshark would print it. */
export function sanitizeUtf8(data: Uint8Array, from: number, to: number): string {
  let ascii = true;
  for (let k = from; k < to; k++) {
    if (data[k]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return ascii7.decode(data.subarray(from, to));
  let out = '';
  let p = from;
  while (p < to) {
    const b0 = data[p]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      p++;
      continue;
    }
    // Leads of the original (RFC 2279) 5- and 6-byte forms also consume their continuations.
    const need = b0 >= 0xfe ? -1 : b0 >= 0xfc ? 5 : b0 >= 0xf8 ? 4 : b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : -1;
    if (need < 0) {
      out += '\ufffd';
      p++;
      continue;
    }
    let cp = b0 & (0x3f >> Math.min(need, 5));
    let k = 1;
    while (k <= need && p + k < to && (data[p + k]! & 0xc0) === 0x80) {
      cp = (cp << 6) | (data[p + k]! & 0x3f);
      k++;
    }
    const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
    const valid = k > need && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    out += valid ? String.fromCodePoint(cp) : '\ufffd';
    p += k;
  }
  return out;
}
