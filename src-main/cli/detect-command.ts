import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { AnomaliesRepo } from '../store/anomalies-repo.js';
import { ModelsRepo } from '../store/models-repo.js';
import { toAnomalyWindow } from '../workbench/anomaly-detect.js';
import { DEFAULT_CONTAMINATION, trainDetector } from '../ml/anomaly/detector.js';
import type { WindowAnomaly } from '../ml/anomaly/detector.js';
import { detectWithModel, readAnomalyFolder } from '../ml/anomaly-model.js';
import { loadSourceWindows } from '../ml/anomaly/source-windows.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { parseTime } from './query-command.js';
import { formatRows } from './query-output.js';

const HELP = `Usage: flowbench detect --db PATH --source N [options] [--json]
       flowbench detect --model DIR --db PATH --source N [--from T --to T] [--json]

Trains an Isolation Forest on the windows of a source (or a time range of it) — or, with
--model, scores them with a saved anomaly model (\`flowbench train --task anomaly\`, or one
exported from the workbench: its resolution, contamination and threshold) — and lists the
windows it flags: time, score (0-1], probability (share of training windows scoring lower),
severity (low/medium/high), a one-sentence message and the three features that drove it.
The flags are stored in the workspace (the latest per source and model) for
\`flowbench export --table anomalies\`. Missing windows of a capture count as idle (zero
rates); unknown ratios take the training median.

Options:
  --model DIR          a saved anomaly model folder (model.json, preprocessing.json, report.json)
  --db PATH            the workspace file (required)
  --source N           source id (see \`flowbench query sources\`)
  --resolution S       window resolution in seconds (1, 10, 60, or an imported series' step);
                       default: the finest with at most 200 000 windows
  --contamination C    share of training windows to flag, in (0, 0.5] (default ${DEFAULT_CONTAMINATION})
  --from T, --to T     train on (with --model: score) [from, to) only: epoch seconds or ISO 8601
  --seed N             random seed (default 1): the same seed gives the same flags
  --json               the flagged windows as a JSON array
  -h, --help           show this help
`;

/** \`flowbench detect --db PATH --source N …\`. */
export const detectCommand: CliCommand = {
  name: 'detect',
  synopsis: '[--model DIR] --db PATH --source N [--resolution S] [--contamination C] [--from T --to T] [--json]',
  description: 'flag unusual windows of a source (Isolation Forest) with severity and drivers',
  help: HELP,
  run: runDetect,
};

