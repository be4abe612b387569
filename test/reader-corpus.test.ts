import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { CaptureReader } from '../src-main/ingest/capture-reader.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { compareTime, formatEpoch } from '../src-main/ingest/timestamp.js';
import { corpusFiles, readTruth } from './corpus-paths.js';

// Every capture of corpus/pcap read by our readers alone, compared with Wireshark's truth:
// packets, captured and wire bytes, earliest and latest timestamp (exact strings), link types
// (per interface and per frame) and, for pcapng, frames per interface id. No exceptions.

/** The parts of truth/<file>.json this test reads. */
interface Truth {
  packets: number;
  captured_bytes: number;
  wire_bytes: number;
  timestamps: { min: string; max: string };
  capinfos: { file_type: string };
  link_types: { interface_encapsulations: string[]; frames_per_wiretap_encap_type: Record<string, number> };
  frames_per_interface_id: Record<string, number>;
}

/**
 * Wireshark encapsulation short names (as capinfos prints them, "Ethernet (1 - ether)") to
 * LINKTYPE_ numbers. Wireshark numbers encapsulations its own way (WTAP_ENCAP), so the truth
 * cannot be compared by number.
 */
const LINKTYPE_OF_WTAP_NAME: Record<string, number> = {
  'ether': 1,
  'linux-sll': 113,
  'linux-sll2': 276,
  'null': 0,
  'nflog': 239,
  'rawip': 101,
  'rawip6': 229,
  'ppi': 192,
  'ip-ib': 242,
  'ppp': 9,
  'ipnet': 226,
  'chdlc': 104,
  'arcnet_linux': 129,
  'vsock': 271,
  'frelay': 107,
  'fddi-swapped': 10,
  'ieee-802-11-radiotap': 127,
  'ether-mpacket': 274,
};

interface ReadResult {
  packets: number;
  capturedBytes: number;
  wireBytes: number;
  min: string | null;
  max: string | null;
  framesPerLinkType: Map<number, number>;
  framesPerInterface: Map<number, number>;
}

function readEverything(reader: CaptureReader, capacity: number): ReadResult {
  const batch = createRawBatch(capacity);
  const r: ReadResult = { packets: 0, capturedBytes: 0, wireBytes: 0, min: null, max: null, framesPerLinkType: new Map(), framesPerInterface: new Map() };
  let minS = 0, minN = 0, maxS = 0, maxN = 0;
  let k: number;
  while ((k = reader.next(batch)) > 0) {
    for (let i = 0; i < k; i++) {
      const s = batch.tsSec[i]!;
      const ns = batch.tsNsec[i]!;
      if (r.packets === 0 || compareTime(s, ns, minS, minN) < 0) [minS, minN] = [s, ns];
      if (r.packets === 0 || compareTime(s, ns, maxS, maxN) > 0) [maxS, maxN] = [s, ns];
      r.packets++;
      r.capturedBytes += batch.caplen[i]!;
      r.wireBytes += batch.wirelen[i]!;
      const lt = batch.linkType[i]!;
      r.framesPerLinkType.set(lt, (r.framesPerLinkType.get(lt) ?? 0) + 1);
      const id = batch.interfaceId[i]!;
      r.framesPerInterface.set(id, (r.framesPerInterface.get(id) ?? 0) + 1);
    }
  }
  if (r.packets > 0) {
    r.min = formatEpoch(minS, minN);
    r.max = formatEpoch(maxS, maxN);
  }
  return r;
}

/** "Linux cooked-mode capture v1 (25 - linux-sll)" → [25, 113]. */
function parseEncapsulation(text: string): [number, number] {
  const m = /\((\d+) - ([^)]+)\)$/.exec(text);
  assert.ok(m !== null, `unexpected encapsulation text ${text}`);
  const linkType = LINKTYPE_OF_WTAP_NAME[m[2]!];
  assert.ok(linkType !== undefined, `no LINKTYPE_ known for Wireshark encapsulation ${m[2]}`);
  return [Number(m[1]), linkType];
}

const files = corpusFiles('pcap');

test('the corpus is there', () => {
  assert.equal(files.length, 114);
});

for (const path of files) {
  const name = basename(path);
  test(`reader matches the truth: ${name}`, () => {
    const truth = readTruth(name) as Truth;
    const wtapToLinkType = new Map(truth.link_types.interface_encapsulations.map(parseEncapsulation));
    // Default chunk, then a small odd chunk and batch so records cross every kind of boundary.
    const results: ReadResult[] = [];
    for (const [chunkSize, capacity] of [[undefined, 8192], [1021, 97]] as const) {
      const opened = openCapture(path, chunkSize === undefined ? {} : { chunkSize });
      assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
      const reader = opened.value;
      const r = readEverything(reader, capacity);
      assert.deepEqual(reader.warnings, [], 'no warnings on a sound capture');
      assert.equal(reader.bytesConsumed(), reader.fileSize);
      assert.equal(reader.format, truth.capinfos.file_type === 'pcapng' ? 'pcapng' : 'pcap');
      assert.deepEqual([...reader.linkTypes()].sort((a, b) => a - b), [...new Set(wtapToLinkType.values())].sort((a, b) => a - b));
      reader.close();
      results.push(r);
    }
    const [r, small] = results as [ReadResult, ReadResult];
    assert.deepEqual(small, r, 'the result does not depend on chunk or batch size');

    assert.equal(r.packets, truth.packets);
    assert.equal(r.capturedBytes, truth.captured_bytes);
    assert.equal(r.wireBytes, truth.wire_bytes);
    assert.equal(r.min, truth.timestamps.min);
    assert.equal(r.max, truth.timestamps.max);
    const expectedPerLinkType = new Map<number, number>();
    for (const [wtap, frames] of Object.entries(truth.link_types.frames_per_wiretap_encap_type)) {
      const lt = wtapToLinkType.get(Number(wtap));
      assert.ok(lt !== undefined, `encapsulation ${wtap} has no interface`);
      expectedPerLinkType.set(lt, (expectedPerLinkType.get(lt) ?? 0) + frames);
    }
    assert.deepEqual(r.framesPerLinkType, expectedPerLinkType);
    // pcapng: frames per interface id; pcap (Wireshark says "n/a"): everything on interface 0.
    const expectedPerInterface = new Map(Object.entries(truth.frames_per_interface_id)
      .map(([id, n]) => [id === 'n/a' ? 0 : Number(id), n]));
    assert.deepEqual(r.framesPerInterface, expectedPerInterface);
  });
}
