/**
 * Bytes in flight per frame against Wireshark's tcp.analysis.bytes_in_flight
 * (test/truth-extra/bytes-in-flight.json, made by make-bytes-in-flight.sh): a few corpus
 * captures and one generated scenario capture, regenerated here from the same options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowTable } from '../src-main/analysis/flow-table.js';
import { createPacketAnnotations } from '../src-main/analysis/packet-annotations.js';
import { createDecodedBatch } from '../src-main/ingest/decoded-batch.js';
import { openCapture } from '../src-main/ingest/open-capture.js';
import { PacketDecoder } from '../src-main/ingest/packet-decoder.js';
import { createRawBatch } from '../src-main/ingest/raw-batch.js';
import { simulate } from '../src-main/simulate/simulator.js';
import { corpusDir, repoRoot } from './corpus-paths.js';

interface BifTruth {
  readonly files: Record<string, [number, number][]>;
}

const truth = JSON.parse(readFileSync(join(repoRoot, 'test/truth-extra/bytes-in-flight.json'), 'utf8')) as BifTruth;

/** The generated capture of the truth file: equal to SIM_ARGS in make-bytes-in-flight.sh. */
const SIMULATED = { name: 'simulated-mixed-seed42.pcapng', scenario: 'mixed', duration: 60, rate: 300, seed: 42 } as const;

/** Frame number → bytes in flight, from our flow stage. */
function ourBytesInFlight(path: string): Map<number, number> {
  const opened = openCapture(path);
  if (!opened.ok) throw new Error(opened.error.message);
  const reader = opened.value;
  const raw = createRawBatch(1024);
  const dec = createDecodedBatch(1024);
  const ann = createPacketAnnotations(1024);
  const decoder = new PacketDecoder();
  const table = new FlowTable(() => undefined);
  const out = new Map<number, number>();
  let frame = 0;
  try {
    while (reader.next(raw) > 0) {
      decoder.decode(raw, dec);
      table.process(raw, dec, ann);
      for (let i = 0; i < ann.count; i++) {
        frame++;
        const v = ann.bytesInFlight[i]!;
        if (v === v) out.set(frame, v);
      }
    }
  } finally {
    reader.close();
  }
  return out;
}

function compare(name: string, path: string): void {
  const want = new Map(truth.files[name] ?? []);
  assert.ok(want.size > 0, `truth has values for ${name}`);
  const got = ourBytesInFlight(path);
  const differ: string[] = [];
  for (const f of new Set([...want.keys(), ...got.keys()])) {
    if (want.get(f) !== got.get(f)) differ.push(`frame ${f}: tshark ${want.get(f) ?? '-'}, ours ${got.get(f) ?? '-'}`);
  }
  // Exact on every frame of every file (SACK blocks included; no zero-window probes occur).
  assert.deepEqual(differ.slice(0, 20), [], `${name}: ${differ.length} of ${want.size} frames differ`);
}

for (const name of Object.keys(truth.files).filter((n) => n !== SIMULATED.name)) {
  test(`bytes in flight vs tshark: ${name}`, () => compare(name, join(corpusDir, 'pcap', name)));
}

test(`bytes in flight vs tshark: generated ${SIMULATED.name}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-bif-'));
  try {
    const path = join(dir, SIMULATED.name);
    const r = simulate({ scenario: SIMULATED.scenario, duration: SIMULATED.duration, rate: SIMULATED.rate, seed: SIMULATED.seed, out: path });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    compare(SIMULATED.name, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
