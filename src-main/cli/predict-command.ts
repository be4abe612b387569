import { resolve } from 'node:path';
import { errorFigures } from '../ml/forecast-metrics.js';
import { forecastSource, loadModel } from '../ml/forecast-predict.js';
import { loadTf } from '../ml/tf-backend.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { renderTable } from './text-table.js';

const HELP = `Usage: flowbench predict --model DIR --db PATH --source N [--json]

Runs a saved forecast model folder on a source: one-step-ahead predictions for every window
after the model's lookback, their error beside persistence, and the next H windows.

Options:
  --model DIR   model folder (model.json, weights.bin, preprocessing.json, report.json)
  --db PATH     the workspace file (required)
  --source N    source id (required)
  --json        one JSON object: { t, actual, predicted, ahead, mae, rmse, persistenceRmse }
  -h, --help    show this help
`;

/** \`flowbench predict --model DIR --db PATH --source N [--json]\`. */
export const predictCommand: CliCommand = {
  name: 'predict',
  synopsis: '--model DIR --db PATH --source N [--json]',
  description: 'run a saved forecast model on a source',
  help: HELP,
  run: runPredict,
};

async function runPredict(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    model: { type: 'string' }, db: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const { values } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  const dir = values['model'];
  const dbPath = values['db'];
  const sourceId = Number(values['source']);
  if (typeof dir !== 'string' || dir === '') return usage(io, 'missing --model DIR');
  if (typeof dbPath !== 'string' || dbPath === '') return usage(io, 'missing --db PATH');
  if (!Number.isInteger(sourceId) || sourceId < 1) return usage(io, `--source: must be a source id, got ${String(values['source'])}`);
  const { tf } = await loadTf();
  const model = await loadModel(tf, resolve(dir));
  if (!model.ok) {
    io.err(`flowbench: ${model.error.message}\n`);
    return ExitCode.FAILED;
  }
  const ws = openWorkspace(dbPath);
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  try {
    const run = forecastSource(tf, ws.value.db, model.value, sourceId);
    if (!run.ok) {
      io.err(`flowbench: ${run.error.message}\n`);
      return ExitCode.FAILED;
    }
    const r = run.value;
    const a: number[] = [];
    const p: number[] = [];
    const q: number[] = [];
    r.predicted.forEach((v, i) => {
      const actual = r.actual[i];
      const prev = r.actual[i - 1];
      if (v === null || actual === null || actual === undefined || prev === null || prev === undefined) return;
      a.push(actual);
      p.push(v);
      q.push(prev);
    });
    const m = errorFigures(a, p);
    const pers = errorFigures(a, q);
    if (values['json'] === true) {
      io.out(`${JSON.stringify({ sourceId, target: model.value.prep.target, resolution: r.resolution, points: a.length, mae: m.mae, rmse: m.rmse, persistenceRmse: pers.rmse, t: r.t, actual: r.actual, predicted: r.predicted, ahead: r.ahead })}\n`);
    } else {
      io.out(`source ${sourceId}: ${model.value.prep.target} at ${r.resolution} s, ${a.length} one-step-ahead predictions\n`);
      io.out(`  model MAE ${m.mae.toPrecision(6)}  RMSE ${m.rmse.toPrecision(6)}   persistence RMSE ${pers.rmse.toPrecision(6)}\n`);
      io.out(`  next ${r.ahead.t.length} windows:\n`);
      io.out(renderTable([{ title: 't (UTC)' }, { title: 'predicted', align: 'right' }], r.ahead.t.map((t, i) => [new Date(t * 1000).toISOString(), (r.ahead.predicted[i] ?? 0).toPrecision(6)]), '    '));
    }
    return ExitCode.OK;
  } finally {
    ws.value.close();
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`flowbench predict: ${message}\n(see \`flowbench predict --help\`)\n`);
  return ExitCode.FAILED;
}
