/**
 * `npm run bench:train`: the forecast LSTM's figures beside the issue's targets —
 * training samples/s of the default architecture (and PyTorch CPU on the same architecture
 * and data where python3 has torch), the default training run on 3 600 one-second windows,
 * and inference time per window in batch.
 *
 * Data: the real NAB series ec2_network_in_5abac7, its first 3 600 values re-timed as one
 * window per second (a one-hour capture's worth), imported as a series source.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSeries } from '../src-main/ingest/series-import.js';
import { featureMatrix, fitPreprocessing, makeSamples, sampleIndices, scaledTarget, splitIndex, toGrid } from '../src-main/ml/forecast-dataset.js';
import { buildForecastModel, DEFAULT_SETTINGS, predictOutputs, predictWindows, trainForecastModel } from '../src-main/ml/forecast-model.js';
import { runForecastTraining } from '../src-main/ml/forecast-train.js';
import { readSourceSeries } from '../src-main/ml/source-series.js';
import { loadTf } from '../src-main/ml/tf-backend.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { corpusDir } from './bench-paths.js';

const WINDOWS = 3600;
const INFERENCE_REPS = 7;
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_5abac7.csv');

function line(label: string, value: string, target: string, ok: boolean | null): void {
  const verdict = ok === null ? '' : ok ? '  (meets target)' : '  (MISSES target)';
  process.stdout.write(`${label.padEnd(44)} ${value.padStart(16)}   target ${target}${verdict}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-train-bench-'));
  try {
    const values = readFileSync(NAB, 'utf8').trim().split('\n').slice(1, WINDOWS + 1).map((l) => Number(l.split(',')[1]));
    const start = 1_700_000_000;
    const jsonl = join(dir, 'one-hour.jsonl');
    writeFileSync(jsonl, values.map((v, i) => JSON.stringify({ t: start + i, bytes_per_second: v })).join('\n') + '\n');
    const ws = openWorkspace(join(dir, 'w.flowbench'));
    if (!ws.ok) throw new Error(ws.error.message);
    const imp = await importSeries(ws.value.db, jsonl);
    if (!imp.ok) throw new Error(imp.error.message);
    const loaded = await loadTf();
    const { tf } = loaded;
    process.stdout.write(`backend: ${loaded.backend}${loaded.notes.length > 0 ? ` (${loaded.notes.join('; ')})` : ''}\n`);
    process.stdout.write(`data: ${WINDOWS} one-second windows (NAB ec2_network_in_5abac7 values), default settings\n\n`);

    // 1. The default run end to end (read, dataset, train with early stopping, evaluate, save).
    const t0 = performance.now();
    const run = await runForecastTraining(ws.value.db, { sourceId: imp.value.sourceId, dir: join(dir, 'model') });
    const total = (performance.now() - t0) / 1000;
    if (!run.ok) throw new Error(run.error.message);
    const rep = run.value.report as { lookback: number; horizon: number; training: { epochsRun: number; samplesPerSecond: number }; split: { trainSamples: number } };
    process.stdout.write(`default run: lookback ${rep.lookback}, horizon ${rep.horizon}, ${DEFAULT_SETTINGS.units} units, batch ${DEFAULT_SETTINGS.batchSize}, ${rep.training.epochsRun} epochs of ${rep.split.trainSamples} samples, skill ${run.value.evaluation.model.skill.toFixed(3)}\n`);
    line('default training on 3 600 windows', `${total.toFixed(1)} s`, '<= 30 s', total <= 30);

    // 2. Samples/s of the same architecture on the same samples, two timed epochs after a warm-up.
    const series = readSourceSeries(ws.value.db, imp.value.sourceId);
    if (!series.ok) throw new Error(series.error.message);
    const grid = toGrid(series.value.raw);
    const prep = fitPreprocessing(grid, { target: series.value.target, kind: 'series', extractor: 'bench' });
    const x = featureMatrix(prep, grid);
    const z = scaledTarget(prep, grid);
    const idx = sampleIndices(prep, splitIndex(grid.t.length));
    const s = makeSamples(prep, x, z, idx.train);
    const F = prep.features.length;
    const shape = { lookback: prep.lookback, features: F, horizon: prep.horizon };
    const model = buildForecastModel(tf, prep.lookback, F, prep.horizon, DEFAULT_SETTINGS);
    const data = { x: s.x, y: s.y, count: idx.train.length };
    const none = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
    const quiet = { settings: { ...DEFAULT_SETTINGS, patience: 99 }, shouldStop: () => false, onEpoch: () => undefined };
    await trainForecastModel(tf, model, shape, data, none, { ...quiet, epochs: 1 });
    const timed = await trainForecastModel(tf, model, shape, data, none, { ...quiet, epochs: 2 });
    const tfjsRate = timed.samplesPerSecond;
    line(`training, tfjs ${loaded.backend}`, `${tfjsRate.toFixed(0)} samples/s`, 'ratio >= 0.5 of PyTorch CPU', null);
    const torch = torchRate(dir, s.x, s.y, idx.train.length, prep.lookback, F, prep.horizon);
    if (torch.rate === null) line('training, PyTorch CPU', 'unavailable', torch.reason, null);
    else {
      line('training, PyTorch CPU (same arch, data, batch)', `${torch.rate.toFixed(0)} samples/s`, '-', null);
      line('ratio tfjs / PyTorch', (tfjsRate / torch.rate).toFixed(2), '>= 0.5', tfjsRate / torch.rate >= 0.5);
    }

    // 3. Inference per window in batch: every one-step-ahead window of the series at once, by
    // tfjs-layers' model.predict on the stacked samples (before) and by predictWindows (the
    // path models.forecast, predict and evaluation use). Wall time is the best of REPS runs
    // (the machine is shared: the median and the process CPU time per window are shown too).
    const all = Int32Array.from({ length: grid.t.length - prep.lookback }, (_, k) => k + prep.lookback);
    const paths: [string, () => Float32Array][] = [
      ['model.predict on stacked samples', () => predictOutputs(tf, model, makeSamples(prep, x, z, all).x, all.length, shape)],
      ['predictWindows (shared input projection)', () => predictWindows(tf, model, x, shape, prep.lookback, grid.t.length)],
    ];
    const a = paths[0]?.[1]() ?? new Float32Array(0);
    const b = paths[1]?.[1]() ?? new Float32Array(0);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    process.stdout.write(`\ninference on ${all.length} windows; largest difference between the two paths ${diff.toExponential(1)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    for (const [label, f] of paths) {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < INFERENCE_REPS; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        f();
        wall.push((performance.now() - t0) / all.length);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000 / all.length);
      }
      const best = Math.min(...wall);
      line(`inference in batch, ${label}`, `${best.toFixed(4)} ms/window`, '<= 0.1 ms', best <= 0.1);
      process.stdout.write(`${''.padEnd(44)} median ${median(wall).toFixed(4)} ms/window wall, ${median(cpu).toFixed(4)} ms/window CPU\n`);
    }
    model.dispose();
    ws.value.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(a: readonly number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/**
 * The first Python that imports torch: $FLOWBENCH_PYTHON, `python3` on the PATH, then Debian's
 * /usr/bin/python3 (`apt-get install python3-torch` puts torch there, not into a pyenv python3).
 */
