import { summarizeCapture } from '../ingest/summarize-capture.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { ProgressLine } from './progress-line.js';
import { formatSummaryText } from './summary-text.js';

const HELP = `Usage: flowbench summary FILE [--json] [--progress]

Reads a pcap or pcapng capture once (the format is detected from its magic number) and says
what it holds: format, link types, packets, captured and wire bytes, first and last timestamp,
duration, frames per protocol (IPv4, IPv6, TCP, UDP, ICMP, ICMPv6), TCP and UDP conversation
counts as \`tshark -z conv,tcp|udp\` count them, and the top 5 conversations by bytes.

Options:
  --json        print one JSON object (keys: format, linkTypes, packets, capturedBytes,
                wireBytes, firstTimestamp, lastTimestamp, durationSeconds, protocols,
                conversations, topConversations, and warnings on a damaged file)
  --progress    show the progress line on stderr even when stderr is not a terminal
                (it is shown on a terminal for runs longer than a second)
  -h, --help    show this help

Exit status:
  0  the whole file was read
  1  nothing could be read (no such file, permission, not a capture file, bad usage)
  2  the file is damaged part-way: the summary covers the data before the fault and a
     warning names its byte offset and record number
`;

/** `flowbench summary FILE [--json] [--progress]`. */
export const summaryCommand: CliCommand = {
  name: 'summary',
  synopsis: 'FILE [--json] [--progress]',
  description: 'what a capture holds: packets, bytes, time span, protocols, conversations',
  help: HELP,
  run: runSummary,
};

async function runSummary(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (positionals.length !== 1) {
    return usageError(io, positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`);
  }
  const file = positionals[0]!;

  const progress = new ProgressLine(io, 'summary', values['progress'] === true);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await summarizeCapture(file, { onProgress: (p) => progress.update(p), signal: controller.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.finish();
  }

  if (!result.ok) {
    io.err(`flowbench: ${oneLine(result.error.message)}\n`);
    return ExitCode.FAILED;
  }
  const { summary, damaged, cancelled } = result.value;
  io.out(values['json'] === true ? `${JSON.stringify(summary, null, 2)}\n` : formatSummaryText(summary));
  for (const w of summary.warnings ?? []) {
    io.err(`flowbench: warning: ${file}: byte offset ${w.offset}, record ${w.record}: ${oneLine(w.message)}\n`);
  }
  if (damaged) {
    io.err(`flowbench: ${file} is damaged; the summary covers the ${summary.packets} packets read before the fault\n`);
  }
  if (cancelled) {
    io.err(`flowbench: interrupted: the summary covers the first ${summary.packets} packets\n`);
    return ExitCode.INTERRUPTED;
  }
  return damaged ? ExitCode.PARTIAL : ExitCode.OK;
}

function usageError(io: CliIo, reason: string): number {
  io.err(`flowbench summary: ${reason} (see \`flowbench summary --help\`)\n`);
  return ExitCode.FAILED;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
