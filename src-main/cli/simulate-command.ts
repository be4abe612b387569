import { SCENARIOS, type RateShape, type ScenarioName } from '../simulate/scenario.js';
import { DEFAULT_START, simulate } from '../simulate/simulator.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';

const HELP = `Usage: flowbench simulate --scenario ${SCENARIOS.join('|')} --duration S --out FILE.pcapng
                          [--rate PPS] [--seed N] [--start EPOCH] [--shape diurnal|step|flat] [--json]

Writes a seeded, deterministic scenario capture (pcapng, Ethernet/IPv4 and some IPv6): web/TLS
sessions (handshake, ClientHello with SNI, request/response data, ACKs, FIN close; per-flow RTT
drawn log-normal around 40 ms), DNS lookups, streaming-like bulk downloads and SSH-like
interactive sessions, with a diurnal (or step) rate, plus the scenario's injected events:
  baseline     no events
  dos          syn_flood, udp_flood
  scan         port_scan
  dns-tunnel   dns_tunnel (long random-label TXT queries)
  mixed        syn_flood, udp_flood, quiet, spike, port_scan, dns_tunnel
The events go to FILE.labels.json beside the capture: [{"kind", "from", "to"}] in epoch
seconds, [from, to). The same options give a byte-identical capture and label file.
Replay onto a live interface is not offered.

Options:
  --scenario NAME   one of ${SCENARIOS.join(', ')} (required)
  --duration S      seconds of traffic (required)
  --out FILE        the capture written (required)
  --rate PPS        mean baseline packets per second over a day (default 1000)
  --seed N          random seed, a whole number (default 1)
  --start EPOCH     epoch second of the first packet (default ${DEFAULT_START}, 2026-01-01T00:00:00Z)
  --shape SHAPE     diurnal (by time of day, default), step (x0.8 then x1.2 at mid-capture) or flat
  --json            print the result as JSON
  -h, --help        show this help
`;

/** \`flowbench simulate --scenario NAME --duration S --out FILE\`. */
export const simulateCommand: CliCommand = {
  name: 'simulate',
  synopsis: `--scenario ${SCENARIOS.join('|')} --duration S --out FILE.pcapng [--rate PPS] [--seed N]`,
  description: 'write a seeded scenario capture (mixed traffic plus DoS, scan, DNS-tunnel events) and its event labels',
  help: HELP,
  run: runSimulate,
};

async function runSimulate(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    scenario: { type: 'string' }, duration: { type: 'string' }, out: { type: 'string' }, rate: { type: 'string' },
    seed: { type: 'string' }, start: { type: 'string' }, shape: { type: 'string' }, json: { type: 'boolean' },
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
  const scenario = str('scenario');
  if (scenario === undefined || !SCENARIOS.includes(scenario as ScenarioName)) {
    return usage(io, `--scenario must be ${SCENARIOS.join(', ')}, got ${scenario ?? 'nothing'}`);
  }
  const out = str('out');
  if (out === undefined || out === '') return usage(io, 'missing --out FILE');
  const num = (k: string, re: RegExp): number | undefined | string => {
    const s = str(k);
    if (s === undefined) return undefined;
    return re.test(s) ? Number(s) : `--${k}: not a valid number: "${s}"`;
  };
  const duration = num('duration', /^\d+(\.\d+)?$/);
  if (duration === undefined) return usage(io, 'missing --duration S');
  const rate = num('rate', /^\d+(\.\d+)?$/);
  const seed = num('seed', /^\d{1,10}$/);
  const start = num('start', /^\d{1,11}$/);
  for (const v of [duration, rate, seed, start]) if (typeof v === 'string') return usage(io, v);
  const shape = str('shape') ?? 'diurnal';
  if (!['diurnal', 'step', 'flat'].includes(shape)) return usage(io, `--shape must be diurnal, step or flat, got "${shape}"`);
  const began = performance.now();
  const r = simulate({
    scenario: scenario as ScenarioName,
    duration: duration as number,
    out,
    shape: shape as RateShape,
    ...(rate === undefined ? {} : { rate: rate as number }),
    ...(seed === undefined ? {} : { seed: seed as number }),
    ...(start === undefined ? {} : { start: start as number }),
  });
  if (!r.ok) {
    io.err(`flowbench simulate: ${r.error.message}\n`);
    return ExitCode.FAILED;
  }
  const seconds = (performance.now() - began) / 1000;
  const v = r.value;
  if (values['json'] === true) {
    io.out(`${JSON.stringify({ path: v.path, labels: v.labelsPath, packets: v.packets, bytes: v.bytes, start: v.start, duration: v.duration, events: v.events, seconds })}\n`);
  } else {
    io.out(`${v.path}: ${v.packets} packets, ${v.bytes} bytes in ${seconds.toFixed(2)} s (${Math.round(v.packets / Math.max(seconds, 1e-9))} packets/s)\n`);
    io.out(`${v.labelsPath}: ${v.events.length} events\n`);
    for (const e of v.events) io.out(`  ${e.kind.padEnd(10)} ${new Date(e.from * 1000).toISOString()} – ${new Date(e.to * 1000).toISOString()}\n`);
  }
  return ExitCode.OK;
}

function usage(io: CliIo, reason: string): number {
  io.err(`flowbench simulate: ${reason} (see \`flowbench simulate --help\`)\n`);
  return ExitCode.FAILED;
}
