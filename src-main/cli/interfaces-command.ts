import { describeFlags, listInterfaces } from '../capture/interfaces.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';

const HELP = `Usage: flowbench interfaces [--json]

Lists the interfaces libpcap can capture on, with their addresses and flags (up, running,
loopback; "?" where the system does not say).

Options:
  --json      print a JSON array of { name, description, addresses, loopback, up, running }
  -h, --help  show this help
`;

/** `flowbench interfaces [--json]`. */
export const interfacesCommand: CliCommand = {
  name: 'interfaces',
  synopsis: '[--json]',
  description: 'list capture interfaces with addresses and flags',
  help: HELP,
  run: runInterfaces,
};

async function runInterfaces(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (!parsed.ok) {
    io.err(`flowbench interfaces: ${parsed.error.message} (see \`flowbench interfaces --help\`)\n`);
    return ExitCode.FAILED;
  }
  if (parsed.value.values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (parsed.value.positionals.length > 0) {
    io.err(`flowbench interfaces: unexpected argument "${parsed.value.positionals[0]!}"\n`);
    return ExitCode.FAILED;
  }
  const list = listInterfaces();
  if (!list.ok) {
    io.err(`flowbench interfaces: ${list.error.message}\n`);
    return ExitCode.FAILED;
  }
  if (parsed.value.values['json'] === true) {
    io.out(`${JSON.stringify(list.value)}\n`);
    return ExitCode.OK;
  }
  const width = Math.max(4, ...list.value.map((i) => i.name.length));
  for (const i of list.value) {
    const addrs = i.addresses.map((a) => a.address).join(' ');
    const desc = i.description === null ? '' : `  ${i.description}`;
    io.out(`${i.name.padEnd(width)}  ${describeFlags(i).padEnd(24)}  ${addrs}${desc}\n`.replace(/ +\n$/, '\n'));
  }
  return ExitCode.OK;
}
