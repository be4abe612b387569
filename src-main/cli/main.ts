import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { captureCommand } from './capture-command.js';
import { classifyCommand } from './classify-command.js';
import { detectCommand } from './detect-command.js';
import { driftCommand } from './drift-command.js';
import { exportCommand } from './export-command.js';
import { ingestCommand } from './ingest-command.js';
import { interfacesCommand } from './interfaces-command.js';
import { predictCommand } from './predict-command.js';
import { queryCommand } from './query-command.js';
import { serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { summaryCommand } from './summary-command.js';
import { trainCommand } from './train-command.js';

/**
 * Every `flowbench` command, in the order `--help` lists them. A new command (ingest, query,
 * capture, serve, export, simulate) is one `*-command.ts` file and one entry here.
 */
export const COMMANDS: readonly CliCommand[] = [summaryCommand, ingestCommand, queryCommand, captureCommand, interfacesCommand, serveCommand, exportCommand, detectCommand, driftCommand, trainCommand, predictCommand, classifyCommand, simulateCommand];

/** Text of `flowbench --help`. */
export function globalHelp(commands: readonly CliCommand[] = COMMANDS): string {
  const list = commands.map((c) => `  ${c.name} ${c.synopsis}\n      ${c.description}`).join('\n');
  return `Usage: flowbench COMMAND [ARGS...]

Flowbench: network traffic analysis from capture files.

Commands:
${list}

Options:
  -h, --help     show this help (\`flowbench COMMAND --help\` shows a command's options)
  -V, --version  show the version
`;
}

/**
 * Runs the command line (arguments after the program name) and resolves to the exit code.
 * Never throws: an unexpected error becomes one line on stderr and exit code 1.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) return await main([rest[0], '--help'], io);
      (first === undefined ? io.err : io.out)(globalHelp());
      return first === undefined ? ExitCode.FAILED : ExitCode.OK;
    }
    if (first === '-V' || first === '--version') {
      io.out(`flowbench ${packageVersion()}\n`);
      return ExitCode.OK;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (command === undefined) {
      io.err(`flowbench: unknown command "${first}" (see \`flowbench --help\`)\n`);
      return ExitCode.FAILED;
    }
    return await command.run(rest, io);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.err(`flowbench: internal error: ${message.split('\n')[0] ?? ''}\n`);
    return ExitCode.FAILED;
  }
}

/** The real process's streams. */
export function processIo(): CliIo {
  return {
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    errIsTty: process.stderr.isTTY === true,
  };
}

/** Version from the nearest package.json above this file (works from src-main and dist). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === 'flowbench' && typeof parsed.version === 'string') return parsed.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Entry point for `bin/flowbench` and `node dist/src-main/cli/main.js`. */
export async function runAsProcess(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // A closed pipe (`flowbench summary F | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = await main(argv);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAsProcess();
}
