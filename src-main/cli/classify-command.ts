import { resolve } from 'node:path';
import { loadTf } from '../ml/tf-backend.js';
import { classifySourceFlows, loadClassifier } from '../ml/classify-run.js';
import { LabelsRepo } from '../store/labels-repo.js';
import { ModelsRepo } from '../store/models-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { renderTable } from './text-table.js';

const HELP = `Usage: flowbench classify --model DIR --db PATH --source N [--json]

Applies a saved flow classifier (\`flowbench train --task classify\`, or one exported from the
workbench) to every flow of a source, from behaviour alone (flow statistics and the first
packets), and stores each flow's predicted label and confidence in the workspace (label source
"model": the flows table shows them where the user set no label). Prints the flows per label.

Options:
  --model DIR   the classify model folder (model.json, weights.bin, preprocessing.json, report.json)
  --db PATH     the workspace file (required)
  --source N    source id (see \`flowbench query sources\`)
  --json        one JSON object: { modelDir, sourceId, flows, counts: [{ label, count }], elapsedMs }
  -h, --help    show this help
`;

/** \`flowbench classify --model DIR --db PATH --source N\`. */
export const classifyCommand: CliCommand = {
  name: 'classify',
  synopsis: '--model DIR --db PATH --source N [--json]',
  description: 'label every flow of a source with a saved flow classifier',
  help: HELP,
  run: runClassify,
};

async function runClassify(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    model: { type: 'string' }, db: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const v = parsed.value.values;
  if (v['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (parsed.value.positionals.length > 0) return usage(io, `unexpected argument "${parsed.value.positionals[0]}"`);
  const model = typeof v['model'] === 'string' ? v['model'] : undefined;
  if (model === undefined || model === '') return usage(io, 'missing --model DIR');
  const db = typeof v['db'] === 'string' ? v['db'] : undefined;
  if (db === undefined || db === '') return usage(io, 'missing --db PATH');
  const source = typeof v['source'] === 'string' ? v['source'] : undefined;
  if (source === undefined || !/^\d+$/.test(source)) return usage(io, '--source must be a source id (a whole number)');
  const sourceId = Number(source);
  const ws = openWorkspace(db);
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  try {
    if (ws.value.db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId) === undefined) {
      io.err(`flowbench classify: --source: no source ${sourceId} in ${ws.value.path}\n`);
      return ExitCode.FAILED;
    }
    const dir = resolve(model);
    const { tf } = await loadTf();
    const loaded = await loadClassifier(tf, dir);
    if (!loaded.ok) {
      io.err(`flowbench classify: --model: ${loaded.error.message}\n`);
      return ExitCode.FAILED;
    }
    try {
      const started = performance.now();
      const r = classifySourceFlows(ws.value.db, loaded.value, sourceId);
      // The model's row when the folder is one of this workspace's models (else no model id).
      const row = new ModelsRepo(ws.value.db).list().find((m) => m.dir !== null && resolve(m.dir) === dir);
      new LabelsRepo(ws.value.db).setModelLabels(r.flowIds.map((flowId, i) => ({ flowId, label: r.labels[i] ?? 'other', confidence: r.confidence[i] ?? 0 })), row?.id ?? null);
      const counts = new Map<string, number>();
      for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const list = [...counts.entries()].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
      const elapsedMs = Math.round(performance.now() - started);
      if (v['json'] === true) {
        io.out(`${JSON.stringify({ modelDir: dir, modelId: row?.id ?? null, sourceId, flows: r.flowIds.length, counts: list, elapsedMs })}\n`);
        return ExitCode.OK;
      }
      io.out(`${r.flowIds.length} flows of source ${sourceId} labelled in ${elapsedMs} ms\n`);
      io.out(renderTable([{ title: 'label' }, { title: 'flows', align: 'right' }], list.map((c) => [c.label, String(c.count)])));
      return ExitCode.OK;
    } finally {
      loaded.value.net.dispose();
    }
  } finally {
    ws.value.close();
  }
}

function usage(io: CliIo, reason: string): number {
  io.err(`flowbench classify: ${reason} (see \`flowbench classify --help\`)\n`);
  return ExitCode.FAILED;
}
