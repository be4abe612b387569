import { ingestFile } from '../analysis/ingest-pipeline.js';
import { importSeries, isSeriesFile } from '../ingest/series-import.js';
import type { IngestOutcome, IngestProgress } from '../analysis/ingest-pipeline.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { formatCount, formatSpan } from './units.js';

const HELP = `Usage: flowbench ingest FILE... --db PATH [--json] [--progress] [--force]

Analyses pcap/pcapng captures into a SQLite workspace (created if missing): 1 s / 10 s / 60 s
windows, flows, the conversations table, RTT / latency / packet-size statistics, SNI and DNS
names. A .csv (NAB's timestamp,value) or .jsonl metric series is imported as a series source. A file already analysed (same path, size, mtime and first-MiB hash) is not read again.
An interrupted ingest (Ctrl-C, kill) keeps what was committed and leaves the source marked
partial; running the same command again finishes it.

Options:
  --db PATH     the workspace file (required)
  --json        print one JSON object per file: { sourceId, file, packets, complete }
  --progress    show the progress line on stderr even when stderr is not a terminal
  --force       analyse again even when a complete source of the same file exists
  -h, --help    show this help

Exit status:
  0    every file was analysed completely (or reused)
  1    a file could not be read at all, or bad usage
  2    a file is damaged part-way: its rows cover the data before the fault (source partial)
  130  interrupted (Ctrl-C): committed rows are kept, the source is partial
`;

/** `flowbench ingest FILE... --db PATH [--json] [--progress] [--force]`. */
export const ingestCommand: CliCommand = {
  name: 'ingest',
  synopsis: 'FILE... --db PATH [--json]',
  description: 'analyse captures into a SQLite workspace (windows, flows, conversations, stats)',
  help: HELP,
  run: runIngest,
};

async function runIngest(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  const dbPath = values['db'];
  if (typeof dbPath !== 'string' || dbPath === '') return usageError(io, 'missing --db PATH');
  if (positionals.length === 0) return usageError(io, 'missing FILE');

  const ws = openWorkspace(dbPath);
  if (!ws.ok) {
    io.err(`flowbench: ${oneLine(ws.error.message)}\n`);
    return ExitCode.FAILED;
  }
  for (const r of ws.value.recovered) {
    io.err(`flowbench: note: source ${r.id} (${r.displayName}) was interrupted earlier and is marked partial\n`);
  }
  const json = values['json'] === true;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let exit: number = ExitCode.OK;
  try {
    for (const file of positionals) {
      if (controller.signal.aborted) break;
      if (isSeriesFile(file)) {
        // A metric series (NAB CSV, JSONL windows): imported as a 'series' source.
        const s = await importSeries(ws.value.db, file, { signal: controller.signal, ...(values['force'] === true ? { force: true } : {}) });
        if (!s.ok) {
          io.err(`flowbench: ${oneLine(s.error.message)}\n`);
          exit = Math.max(exit, s.error.sourceId === null ? ExitCode.FAILED : ExitCode.PARTIAL);
          continue;
        }
        const o = s.value;
        io.out(json
          ? `${JSON.stringify({ sourceId: o.sourceId, file, rows: o.rows, step: o.step, complete: true })}\n`
          : `source ${o.sourceId}: ${file}: series of ${formatCount(o.windows)} windows every ${o.step} s, ${o.reused ? 'already imported' : 'complete'}\n`);
        continue;
      }
      const bar = new IngestProgressLine(io, file, values['progress'] === true);
      let result;
      try {
        result = await ingestFile(ws.value.db, file, {
          onProgress: (p) => bar.update(p),
          signal: controller.signal,
          ...(values['force'] === true ? { force: true } : {}),
        });
      } finally {
        bar.finish();
      }
      if (!result.ok) {
        io.err(`flowbench: ${oneLine(result.error.message)}\n`);
        exit = Math.max(exit, ExitCode.FAILED);
        continue;
      }
      const o = result.value;
      report(io, o, json);
      if (o.cancelled) {
        exit = ExitCode.INTERRUPTED;
        break;
      }
      if (o.damaged) exit = Math.max(exit, ExitCode.PARTIAL);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    ws.value.close();
  }
  return exit;
}

function report(io: CliIo, o: IngestOutcome, json: boolean): void {
  if (json) {
    io.out(`${JSON.stringify({ sourceId: o.sourceId, file: o.file, packets: o.packets, complete: o.complete })}\n`);
  } else {
    const how = o.reused ? 'already analysed' : o.complete ? 'complete' : o.cancelled ? 'partial (interrupted)' : 'partial (damaged)';
    io.out(`source ${o.sourceId}: ${o.file}: ${formatCount(o.packets)} packets, ${how}\n`);
  }
  for (const w of o.warnings) {
    io.err(`flowbench: warning: ${o.file}: byte offset ${w.offset}, record ${w.record}: ${oneLine(w.message)}\n`);
  }
  if (o.cancelled) io.err(`flowbench: interrupted: source ${o.sourceId} keeps its first ${o.packets} packets (partial); re-run to finish\n`);
}

/** Nothing is shown for runs shorter than this. */
const SHOW_AFTER_MS = 1000;
/** On a pipe or file (forced with --progress), one line per this interval. */
const PIPE_INTERVAL_MS = 1000;

/** The ingest's progress line on stderr: packets, packets/s, percent, ETA. */
class IngestProgressLine {
  private readonly started = performance.now();
  private lastPipeLine = 0;
  private drawn = false;

  constructor(private readonly io: CliIo, private readonly file: string, private readonly force: boolean) {}

  update(p: IngestProgress): void {
    if (!this.io.errIsTty && !this.force) return;
    const now = performance.now();
    if (now - this.started < SHOW_AFTER_MS) return;
    const text = describeIngest(this.file, p);
    if (this.io.errIsTty) {
      this.io.err(`\r${text}\x1b[K`);
      this.drawn = true;
    } else if (now - this.lastPipeLine >= PIPE_INTERVAL_MS) {
      this.lastPipeLine = now;
      this.io.err(`${text}\n`);
    }
  }

  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}

/** "ingest x.pcap: 12,345,678 packets  2,512,000 pkt/s  42.0 %  ETA 3 s". */
export function describeIngest(file: string, p: IngestProgress): string {
  const parts = [`ingest ${file}: ${formatCount(p.packets)} packets`, `${formatCount(p.packetsPerSecond)} pkt/s`];
  if (p.bytesTotal > 0) parts.push(`${((Math.min(1, p.bytesDone / p.bytesTotal)) * 100).toFixed(1)} %`);
  if (p.etaSeconds !== null) parts.push(`ETA ${p.etaSeconds < 60 ? `${Math.ceil(p.etaSeconds)} s` : formatSpan(p.etaSeconds)}`);
  return parts.join('  ');
}

function usageError(io: CliIo, reason: string): number {
  io.err(`flowbench ingest: ${reason} (see \`flowbench ingest --help\`)\n`);
  return ExitCode.FAILED;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
