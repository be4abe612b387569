import { dirname, join, resolve } from 'node:path';
import type { ForecastEvaluation, ForecastScores } from '../../src-shared/models-api.js';
import { runTypeForecasts } from '../ml/forecast-by-type.js';
import { runForecastTraining } from '../ml/forecast-train.js';
import { runAnomalyTraining } from '../ml/anomaly-model.js';
import { runClassifyTraining } from '../ml/classify-run.js';
import { loadTf } from '../ml/tf-backend.js';
import { ModelsRepo } from '../store/models-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { renderTable } from './text-table.js';

const HELP = `Usage: flowbench train --task forecast|anomaly|classify --db PATH --source N[,M…] [options]

Trains a model on the workspace in this process, registers it in the workspace and writes its
folder (model.json, preprocessing.json, report.json; weights.bin for the neural models):

  forecast   an LSTM forecaster on a source's windows (TensorFlow.js: tfjs-node if installed,
             else wasm, else cpu), evaluated on the last 15 % of the windows beside persistence
             and seasonal-naive baselines.
  anomaly    an Isolation Forest over a source's window features; flags about --contamination
             of the training windows. \`flowbench detect --model DIR\` scores with it.
  classify   a behaviour-only flow classifier (flow statistics + first packets) on the flows of
             one or more sources (--source 1,2,3), labelled by the user's labels, else the label
             rules; evaluated by cross-validation grouped by source, beside the rules alone.
             \`flowbench classify --model DIR\` applies it.

Options:
  --task T           forecast (default), anomaly or classify
  --db PATH          the workspace file (required)
  --source N[,M…]    source id(s) to train on (required; several only for classify)
  --target M         forecast: window metric (default bytes_per_second, or a series' value)
  --resolution S     forecast, anomaly: window resolution in seconds (default: from the data)
  --lookback L       forecast: input windows (default: from the data's length, at most 24)
  --horizon H        forecast: windows predicted ahead (default: from the data, at most 5)
  --by KIND          forecast: one model per traffic_type (flow labels) or service (SNI/DNS name),
                     on window bytes split by the flows in each window (top 5 + other); folders
                     under --out (default <workspace dir>/models/by-KIND-<source>-<time>)
  --features A,B…    forecast: input metrics besides the target, e.g. bif_mean,bif_max,rtt_gradient
                     (default: every metric with values; bytes in flight where TCP has them)
  --epochs E         forecast, classify: most epochs (default: from the data / 30)
  --contamination C  anomaly: share of training windows flagged, in (0, 0.5] (default 0.05)
  --from T, --to T   forecast, anomaly: train on [from, to) only (epoch seconds)
  --seed N           random seed (default 42; a run is reproducible)
  --out DIR          model folder (default <workspace dir>/models/<id>)
  --json             print one JSON object instead of the table
  -h, --help         show this help

Progress: one line per epoch on stderr. Exit status 0 when the model is saved, 1 otherwise.
`;

/** \`flowbench train --task forecast|anomaly|classify --db PATH --source N [...]\`. */
export const trainCommand: CliCommand = {
  name: 'train',
  synopsis: '--task forecast|anomaly|classify --db PATH --source N[,M…] [--json]',
  description: 'train a forecast, anomaly or flow-classify model and report its evaluation',
  help: HELP,
  run: runTrain,
};

const INT_OPTIONS = ['resolution', 'lookback', 'horizon', 'epochs', 'seed'] as const;

