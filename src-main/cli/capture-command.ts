import { validateCaptureOptions } from '../capture/capture-options.js';
import { runLiveCapture, type LiveOutcome, type LiveStatus } from '../capture/live-capture.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { formatBitRate, formatBytes, formatCount, formatSpan } from './units.js';

const HELP = `Usage: flowbench capture --interface IF --db PATH [--filter BPF] [--duration S] [--count N]
                         [--pcap OUT.pcapng] [--json] [--progress]

Captures live from a local interface (libpcap through cap), analyses the packets as they arrive
into the SQLite workspace (1 s windows committed every second, flows, conversations, stats) and
records every packet to pcapng. Ctrl-C (or SIGTERM) stops cleanly and keeps everything: the
source is complete and the recording readable.

Options:
  -i, --interface IF   device to capture on (\`flowbench interfaces\` lists them)
  -f, --filter BPF     capture filter, pcap-filter(7) syntax, checked by libpcap before start
  --duration S         stop after S seconds
  -c, --count N        stop after N packets (with --duration: whichever comes first)
  --pcap OUT.pcapng    record every packet (µs timestamps; --ns for nanoseconds)
  --ns                 record nanosecond timestamps (if_tsresol 9)
  --ring-size BYTES    start a new recording file before one passes BYTES (OUT_00001.pcapng, …)
  --ring-files N       with --ring-size, keep only the newest N files
  --snaplen N          bytes kept per packet (14 to 65535, default 65535)
  --no-promiscuous     only packets addressed to this host (promiscuous mode is on by default)
  --db PATH            the workspace file (required; created if missing)
  --json               print one JSON object: { sourceId, interface, filter, packets, bytes,
                       durationSeconds, dropped, pcap }; dropped is null when unknown
  --progress           show the status line even when stderr is not a terminal
  -h, --help           show this help

Capturing needs CAP_NET_RAW and CAP_NET_ADMIN: run elevated, or grant them once with
  sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))

Exit status:
  0  stopped by its limit or by Ctrl-C / SIGTERM, everything kept
  1  could not start: bad option or filter, no such interface, no permission
  2  the capture or recording failed part-way: what came before is kept (source partial)
`;

/** `flowbench capture --interface IF [--filter BPF] [--duration S | --count N] [--pcap F] --db PATH [--json]`. */
export const captureCommand: CliCommand = {
  name: 'capture',
  synopsis: '--interface IF --db PATH [--filter BPF] [--duration S | --count N] [--pcap F]',
  description: 'capture live from an interface into a workspace, recording pcapng',
  help: HELP,
  run: runCapture,
};

async function runCapture(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    interface: { type: 'string', short: 'i' },
    filter: { type: 'string', short: 'f' },
    duration: { type: 'string' },
    count: { type: 'string', short: 'c' },
    pcap: { type: 'string' },
    ns: { type: 'boolean' },
    'ring-size': { type: 'string' },
    'ring-files': { type: 'string' },
    snaplen: { type: 'string' },
    'no-promiscuous': { type: 'boolean' },
    db: { type: 'string' },
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
  if (positionals.length > 0) return usageError(io, `unexpected argument "${positionals[0]!}"`);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const iface = str('interface');
  if (iface === undefined) return usageError(io, 'missing --interface IF');
  const dbPath = str('db');
  if (dbPath === undefined || dbPath === '') return usageError(io, 'missing --db PATH');
  const num = (k: string): number | null | 'bad' => {
    const v = str(k);
    if (v === undefined) return null;
    const n = Number(v);
    return v.trim() === '' || !Number.isFinite(n) ? 'bad' : n;
  };
  const duration = num('duration');
  const count = num('count');
  const snaplen = num('snaplen');
  const ringSize = num('ring-size');
  const ringFiles = num('ring-files');
  for (const [k, v] of [['duration', duration], ['count', count], ['snaplen', snaplen], ['ring-size', ringSize], ['ring-files', ringFiles]] as const) {
    if (v === 'bad') return usageError(io, `--${k}: not a number: "${str(k) ?? ''}"`);
  }
  const pcapPath = str('pcap');
  if ((ringSize !== null || ringFiles !== null) && pcapPath === undefined) return usageError(io, '--ring-size / --ring-files need --pcap');
  if (ringFiles !== null && (ringSize === null || !Number.isInteger(ringFiles) || (ringFiles as number) < 1)) {
    return usageError(io, '--ring-files needs --ring-size and a positive integer');
  }
  const options = validateCaptureOptions({
    interface: iface,
    filter: str('filter') ?? '',
    durationSeconds: duration as number | null,
    count: count as number | null,
    ...(snaplen === null ? {} : { snaplen: snaplen as number }),
    promiscuous: values['no-promiscuous'] !== true,
  });
  if (!options.ok) return failed(io, options.error.message);

  const ws = openWorkspace(dbPath);
  if (!ws.ok) return failed(io, ws.error.message);
  const json = values['json'] === true;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const line = new StatusLine(io, iface, values['progress'] === true);
  try {
    const result = await runLiveCapture(ws.value.db, {
      capture: options.value,
      recording: pcapPath === undefined ? null : {
        path: pcapPath,
        tsResolution: values['ns'] === true ? 'ns' : 'us',
        ringBytes: ringSize as number | null,
        ringFiles: ringFiles as number | null,
      },
      signal: controller.signal,
      onStatus: (s) => line.update(s),
      onStarted: ({ sourceId }) => {
        if (!json) io.err(`capturing on ${iface}${options.value.filter === '' ? '' : ` (filter "${options.value.filter}")`} into source ${sourceId}; Ctrl-C stops\n`);
      },
    });
    line.finish();
    if (!result.ok) return failed(io, result.error.message);
    report(io, result.value, json);
    return result.value.error === null ? ExitCode.OK : ExitCode.PARTIAL;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ws.value.close();
  }
}

