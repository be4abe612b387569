/**
 * Bounded DNS message parser (RFC 1035 §4.1; also mDNS and LLMNR, which share the format):
 * transaction id, QR flag, question names and answer data (A, AAAA, CNAME/PTR/NS names). Never
 * reads outside [off, end); compression pointers and label counts are capped, so a hostile
 * message costs a bounded amount of work. Names are rendered as tshark renders `dns.qry.name`:
 * labels joined by ".", the root as "<Root>", bytes as sanitizeUtf8 prints them.
 */
import { formatIpv4, formatIpv6 } from './format-endpoint.js';
import { sanitizeUtf8 } from './sanitize-utf8.js';

/** Questions and answers kept per message (more are counted, not rendered). */
export const MAX_DNS_NAMES = 8;

const MAX_NAME_BYTES = 1024;
const MAX_POINTER_JUMPS = 64;
const HEADER = 12;

/** What one DNS message says; reused across calls (arrays are cleared, not reallocated). */
export interface DnsMessage {
  id: number;
  isResponse: boolean;
  questionCount: number;
  answerCount: number;
  /** Rendered question names, in message order (at most MAX_DNS_NAMES). */
  readonly questions: string[];
  /** The last question name of the message (tshark's last occurrence), or null. */
  lastQuestion: string | null;
  /** Rendered answer data of A, AAAA, CNAME, PTR and NS records (at most MAX_DNS_NAMES). */
  readonly answers: string[];
}

/** Allocates a reusable DnsMessage. */
export function createDnsMessage(): DnsMessage {
  return { id: 0, isResponse: false, questionCount: 0, answerCount: 0, questions: [], lastQuestion: null, answers: [] };
}

const nameBytes = new Uint8Array(MAX_NAME_BYTES);

/**
 * Parses the DNS message in data[off, end). Returns false when not even the 12-byte header
 * fits; otherwise fills `out` with what could be read before the end or the first fault.
 */
export function parseDnsMessage(data: Uint8Array, off: number, end: number, out: DnsMessage): boolean {
  out.questions.length = 0;
  out.answers.length = 0;
  out.lastQuestion = null;
  if (end > data.length) end = data.length;
  if (off < 0 || off + HEADER > end) return false;
  out.id = (data[off]! << 8) | data[off + 1]!;
  out.isResponse = (data[off + 2]! & 0x80) !== 0;
  out.questionCount = (data[off + 4]! << 8) | data[off + 5]!;
  out.answerCount = (data[off + 6]! << 8) | data[off + 7]!;
  let p = off + HEADER;
  for (let q = 0; q < out.questionCount; q++) {
    const after = readName(data, off, end, p, end);
    if (after < 0 || after + 4 > end) return true;
    if (out.questions.length < MAX_DNS_NAMES) out.questions.push(renderedName);
    out.lastQuestion = renderedName;
    p = after + 4; // QTYPE, QCLASS
  }
  for (let a = 0; a < out.answerCount && out.answers.length < MAX_DNS_NAMES; a++) {
    const after = readName(data, off, end, p, end);
    if (after < 0 || after + 10 > end) return true;
    const type = (data[after]! << 8) | data[after + 1]!;
    const rdlen = (data[after + 8]! << 8) | data[after + 9]!;
    const rdata = after + 10;
    if (rdata + rdlen > end) return true;
    if (type === 1 && rdlen === 4) {
      out.answers.push(formatIpv4(readU32(data, rdata)));
    } else if (type === 28 && rdlen === 16) {
      const w = [readU32(data, rdata), readU32(data, rdata + 4), readU32(data, rdata + 8), readU32(data, rdata + 12)];
      out.answers.push(formatIpv6(w));
    } else if (type === 5 || type === 12 || type === 2) {
      if (readName(data, off, end, rdata, rdata + rdlen) >= 0) out.answers.push(renderedName);
    }
    p = rdata + rdlen;
  }
  return true;
}

/** Set by readName: the last name read, rendered. */
let renderedName = '';

/**
 * Reads the (possibly compressed) name at `p` (bytes in place end at `limit`) of the message
 * data[msg, msgEnd); returns the offset just after the name in place (not after a pointer
 * target), or -1 when malformed. Leaves the rendered name in `renderedName`.
 */
function readName(data: Uint8Array, msg: number, msgEnd: number, p: number, limit: number): number {
  let end = limit;
  let len = 0;
  let jumps = 0;
  let after = -1;
  let cursor = p;
  for (;;) {
    if (cursor >= end) return -1;
    const b = data[cursor]!;
    if (b === 0) {
      if (after < 0) after = cursor + 1;
      break;
    }
    if ((b & 0xc0) === 0xc0) {
      if (cursor + 1 >= end || ++jumps > MAX_POINTER_JUMPS) return -1;
      if (after < 0) after = cursor + 2;
      // Pointers are relative to the message start and may only point inside it.
      cursor = msg + (((b & 0x3f) << 8) | data[cursor + 1]!);
      // A pointer target is bounded by the message, not by the record's rdata.
      end = msgEnd;
      continue;
    }
    if ((b & 0xc0) !== 0) return -1; // extended label types (RFC 6891) are not names
    if (cursor + 1 + b > end) return -1;
    if (len !== 0 && len < MAX_NAME_BYTES) nameBytes[len++] = 0x2e;
    for (let k = 1; k <= b && len < MAX_NAME_BYTES; k++) {
      nameBytes[len++] = data[cursor + k]!;
    }
    cursor += 1 + b;
  }
  if (len === 0) renderedName = '<Root>';
  else renderedName = sanitizeUtf8(nameBytes, 0, len);
  return after;
}

function readU32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

/**
 * Whether a UDP payload on a port not registered for DNS looks like a DNS message, with the
 * checks of Wireshark's DNS heuristic (on by default for UDP): standard-query opcode, a query
 * with exactly one question and no answer or authority records, a response with at most one
 * question, 100 answers and 10 authority records, at most 10 additional records, a question or
 * an answer, and room for the minimal sizes of all of them. Reads data[off, off + 12) only
 * (within `end`); `reportedLength` is the payload length the headers declare.
 */
export function looksLikeDns(data: Uint8Array, off: number, end: number, reportedLength: number): boolean {
  if (reportedLength <= HEADER || off + HEADER > end || off + HEADER > data.length) return false;
  const flags = (data[off + 2]! << 8) | data[off + 3]!;
  if ((flags & 0x7800) !== 0) return false;
  const quest = (data[off + 4]! << 8) | data[off + 5]!;
  const ans = (data[off + 6]! << 8) | data[off + 7]!;
  const auth = (data[off + 8]! << 8) | data[off + 9]!;
  const add = (data[off + 10]! << 8) | data[off + 11]!;
  if ((flags & 0x8000) === 0) {
    if (quest !== 1 || ans !== 0 || auth !== 0) return false;
  } else if (quest > 1 || ans > 100 || auth > 10) {
    return false;
  }
  if (add > 10 || quest + ans === 0) return false;
  return quest * 6 + (ans + auth + add) * 11 <= reportedLength - HEADER;
}