async function runTrain(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    task: { type: 'string' }, db: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' }, source: { type: 'string' },
    contamination: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, features: { type: 'string' }, by: { type: 'string' },
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
  const task = values['task'] ?? 'forecast';
  if (task !== 'forecast' && task !== 'anomaly' && task !== 'classify') return usage(io, `--task: must be forecast, anomaly or classify, got ${String(task)}`);
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
  const sourceText = values['source'];
  if (typeof sourceText !== 'string') return usage(io, 'missing --source N');
  const sourceIds = sourceText.split(',').map((x) => Number(x.trim()));
  if (sourceIds.some((n) => !Number.isInteger(n) || n < 1)) return usage(io, `--source: must be a source id (or, for classify, ids separated by commas), got ${sourceText}`);
  if (sourceIds.length > 1 && task !== 'classify') return usage(io, `--source: one source for --task ${task}, got ${sourceText}`);
  const extra: { contamination?: number; from?: number; to?: number } = {};
  for (const k of ['contamination', 'from', 'to'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) return usage(io, `--${k}: must be a number, got ${String(v)}`);
    extra[k] = n;
  }
  if (extra.contamination !== undefined && !(extra.contamination > 0 && extra.contamination <= 0.5)) return usage(io, `--contamination: must be in (0, 0.5], got ${extra.contamination}`);
  if (extra.from !== undefined && extra.to !== undefined && !(extra.from < extra.to)) return usage(io, `--to: must be after --from (${extra.from}), got ${extra.to}`);
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
    const features = typeof values['features'] === 'string' ? values['features'].split(',').map((f) => f.trim()).filter((f) => f !== '') : undefined;
    for (const id of sourceIds) {
      if (db.prepare('SELECT 1 FROM sources WHERE id = ?').get(id) === undefined) {
        io.err(`flowbench: --source: no source ${id} in ${ws.value.path}\n`);
        return ExitCode.FAILED;
      }
    }
    const sourceId = sourceIds[0] as number;
    const folderOf = (modelId: number): string => (typeof values['out'] === 'string' ? resolve(values['out']) : join(dirname(ws.value.path), 'models', String(modelId)));
    if (task === 'anomaly') return trainAnomaly(io, models, db, folderOf, sourceId, { ...extra, ...(ints.resolution === undefined ? {} : { resolution: ints.resolution }), ...(ints.seed === undefined ? {} : { seed: ints.seed }) }, json);
    if (task === 'classify') return await trainClassify(io, models, db, folderOf, sourceIds, { ...(ints.epochs === undefined ? {} : { epochs: ints.epochs }), ...(ints.seed === undefined ? {} : { seed: ints.seed }) }, json);
    const by = values['by'];
    if (by !== undefined) {
      if (by !== 'traffic_type' && by !== 'service') return usage(io, `--by: must be traffic_type or service, got ${String(by)}`);
      if (task !== 'forecast') return usage(io, '--by: only for --task forecast');
      const out = typeof values['out'] === 'string' ? resolve(values['out']) : join(dirname(ws.value.path), 'models', `by-${by}-${sourceId}-${Date.now()}`);
      const r = await runTypeForecasts(db, {
        sourceId, dir: out, by, ...(ints.resolution === undefined ? {} : { resolution: ints.resolution }), ...(ints.lookback === undefined ? {} : { lookback: ints.lookback }),
        ...(ints.horizon === undefined ? {} : { horizon: ints.horizon }), ...(ints.epochs === undefined ? {} : { epochs: ints.epochs }),
        ...(ints.seed === undefined ? {} : { seed: ints.seed }),
      });
      if (!r.ok) {
        io.err(`flowbench: ${r.error.message}\n`);
        return ExitCode.FAILED;
      }
      const { split, forecasts } = r.value;
      if (json) io.out(`${JSON.stringify({ sourceId, by, resolution: split.resolution, windows: split.t.length, dir: out, series: forecasts })}\n`);
      else {
        io.out(`source ${sourceId}: bytes by ${by} at ${split.resolution} s, ${split.t.length} windows, models under ${out}\n`);
        const f = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
        io.out(renderTable([{ title: 'series' }, ...['share', 'MAE', 'RMSE', 'sMAPE %', 'skill', 'persist. RMSE', 'seasonal RMSE'].map((title) => ({ title, align: 'right' as const }))], forecasts.map((x) => [
          x.name, `${(x.share * 100).toFixed(1)} %`, x.evaluation === null ? (x.error ?? '-') : x.evaluation.model.mae.toFixed(1),
          x.evaluation?.model.rmse.toFixed(1) ?? '-', x.evaluation?.model.smape.toFixed(1) ?? '-', f(x.evaluation?.model.skill),
          x.evaluation?.persistence.rmse.toFixed(1) ?? '-', x.evaluation?.seasonalNaive?.rmse.toFixed(1) ?? '-',
        ])));
      }
      return forecasts.some((x) => x.evaluation !== null) ? ExitCode.OK : ExitCode.FAILED;
    }
    const modelId = models.create({ name: `forecast ${target ?? 'throughput'} · source ${sourceId} (cli)`, task: 'forecast', status: 'training', sourceId, target: target ?? null, resolution: ints.resolution ?? null });
    const dir = folderOf(modelId);
    models.setDir(modelId, dir);
    const r = await runForecastTraining(db, {
      sourceId, dir, ...(target === undefined ? {} : { target }),
      ...(ints.resolution === undefined ? {} : { resolution: ints.resolution }), ...(ints.lookback === undefined ? {} : { lookback: ints.lookback }),
      ...(ints.horizon === undefined ? {} : { horizon: ints.horizon }), ...(ints.epochs === undefined ? {} : { epochs: ints.epochs }),
      ...(ints.seed === undefined ? {} : { seed: ints.seed }), ...(extra.from === undefined ? {} : { from: extra.from }), ...(extra.to === undefined ? {} : { to: extra.to }),
      ...(features === undefined ? {} : { features }),
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

type Db = Parameters<typeof runAnomalyTraining>[0];

/** `--task anomaly`: an Isolation Forest model folder. */
function trainAnomaly(
  io: CliIo, models: ModelsRepo, db: Db, folderOf: (id: number) => string, sourceId: number,
  opts: { contamination?: number; from?: number; to?: number; resolution?: number; seed?: number }, json: boolean,
): number {
  const modelId = models.create({ name: `anomaly · source ${sourceId} (cli)`, task: 'anomaly', status: 'training', sourceId, target: null, resolution: opts.resolution ?? null });
  const dir = folderOf(modelId);
  models.setDir(modelId, dir);
  const r = runAnomalyTraining(db, { sourceId, dir, ...opts });
  if (!r.ok) {
    models.finish(modelId, { status: 'failed', error: r.error.message });
    io.err(`flowbench: ${r.error.message}\n`);
    return ExitCode.FAILED;
  }
  const v = r.value;
  models.finish(modelId, { status: 'ready', resolution: v.resolution, backend: 'js', report: v.report, history: [], error: null, dir });
  const e = v.evaluation;
  if (json) io.out(`${JSON.stringify({ modelId, dir, sourceId, task: 'anomaly', evaluation: e, features: v.model.features.featureNames })}\n`);
  else {
    io.out(`model ${modelId}: ${dir}\n  Isolation Forest on ${e.trainingWindows} windows of ${e.resolution} s, ${v.model.features.featureNames.length} features, ${v.model.forest.trees.length} trees\n`);
    io.out(`  contamination ${e.contamination}: threshold score ${e.threshold.toFixed(4)}, ${e.flagged} training windows flagged (${(e.flagShare * 100).toFixed(1)} %)\n`);
  }
  return ExitCode.OK;
}

/** `--task classify`: a behaviour-only flow classifier folder. */
async function trainClassify(
  io: CliIo, models: ModelsRepo, db: Db, folderOf: (id: number) => string, sourceIds: readonly number[], opts: { epochs?: number; seed?: number }, json: boolean,
): Promise<number> {
  const modelId = models.create({ name: `classify · sources ${sourceIds.join(', ')} (cli)`, task: 'classify', status: 'training', sourceId: sourceIds[0] ?? null, target: null, resolution: null });
  const dir = folderOf(modelId);
  models.setDir(modelId, dir);
  const loaded = await loadTf();
  let last = 0;
  const r = await runClassifyTraining(loaded.tf, db, { sourceIds, dir, ...opts }, {
    onStart: (s) => io.err(`train: ${s.trainSamples} labelled flows from sources ${sourceIds.join(', ')}, ${s.epochs} epochs over the folds and the final model, backend ${loaded.backend}\n`),
    onEpoch: (e) => {
      // One line per 10 % of the run keeps stderr short.
      if (e.epoch === e.epochs || e.epoch - last >= Math.max(1, Math.round(e.epochs / 10))) {
        last = e.epoch;
        io.err(`epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  ${e.elapsedSeconds.toFixed(1)} s\n`);
      }
    },
  });
  if (!r.ok) {
    models.finish(modelId, { status: 'failed', error: r.error.message });
    io.err(`flowbench: ${r.error.message}\n`);
    return ExitCode.FAILED;
  }
  const v = r.value;
  models.finish(modelId, { status: 'ready', backend: loaded.backend, report: v.report, history: v.history, error: null, dir });
  const e = v.evaluation;
  if (json) {
    io.out(`${JSON.stringify({ modelId, dir, sourceIds, task: 'classify', evaluation: e })}\n`);
    return ExitCode.OK;
  }
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(3));
  io.out(`model ${modelId}: ${dir}\n  ${e.flows} labelled flows (${e.labelSources.user} by the user, ${e.labelSources.rule} by rules; ${e.labelSources.skippedUnknown} unknown left out), ${e.folds} folds grouped by source\n`);
  io.out(`  macro-F1 ${f(e.macroF1)} (behaviour only, out of fold), rules alone ${f(e.rulesBaselineMacroF1)}, accuracy ${f(e.accuracy)}\n`);
  io.out(renderTable(
    [{ title: 'class' }, { title: 'support', align: 'right' }, { title: 'precision', align: 'right' }, { title: 'recall', align: 'right' }, { title: 'F1', align: 'right' }],
    e.perClass.filter((c) => c.support > 0).map((c) => [c.label, String(c.support), f(c.precision), f(c.recall), f(c.f1)]),
  ));
  return ExitCode.OK;
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