function report(io: CliIo, o: LiveOutcome, json: boolean): void {
  if (json) {
    const { sourceId, interface: iface, filter, packets, bytes, durationSeconds, dropped, pcap } = o;
    io.out(`${JSON.stringify({ sourceId, interface: iface, filter, packets, bytes, durationSeconds, dropped, pcap })}\n`);
  } else {
    const why = o.reason === 'count' ? 'packet count reached' : o.reason === 'duration' ? 'duration reached'
      : o.reason === 'failed' ? 'failed' : 'stopped';
    const rows: [string, string][] = [
      ['source', String(o.sourceId)],
      ['interface', o.interface],
      ['filter', o.filter === '' ? '(none)' : o.filter],
      ['packets', formatCount(o.packets)],
      ['bytes', `${formatCount(o.bytes)} (${formatBytes(o.bytes)})`],
      ['duration', formatSpan(o.durationSeconds)],
      ['dropped', o.dropped === null ? 'unknown (libpcap could not be asked: the capture failed)' : formatCount(o.dropped)],
      ['pcap', o.pcapFiles.length === 0 ? '(not recorded)' : o.pcapFiles.join(', ')],
      ['ended', why],
    ];
    io.out(`${rows.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n')}\n`);
  }
  if (o.error !== null) io.err(`flowbench: capture ended early: ${oneLine(o.error.message)}; source ${o.sourceId} keeps everything before (partial)\n`);
}

/** The live status line on stderr: redrawn in place on a terminal, one line a second with --progress. */
class StatusLine {
  private drawn = false;
  constructor(private readonly io: CliIo, private readonly iface: string, private readonly force: boolean) {}

  update(s: LiveStatus): void {
    if (!this.io.errIsTty && !this.force) return;
    const text = describeStatus(this.iface, s);
    if (this.io.errIsTty) {
      this.io.err(`\r${text}\x1b[K`);
      this.drawn = true;
    } else {
      this.io.err(`${text}\n`);
    }
  }

  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}

/** "capture lo: 1,234 packets  56.7 kB  120 pkt/s  1.20 Mbit/s  elapsed 12.0 s  file 60.1 kB  loss unknown". */
export function describeStatus(iface: string, s: LiveStatus): string {
  const parts = [
    `capture ${iface}: ${formatCount(s.packets)} packets`,
    formatBytes(s.bytes),
    `${formatCount(s.packetsPerSecond)} pkt/s`,
    formatBitRate(s.bitsPerSecond),
    `elapsed ${formatSpan(s.elapsedSeconds)}`,
  ];
  if (s.fileBytes !== null) parts.push(`file ${formatBytes(s.fileBytes)}`);
  parts.push(s.dropped === null ? 'loss unknown' : `dropped ${formatCount(s.dropped)}`);
  return parts.join('  ');
}

function failed(io: CliIo, message: string): number {
  io.err(`flowbench capture: ${oneLine(message)}\n`);
  return ExitCode.FAILED;
}

function usageError(io: CliIo, reason: string): number {
  io.err(`flowbench capture: ${reason} (see \`flowbench capture --help\`)\n`);
  return ExitCode.FAILED;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
