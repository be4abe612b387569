import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from './corpus-paths.js';

/** A capture written by {@link buildReplayCapture}, with the totals it holds. */
export interface ReplayCapture {
  readonly path: string;
  readonly packets: number;
  readonly wireBytes: number;
  readonly capturedBytes: number;
}

/**
 * Writes a little-endian µs pcap (pcap file format, draft-ietf-opsawg-pcap §4–5) of `packets`
 * records replaying a corpus capture's records in a loop, each truncated to `snaplen` (the
 * wire length stays the original), with timestamps 250 µs apart. Big, deterministic and
 * cheap to write: the tests that must catch an ingest mid-file use it.
 */
export function buildReplayCapture(path: string, packets: number, snaplen = 54, corpusFile = 'ndpi__443-firefox.pcap'): ReplayCapture {
  const src = readFileSync(join(corpusDir, 'pcap', corpusFile));
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (view.getUint32(0, true) !== 0xa1b2c3d4) throw new Error(`${corpusFile} is not a little-endian µs pcap`);
  const records: { data: Uint8Array; len: number }[] = [];
  for (let o = 24; o + 16 <= src.length;) {
    const incl = view.getUint32(o + 8, true);
    const orig = view.getUint32(o + 12, true);
    records.push({ data: src.subarray(o + 16, o + 16 + Math.min(incl, snaplen)), len: orig });
    o += 16 + incl;
  }
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  writeSync(fd, header);
  const chunk = Buffer.alloc(1 << 22);
  let used = 0;
  let wireBytes = 0;
  let capturedBytes = 0;
  const t0 = 1_700_000_000;
  for (let i = 0; i < packets; i++) {
    const r = records[i % records.length]!;
    if (used + 16 + r.data.length > chunk.length) {
      writeSync(fd, chunk, 0, used);
      used = 0;
    }
    const us = i * 250;
    chunk.writeUInt32LE(t0 + Math.floor(us / 1e6), used);
    chunk.writeUInt32LE(us % 1e6, used + 4);
    chunk.writeUInt32LE(r.data.length, used + 8);
    chunk.writeUInt32LE(r.len, used + 12);
    chunk.set(r.data, used + 16);
    used += 16 + r.data.length;
    wireBytes += r.len;
    capturedBytes += r.data.length;
  }
  writeSync(fd, chunk, 0, used);
  closeSync(fd);
  return { path, packets, wireBytes, capturedBytes };
}