async function runDetect(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    model: { type: 'string' }, db: { type: 'string' }, source: { type: 'string' }, resolution: { type: 'string' }, contamination: { type: 'string' },
    from: { type: 'string' }, to: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const v = parsed.value.values;
  if (v['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (parsed.value.positionals.length > 0) return usage(io, `unexpected argument "${parsed.value.positionals[0]}"`);
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const db = str('db');
  if (db === undefined || db === '') return usage(io, 'missing --db PATH');
  const source = str('source');
  if (source === undefined || !/^\d+$/.test(source)) return usage(io, '--source must be a source id (a whole number)');
  const res = str('resolution');
  const resMatch = res === undefined ? null : /^(\d+)s?$/.exec(res);
  if (res !== undefined && (resMatch === null || Number(resMatch[1]) <= 0)) return usage(io, `--resolution must be a whole number of seconds, got "${res}"`);
  const contamination = Number(str('contamination') ?? DEFAULT_CONTAMINATION);
  if (!(contamination > 0 && contamination <= 0.5)) return usage(io, `--contamination must be in (0, 0.5], got "${str('contamination')}"`);
  const seedText = str('seed');
  if (seedText !== undefined && !/^\d+$/.test(seedText)) return usage(io, `--seed must be a whole number, got "${seedText}"`);
  const from = parseTime(str('from'));
  const to = parseTime(str('to'));
  if (from === null || to === null) return usage(io, '--from/--to: epoch seconds or an ISO 8601 date');
  if (from !== undefined && to !== undefined && !(from < to)) return usage(io, `empty range: --from ${from} is not before --to ${to}`);

  const modelDir = str('model');
  if (modelDir !== undefined) {
    for (const k of ['resolution', 'contamination', 'seed']) if (str(k) !== undefined) return usage(io, `--${k} comes from the model with --model; leave it out`);
  }

  // Read-write: the flags are stored per source and model (export table anomalies).
  const ws = openWorkspace(db);
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  try {
    const range = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
    if (modelDir !== undefined) {
      const folder = readAnomalyFolder(resolve(modelDir));
      if (!folder.ok) {
        io.err(`flowbench detect: --model: ${folder.error.message}\n`);
        return ExitCode.FAILED;
      }
      const scored = detectWithModel(ws.value.db, folder.value.model, Number(source), range);
      if (!scored.ok) {
        io.err(`flowbench detect: ${scored.error.message.replace(/^sourceId: /, '--source: ')}\n`);
        return ExitCode.FAILED;
      }
      const dir = resolve(modelDir);
      const row = new ModelsRepo(ws.value.db).list().find((m) => m.dir !== null && resolve(m.dir) === dir);
      store(ws.value.db, Number(source), row?.id ?? null, scored.value.resolution, scored.value.results);
      return printFlags(io, scored.value.results, scored.value.resolution, folder.value.model.contamination, folder.value.model.threshold, v['json'] === true);
    }
    const loaded = loadSourceWindows(ws.value.db, Number(source), range, resMatch === null ? undefined : Number(resMatch[1]));
    if (!loaded.ok) {
      io.err(`flowbench detect: ${loaded.error.message}\n`);
      return ExitCode.FAILED;
    }
    const w = loaded.value;
    let trained;
    try {
      trained = trainDetector(w.rows, {
        resolution: w.resolution, columns: w.columns, fillGaps: w.fillGaps, contamination,
        ...(seedText === undefined ? {} : { seed: Number(seedText) }),
      });
    } catch (e) {
      io.err(`flowbench detect: ${(e as Error).message}\n`);
      return ExitCode.FAILED;
    }
    store(ws.value.db, Number(source), null, w.resolution, trained.results);
    return printFlags(io, trained.results, w.resolution, contamination, trained.model.threshold, v['json'] === true);
  } finally {
    ws.value.close();
  }
}

/** Keeps the flags as the workbench does (model id null: fitted here, or a folder not registered in this workspace). */
function store(db: Database.Database, sourceId: number, modelId: number | null, resolution: number, results: readonly WindowAnomaly[]): void {
  new AnomaliesRepo(db).replace(sourceId, modelId, resolution, results.flatMap(toAnomalyWindow));
}

/** Prints the flagged windows: a JSON array, or a headline and a table. */
function printFlags(io: CliIo, results: readonly WindowAnomaly[], resolution: number, contamination: number, threshold: number, json: boolean): number {
  {
    const flagged = results.filter((r) => r.flagged);
    if (json) {
      io.out(`${JSON.stringify(flagged, null, 2)}\n`);
      return ExitCode.OK;
    }
    io.out(`${flagged.length} of ${results.length} windows (${resolution} s) flagged at contamination ${contamination}; threshold score ${threshold.toFixed(4)}\n`);
    const rows = flagged.map((r) => ({
      time: new Date(r.t * 1000).toISOString().replace('.000Z', 'Z'),
      score: Number(r.score.toFixed(4)),
      probability: Number(r.probability.toFixed(4)),
      severity: r.severity,
      drivers: r.drivers.map((d) => d.text).join('; '),
    }));
    io.out(formatRows({ columns: ['time', 'score', 'probability', 'severity', 'drivers'], rows }, 'table'));
    return ExitCode.OK;
  }
}

function usage(io: CliIo, reason: string): number {
  io.err(`flowbench detect: ${reason} (see \`flowbench detect --help\`)\n`);
  return ExitCode.FAILED;
}
