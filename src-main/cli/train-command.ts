import { dirname, join, resolve } from 'node:path';
import type { ForecastEvaluation, ForecastScores } from '../../src-shared/models-api.js';
import { runForecastTraining } from '../ml/forecast-train.js';
import { ModelsRepo } from '../store/models-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { renderTable } from './text-table.js';

const HELP = `Usage: flowbench train --task forecast --db PATH --source N [options]

Trains an LSTM forecaster on a source's windows (in this process, with TensorFlow.js:
tfjs-node if installed, else wasm, else cpu), evaluates it on the last 15 % of the windows
beside persistence and seasonal-naive baselines, registers it in the workspace and writes its
folder (model.json, weights.bin, preprocessing.json, report.json).

Options:
  --task forecast    the model task (only forecast for now)
  --db PATH          the workspace file (required)
  --source N         source id to train on (required; see \`flowbench query sources\`)
  --target M         window metric to forecast (default bytes_per_second, or a series' value)
  --resolution S     window resolution in seconds (default: chosen from the data)
  --lookback L       input windows (default: from the data's length, at most 24)
  --horizon H        windows predicted ahead (default: from the data's length, at most 5)
  --epochs E         most epochs (default: from the data's length; early stopping ends sooner)
  --seed N           random seed (default 42; a run is reproducible)
  --out DIR          model folder (default <workspace dir>/models/<id>)
  --json             print one JSON object instead of the table
  -h, --help         show this help

Progress: one line per epoch on stderr. Exit status 0 when the model is saved, 1 otherwise.
`;

/** \`flowbench train --task forecast --db PATH --source N [...]\`. */
export const trainCommand: CliCommand = {
  name: 'train',
  synopsis: '--task forecast --db PATH --source N [--json]',
  description: 'train a forecast model on a source and report it beside the baselines',
  help: HELP,
  run: runTrain,
};

const INT_OPTIONS = ['source', 'resolution', 'lookback', 'horizon', 'epochs', 'seed'] as const;

async function runTrain(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    task: { type: 'string' }, db: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(INT_OPTIONS.map((k) => [k, { type: 'string' as const }])),
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (positionals.length > 0) return usage(io, `unexpected argument ${positionals[0] ?? ''}`);
  if ((values['task'] ?? 'forecast') !== 'forecast') return usage(io, `--task: only "forecast" is supported, got ${String(values['task'])}`);
  const dbPath = values['db'];
  if (typeof dbPath !== 'string' || dbPath === '') return usage(io, 'missing --db PATH');
  const ints: Partial<Record<(typeof INT_OPTIONS)[number], number>> = {};
  for (const k of INT_OPTIONS) {
    const v = values[k];
    if (v === undefined) continue;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isInteger(n) || n < (k === 'seed' ? 0 : 1)) return usage(io, `--${k}: must be a positive whole number, got ${String(v)}`);
    ints[k] = n;
  }
  if (ints.source === undefined) return usage(io, 'missing --source N');
  const ws = openWorkspace(dbPath);
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  const json = values['json'] === true;
  try {
    const db = ws.value.db;
    const models = new ModelsRepo(db);
    const target = typeof values['target'] === 'string' ? values['target'] : undefined;
    const sourceId = ints.source;
    if (db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId) === undefined) {
      io.err(`flowbench: --source: no source ${sourceId} in ${ws.value.path}\n`);
      return ExitCode.FAILED;
    }
    const modelId = models.create({ name: `forecast ${target ?? 'throughput'} · source ${sourceId} (cli)`, task: 'forecast', status: 'training', sourceId, target: target ?? null, resolution: ints.resolution ?? null });
    const dir = typeof values['out'] === 'string' ? resolve(values['out']) : join(dirname(ws.value.path), 'models', String(modelId));
    models.setDir(modelId, dir);
    const r = await runForecastTraining(db, {
      sourceId, dir, ...(target === undefined ? {} : { target }),
      ...(ints.resolution === undefined ? {} : { resolution: ints.resolution }), ...(ints.lookback === undefined ? {} : { lookback: ints.lookback }),
      ...(ints.horizon === undefined ? {} : { horizon: ints.horizon }), ...(ints.epochs === undefined ? {} : { epochs: ints.epochs }),
      ...(ints.seed === undefined ? {} : { seed: ints.seed }),
    }, {
      onStart: (s) => io.err(`train: source ${sourceId}, ${s.target} at ${s.resolution} s, ${s.trainSamples} training samples, up to ${s.epochs} epochs, backend ${s.backend}\n`),
      onEpoch: (e) => io.err(
        `epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss === null ? '-' : e.valLoss.toFixed(4)}  ${e.elapsedSeconds.toFixed(1)} s${e.etaSeconds === null || e.etaSeconds === 0 ? '' : `  eta ${e.etaSeconds.toFixed(0)} s`}\n`,
      ),
    });
    if (!r.ok) {
      models.finish(modelId, { status: 'failed', error: r.error.message });
      io.err(`flowbench: ${r.error.message}\n`);
      return ExitCode.FAILED;
    }
    const v = r.value;
    models.finish(modelId, { status: 'ready', target: v.target, resolution: v.resolution, backend: v.backend, evaluation: v.evaluation, report: v.report, history: v.history, error: null, dir });
    const rep = v.report as { lookback: number; horizon: number; durations: unknown; training: unknown; features: unknown };
    if (json) {
      io.out(`${JSON.stringify({
        modelId, dir, sourceId, backend: v.backend, target: v.target, resolution: v.resolution, lookback: rep.lookback, horizon: rep.horizon,
        features: rep.features, evaluation: v.evaluation, training: rep.training, durations: rep.durations,
      })}\n`);
    } else {
      io.out(`model ${modelId}: ${dir}\n  ${v.target} at ${v.resolution} s, lookback ${rep.lookback}, horizon ${rep.horizon}, backend ${v.backend}, stopped by ${v.stoppedBy}\n`);
      io.out(metricsTable(v.evaluation));
    }
    return ExitCode.OK;
  } finally {
    ws.value.close();
  }
}

/** The test-split scores of the model and the baselines as a table. */
export function metricsTable(e: ForecastEvaluation): string {
  const row = (name: string, s: ForecastScores | null): string[] =>
    s === null ? [name, '-', '-', '-', '-'] : [name, fmt(s.mae), fmt(s.rmse), `${s.smape.toFixed(1)} %`, s.skill.toFixed(3)];
  return (
    `  test split: ${e.points} one-step-ahead points${e.seasonWindows === null ? '' : `, season ${e.seasonWindows} windows`}\n` +
    renderTable(
      [{ title: 'predictor' }, { title: 'MAE', align: 'right' }, { title: 'RMSE', align: 'right' }, { title: 'sMAPE', align: 'right' }, { title: 'skill', align: 'right' }],
      [row('model (LSTM)', e.model), row('persistence', e.persistence), row('seasonal naive', e.seasonalNaive)],
    )
  );
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(3) : v.toFixed(2);
}

function usage(io: CliIo, message: string): number {
  io.err(`flowbench train: ${message}\n(see \`flowbench train --help\`)\n`);
  return ExitCode.FAILED;
}