function pythonWithTorch(): string | null {
  const candidates = [process.env['FLOWBENCH_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '');
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0) ?? null;
}

/** PyTorch CPU training rate on the same samples and architecture, when a python3 has torch. */
function torchRate(dir: string, x: Float32Array, y: Float32Array, m: number, L: number, F: number, H: number): { rate: number | null; reason: string } {
  const python = pythonWithTorch();
  if (python === null) return { rate: null, reason: 'PyTorch is unavailable (no python3 imports torch; apt-get install python3-torch)' };
  writeFileSync(join(dir, 'x.bin'), x);
  writeFileSync(join(dir, 'y.bin'), y);
  const s = DEFAULT_SETTINGS;
  const script = `
import time, numpy as np, torch
torch.manual_seed(${s.seed})
x = torch.from_numpy(np.fromfile(${JSON.stringify(join(dir, 'x.bin'))}, dtype=np.float32).reshape(${m}, ${L}, ${F}))
y = torch.from_numpy(np.fromfile(${JSON.stringify(join(dir, 'y.bin'))}, dtype=np.float32).reshape(${m}, ${H}))
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.lstm = torch.nn.LSTM(${F}, ${s.units}, batch_first=True); self.out = torch.nn.Linear(${s.units}, ${H})
    def forward(self, v):
        h, _ = self.lstm(v); return self.out(h[:, -1, :])
model = M(); opt = torch.optim.Adam(model.parameters(), lr=${s.learningRate}); loss = torch.nn.MSELoss()
def epoch():
    for i in range(0, ${m}, ${s.batchSize}):
        opt.zero_grad(); l = loss(model(x[i:i+${s.batchSize}]), y[i:i+${s.batchSize}]); l.backward(); opt.step()
epoch(); t = time.perf_counter(); epoch(); epoch(); print(2 * ${m} / (time.perf_counter() - t))
`;
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  const rate = Number(r.stdout.trim());
  return r.status === 0 && Number.isFinite(rate) ? { rate, reason: '' } : { rate: null, reason: `PyTorch run failed: ${r.stderr.trim().split('\n').pop() ?? ''}` };
}

await main();
