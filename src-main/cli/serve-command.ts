import { resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../server/http-server.js';
import { Workbench } from '../workbench/workbench.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';

const HELP = `Usage: flowbench serve [--host H] [--port P] [--db PATH] [--token T] [--renderer DIR]

Serves the workbench to a browser: the built renderer, the API over WebSocket at /api/ws,
uploads at POST /api/upload?name=FILE and GET /api/health. Stops on Ctrl-C / SIGTERM.

Options:
  --host H        address to bind (default ${DEFAULT_HOST}); any non-loopback address requires a token
  --port P        port (default ${DEFAULT_PORT}; 0 picks a free one)
  --db PATH       the workspace file (default ./flowbench-workspace.db, created if missing)
  --token T       require this token (Authorization: Bearer T, or ?token=T); generated and
                  printed when the host is not loopback and none is given
  --renderer DIR  folder of the built renderer (default dist-renderer/ of the package)
  -h, --help      show this help
`;

/** `flowbench serve`. */
export const serveCommand: CliCommand = {
  name: 'serve',
  synopsis: '[--host H] [--port P] [--db PATH] [--token T]',
  description: 'serve the workbench over HTTP/WebSocket for a browser (127.0.0.1:5170)',
  help: HELP,
  run: runServe,
};

async function runServe(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    db: { type: 'string' },
    token: { type: 'string' },
    renderer: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usage(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  if (positionals.length > 0) return usage(io, `unexpected argument "${positionals[0] ?? ''}"`);
  const port = values['port'] === undefined ? DEFAULT_PORT : Number(values['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(io, `--port: must be an integer from 0 to 65535`);
  const token = typeof values['token'] === 'string' ? values['token'] : null;
  if (token !== null && (token.length < 8 || /\s/.test(token))) return usage(io, '--token: at least 8 characters, no spaces');
  const host = typeof values['host'] === 'string' ? values['host'] : DEFAULT_HOST;
  const dbPath = resolve(typeof values['db'] === 'string' ? values['db'] : 'flowbench-workspace.db');

  const wb = Workbench.open({ workspacePath: dbPath, host: 'server' });
  if (!wb.ok) {
    io.err(`flowbench: ${wb.error.message}\n`);
    return ExitCode.FAILED;
  }
  const server = await startServer({
    workbench: wb.value, host, port, token,
    ...(typeof values['renderer'] === 'string' ? { rendererDir: resolve(values['renderer']) } : {}),
  });
  if (!server.ok) {
    await wb.value.close();
    io.err(`flowbench: ${server.error.message}\n`);
    return ExitCode.FAILED;
  }
  const s = server.value;
  io.out(`Flowbench serving ${s.url} (workspace ${wb.value.workspacePath})\n`);
  if (s.tokenGenerated && s.token !== null) io.out(`Token: ${s.token} (open ${s.url}?token=${s.token})\n`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  await s.close();
  await wb.value.close();
  io.err(`flowbench: stopped (${signal})\n`);
  return ExitCode.OK;
}

function usage(io: CliIo, message: string): number {
  io.err(`flowbench serve: ${message}\n${HELP}`);
  return ExitCode.FAILED;
}
