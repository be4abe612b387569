import { resolve } from 'node:path';
import { EXPORT_FORMATS, EXPORT_TABLES } from '../export/export-tables.js';
import type { ExportFormat, ExportTable } from '../export/export-tables.js';
import { exportTable } from '../export/export-table.js';
import type { ExportProgress } from '../export/export-table.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { formatCount } from './units.js';

const HELP = `Usage: flowbench export --format csv|jsonl|parquet --table ${EXPORT_TABLES.join('|')} --db PATH --out DIR [options]

Writes a table of the workspace for other tools (Spark, Trino, DuckDB, pandas):
  csv      DIR/TABLE.csv: header row, RFC 4180 quoting, a source_id column
  jsonl    DIR/TABLE.jsonl: one JSON object per line
  parquet  DIR/table=TABLE/source_id=N/date=YYYY-MM-DD/part-0.parquet (Hive-style partitions
           by source and UTC date; read with hive_partitioning)
Column names are the data-column names of \`flowbench query\`. Flows carry packets and bytes
(both directions) and early_packets as [[size, direction, inter-arrival], ...].

Options:
  --format F        csv, jsonl or parquet (required)
  --table T         ${EXPORT_TABLES.join(', ')} (required)
  --db PATH         the workspace file (required)
  --out DIR         output folder, created if missing (required)
  --source N        one source (default: every source with rows)
  --resolution R    windows: 1s, 10s or 60s (default 1s)
  --progress        print progress even when stderr is not a terminal
  --json            print the result (files and row counts) as JSON
  -h, --help        show this help
`;

/** `flowbench export …`. */
export const exportCommand: CliCommand = {
  name: 'export',
  synopsis: '--format csv|jsonl|parquet --table TABLE --db PATH --out DIR',
  description: 'write windows, flows or conversations as CSV, JSONL or partitioned Parquet',
  help: HELP,
  run: runExport,
};

async function runExport(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    format: { type: 'string' }, table: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' },
    source: { type: 'string' }, resolution: { type: 'string' }, progress: { type: 'boolean' }, json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (positionals.length > 0) return usage(io, `unexpected argument "${positionals[0]}"`);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const format = str('format');
  if (format === undefined || !EXPORT_FORMATS.includes(format as ExportFormat)) return usage(io, `--format must be ${EXPORT_FORMATS.join(', ')}, got ${format ?? 'nothing'}`);
  const table = str('table');
  if (table === undefined || !EXPORT_TABLES.includes(table as ExportTable)) return usage(io, `--table must be ${EXPORT_TABLES.join(', ')}, got ${table ?? 'nothing'}`);
  const db = str('db');
  if (db === undefined || db === '') return usage(io, 'missing --db PATH');
  const out = str('out');
  if (out === undefined || out === '') return usage(io, 'missing --out DIR');
  const sourceText = str('source');
  if (sourceText !== undefined && !/^[1-9]\d*$/.test(sourceText)) return usage(io, `--source must be a source id, got "${sourceText}"`);
  const resText = str('resolution');
  const resMatch = resText === undefined ? null : /^(1|10|60)s?$/.exec(resText);
  if (resText !== undefined && resMatch === null) return usage(io, `--resolution must be 1s, 10s or 60s, got "${resText}"`);
  if (resText !== undefined && table !== 'windows') return usage(io, '--resolution only applies to --table windows');

  const ws = openWorkspace(db, { readonly: true });
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const sourceId = sourceText === undefined ? undefined : Number(sourceText);
    if (sourceId !== undefined && new SourcesRepo(ws.value.db).get(sourceId) === undefined) {
      io.err(`flowbench: no source ${sourceId} in ${ws.value.path} (see \`flowbench query sources --db ${db}\`)\n`);
      return ExitCode.FAILED;
    }
    const progress = new RowProgress(io, `export ${table}`, values['progress'] === true);
    const started = performance.now();
    const r = await exportTable(ws.value.db, {
      table: table as ExportTable, format: format as ExportFormat, outDir: resolve(out), signal: abort.signal,
      onProgress: (p) => progress.update(p),
      ...(sourceId === undefined ? {} : { sourceIds: [sourceId] }),
      ...(resMatch === null ? {} : { resolution: Number(resMatch[1]) }),
    });
    progress.finish();
    if (!r.ok) {
      io.err(`flowbench export: ${r.error.message}\n`);
      return r.error.code === 'cancelled' ? ExitCode.INTERRUPTED : ExitCode.FAILED;
    }
    const seconds = (performance.now() - started) / 1000;
    if (values['json'] === true) {
      io.out(`${JSON.stringify({ ...r.value, seconds }, null, 2)}\n`);
    } else {
      io.out(`${formatCount(r.value.rows)} ${table} rows → ${r.value.files.length} file(s) under ${resolve(out)} in ${seconds.toFixed(1)} s\n`);
      for (const f of r.value.files) io.out(`  ${f.path}  ${formatCount(f.rows)} rows\n`);
    }
    return ExitCode.OK;
  } finally {
    process.off('SIGINT', onSigint);
    ws.value.close();
  }
}

/** "export flows: 420,000 / 1,000,000 rows  42.0 %  350,000 rows/s" on stderr, like ingest's line. */
class RowProgress {
  private readonly started = performance.now();
  private last = 0;
  private drawn = false;

  constructor(private readonly io: CliIo, private readonly label: string, private readonly force: boolean) {}

  update(p: ExportProgress): void {
    if (!this.io.errIsTty && !this.force) return;
    const now = performance.now();
    if (now - this.started < 1000 || now - this.last < (this.io.errIsTty ? 100 : 1000)) return;
    this.last = now;
    const rate = p.rowsDone / ((now - this.started) / 1000);
    const pct = p.rowsTotal > 0 ? `  ${((100 * p.rowsDone) / p.rowsTotal).toFixed(1)} %` : '';
    const text = `${this.label}: ${formatCount(p.rowsDone)} / ${formatCount(p.rowsTotal)} rows${pct}  ${formatCount(Math.round(rate))} rows/s`;
    if (this.io.errIsTty) {
      this.io.err(`\r${text}\x1b[K`);
      this.drawn = true;
    } else {
      this.io.err(`${text}\n`);
    }
  }

  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
  }
}

function usage(io: CliIo, reason: string): number {
  io.err(`flowbench export: ${reason} (see \`flowbench export --help\`)\n`);
  return ExitCode.FAILED;
}
