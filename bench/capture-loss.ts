import { openCapture } from '../src-main/ingest/open-capture.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';

// Reads a recording back with Flowbench's reader and checks which of the sender's sequence
// numbers it holds. The datagram layout is udp-blast.c's: payload bytes 0..3 the run id,
// bytes 4..11 the sequence number, both little-endian.

/** What a recording holds of one sender run. */
export interface SequenceCount {
  /** Records in the file (all of them, strays included). */
  readonly records: number;
  /** Distinct sequence numbers of this run found, 0 ≤ seq < sent. */
  readonly distinct: number;
  /** Records of this run whose sequence number was already seen. */
  readonly duplicates: number;
  /** Runs of consecutive missing sequence numbers. */
  readonly gaps: number;
  /** sent - distinct. */
  readonly lost: number;
  /** Records that are not this run's datagrams (other link type, not UDP to the port, other run). */
  readonly strays: number;
  /** Reader warnings (a damaged file). */
  readonly warnings: readonly string[];
}

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_UDP = 17;

/** Counts the run's sequence numbers in `path` (pcap or pcapng); throws when it cannot be opened. */
export function countSequence(path: string, port: number, run: number, sent: number): SequenceCount {
  const opened = openCapture(path);
  if (!opened.ok) throw new Error(`${path}: ${opened.error.message}`);
  const reader = opened.value;
  const seen = new Uint8Array(sent);
  const raw = createRawBatch(4096);
  let records = 0;
  let distinct = 0;
  let duplicates = 0;
  let strays = 0;
  try {
    for (let n = reader.next(raw); n > 0; n = reader.next(raw)) {
      records += n;
      const d = raw.data;
      for (let i = 0; i < n; i++) {
        const seq = raw.linkType[i] === LINKTYPE_ETHERNET ? sequenceOf(d, raw.offset[i]!, raw.caplen[i]!, port, run) : -1;
        if (seq < 0 || seq >= sent) {
          strays++;
        } else if (seen[seq] === 1) {
          duplicates++;
        } else {
          seen[seq] = 1;
          distinct++;
        }
      }
    }
  } finally {
    reader.close();
  }
  let gaps = 0;
  for (let s = 0; s < sent; s++) if (seen[s] === 0 && (s === 0 || seen[s - 1] === 1)) gaps++;
  return {
    records, distinct, duplicates, gaps, lost: sent - distinct, strays,
    warnings: reader.warnings.map((w) => JSON.stringify(w)),
  };
}

/** Sequence number of an Ethernet/IPv4/UDP record to `port` of run `run`, or -1. */
function sequenceOf(d: Uint8Array, at: number, caplen: number, port: number, run: number): number {
  // Ethernet II: ethertype at 12 (IEEE 802.3); IPv4: IHL, protocol at 9 (RFC 791); UDP: dst port at 2 (RFC 768).
  if (caplen < 14 + 20 + 8 + 12 || ((d[at + 12]! << 8) | d[at + 13]!) !== ETHERTYPE_IPV4) return -1;
  const ip = at + 14;
  const ihl = (d[ip]! & 0x0f) * 4;
  if (d[ip + 9] !== IPPROTO_UDP || 14 + ihl + 8 + 12 > caplen) return -1;
  const udp = ip + ihl;
  if (((d[udp + 2]! << 8) | d[udp + 3]!) !== port) return -1;
  const p = udp + 8;
  if (le32(d, p) !== run) return -1;
  const hi = le32(d, p + 8);
  return hi === 0 ? le32(d, p + 4) : -1;
}

function le32(d: Uint8Array, at: number): number {
  return (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
}
