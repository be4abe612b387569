import { compareSources, DRIFT_DIMENSIONS, DRIFT_EPSILON, type DriftSide } from '../analysis/drift.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { parseTime } from './query-command.js';
import { formatRows } from './query-output.js';
import { LabelsRepo } from '../store/labels-repo.js';
import { FlowLabeller } from '../workbench/flow-labeller.js';

const HELP = `Usage: flowbench drift --db PATH --source A [--from T --to T] --against B
                       [--against-from T --against-to T] [--json]

Compares the make-up of source A (or a range of it) with a reference B (another source, or a
range of the same one): traffic type (the workspace's label rules and user labels), TLS SNI names, DNS names, packet-size
buckets and protocol mix. For each: PSI and KL(A || B) on shares smoothed with epsilon
${DRIFT_EPSILON}, a verdict (PSI < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 significant
shift) and the categories that moved most.

Options:
  --db PATH                         the workspace file (required)
  --source A                        the source compared
  --from T, --to T                  its range [from, to) (epoch seconds or ISO 8601)
  --against B                       the reference source (may equal A with another range)
  --against-from T, --against-to T  the reference's range
  --top N                           categories listed per dimension (default 5)
  --json                            everything as one JSON object
  -h, --help                        show this help
`;

/** \`flowbench drift --db PATH --source A --against B …\`. */
export const driftCommand: CliCommand = {
  name: 'drift',
  synopsis: '--db PATH --source A [--from T --to T] --against B [--against-from T --against-to T] [--json]',
  description: 'compare traffic type, SNI/DNS names, packet sizes and protocol mix of two sources or ranges (PSI, KL)',
  help: HELP,
  run: runDrift,
};

async function runDrift(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    db: { type: 'string' }, source: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    against: { type: 'string' }, 'against-from': { type: 'string' }, 'against-to': { type: 'string' }, top: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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
  const side = (idKey: string, fromKey: string, toKey: string): DriftSide | string => {
    const id = str(idKey);
    if (id === undefined || !/^\d+$/.test(id)) return `--${idKey} must be a source id (a whole number)`;
    const from = parseTime(str(fromKey));
    const to = parseTime(str(toKey));
    if (from === null || to === null) return `--${fromKey}/--${toKey}: epoch seconds or an ISO 8601 date`;
    if (from !== undefined && to !== undefined && !(from < to)) return `empty range: --${fromKey} ${from} is not before --${toKey} ${to}`;
    return { sourceId: Number(id), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  };
  const a = side('source', 'from', 'to');
  if (typeof a === 'string') return usage(io, a);
  const b = side('against', 'against-from', 'against-to');
  if (typeof b === 'string') return usage(io, b);
  const topText = str('top') ?? '5';
  if (!/^[1-9]\d*$/.test(topText)) return usage(io, `--top must be a positive whole number, got "${topText}"`);

  const ws = openWorkspace(db, { readonly: true });
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  try {
    const sources = new SourcesRepo(ws.value.db);
    for (const s of [a, b]) {
      if (sources.get(s.sourceId) === undefined) {
        io.err(`flowbench drift: no source ${s.sourceId} in ${ws.value.path}\n`);
        return ExitCode.FAILED;
      }
    }
    // Reference = B ("against"), compared = A.
    const labeller = new FlowLabeller(ws.value.db, new LabelsRepo(ws.value.db));
    const result = compareSources(ws.value.db, b, a, (sourceId) => labeller.shownLabelOf(sourceId));
    if (v['json'] === true) {
      io.out(`${JSON.stringify({ source: a, against: b, epsilon: DRIFT_EPSILON, dimensions: result }, null, 2)}\n`);
      return ExitCode.OK;
    }
    const top = Number(topText);
    const out: string[] = [];
    for (const dim of DRIFT_DIMENSIONS) {
      const r = result[dim];
      out.push(`${dim}: ${r.summary} KL ${r.kl.toFixed(3)}; ${r.totalA} vs ${r.totalB} counts (reference vs compared)\n`);
      if (r.categories.length === 0) continue;
      const rows = r.categories.slice(0, top).map((c) => ({
        category: c.category, reference: c.countA, compared: c.countB,
        reference_pct: Number((100 * c.shareA).toFixed(2)), compared_pct: Number((100 * c.shareB).toFixed(2)), psi: Number(c.psi.toFixed(4)),
      }));
      out.push(formatRows({ columns: ['category', 'reference', 'compared', 'reference_pct', 'compared_pct', 'psi'], rows }, 'table'), '\n');
    }
    io.out(out.join(''));
    return ExitCode.OK;
  } finally {
    ws.value.close();
  }
}

function usage(io: CliIo, reason: string): number {
  io.err(`flowbench drift: ${reason} (see \`flowbench drift --help\`)\n`);
  return ExitCode.FAILED;
}
