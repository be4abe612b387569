import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFile } from '../src-main/analysis/ingest-pipeline.js';
import { DEFAULT_CONTAMINATION } from '../src-main/ml/anomaly/detector.js';
import { scoreFlags, type EventScore } from '../src-main/simulate/event-scoring.js';
import { simulate } from '../src-main/simulate/simulator.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { runDetection } from '../src-main/workbench/anomaly-detect.js';

// `npm run bench:anomaly-dos`: the window anomaly detector scored on generated DoS scenarios.
// Per seed: `flowbench simulate --scenario dos` (a SYN flood and a UDP flood, each up to 120 s,
// on a diurnal baseline), ingested into a temporary workspace as `flowbench ingest` would, then
// `anomalies.detect` at 1 s windows and the default contamination (5 %). Reported: share of
// events found (an event is found when at least one flagged window overlaps its time range) and
// share of flags inside an event.
// Options: --duration S (default 600), --rate PPS (1000), --seeds 1,2,3, --contamination C,
// --shape diurnal|step|flat, --keep (leave the temporary folder).

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function num(name: string, fallback: number): number {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: not a positive number: "${v}"`);
  return n;
}

interface SeedRun {
  readonly seed: number;
  readonly packets: number;
  readonly windows: number;
  readonly score: EventScore;
  readonly generateSeconds: number;
  readonly ingestSeconds: number;
  readonly detectSeconds: number;
}

async function runSeed(dir: string, seed: number, duration: number, rate: number, contamination: number, shape: 'diurnal' | 'step' | 'flat'): Promise<SeedRun> {
  const out = join(dir, `dos-${seed}.pcapng`);
  let t0 = performance.now();
  const sim = simulate({ scenario: 'dos', duration, rate, seed, shape, out });
  if (!sim.ok) throw new Error(sim.error.message);
  const generateSeconds = (performance.now() - t0) / 1000;
  const ws = openWorkspace(join(dir, `dos-${seed}.flowbench`));
  if (!ws.ok) throw new Error(ws.error.message);
  try {
    t0 = performance.now();
    const ingested = await ingestFile(ws.value.db, out);
    if (!ingested.ok) throw new Error(ingested.error.message);
    const ingestSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const r = runDetection(ws.value.db, { sourceId: ingested.value.sourceId, resolution: 1, contamination });
    if (!r.ok) throw new Error(r.error.message);
    const detectSeconds = (performance.now() - t0) / 1000;
    const score = scoreFlags(sim.value.events, r.value.anomalies.map((a) => a.t), r.value.resolution);
    return { seed, packets: sim.value.packets, windows: r.value.windows, score, generateSeconds, ingestSeconds, detectSeconds };
  } finally {
    ws.value.close();
  }
}

async function main(): Promise<void> {
  const duration = num('--duration', 600);
  const rate = num('--rate', 1000);
  const contamination = num('--contamination', DEFAULT_CONTAMINATION);
  const shapeArg = arg('--shape') ?? 'diurnal';
  if (shapeArg !== 'diurnal' && shapeArg !== 'step' && shapeArg !== 'flat') throw new Error(`--shape: diurnal, step or flat, got "${shapeArg}"`);
  const seeds = (arg('--seeds') ?? '1,2,3').split(',').map((s) => {
    if (!/^\d+$/.test(s.trim())) throw new Error(`--seeds: not a whole number: "${s}"`);
    return Number(s.trim());
  });
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-anomaly-dos-'));
  console.log(`anomaly detection on generated DoS scenarios: ${duration} s at ${rate} packets/s (${shapeArg}), 1 s windows, contamination ${contamination}`);
  const runs: SeedRun[] = [];
  try {
    for (const seed of seeds) {
      const r = await runSeed(dir, seed, duration, rate, contamination, shapeArg);
      runs.push(r);
      const s = r.score;
      console.log(
        `seed ${seed}: ${r.packets} packets, ${r.windows} windows; events found ${s.eventsFound}/${s.events.length}; ` +
        `flags inside events ${s.flagsInside}/${s.flags} (${(100 * s.flagShare).toFixed(1)} %); ` +
        `generate ${r.generateSeconds.toFixed(1)} s, ingest ${r.ingestSeconds.toFixed(1)} s, detect ${r.detectSeconds.toFixed(1)} s`,
      );
      for (const e of s.events) console.log(`  ${e.kind.padEnd(10)} ${new Date(e.from * 1000).toISOString()} +${e.to - e.from} s: ${e.flags} flagged windows`);
    }
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  const events = runs.reduce((a, r) => a + r.score.events.length, 0);
  const found = runs.reduce((a, r) => a + r.score.eventsFound, 0);
  const flags = runs.reduce((a, r) => a + r.score.flags, 0);
  const inside = runs.reduce((a, r) => a + r.score.flagsInside, 0);
  const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
  console.log(`overall (${runs.length} seeds): events found ${found}/${events} (${pct(found, events)}), flags inside events ${inside}/${flags} (${pct(inside, flags)})`);
}

main().catch((e: unknown) => {
  console.error(`bench:anomaly-dos: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
