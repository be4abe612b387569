// `npm start` (after `npm run build`): the desktop app in Electron when a usable binary exists;
// otherwise the same UI from `flowbench serve` in the browser, with one line saying why.
// Arguments after `npm start --` go to Electron or to `flowbench serve` (--port, --host, --db).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronAvailability } from './electron-probe.mjs';

/** Port of the browser fallback unless --port is given. */
const DEFAULT_PORT = '5170';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const electron = electronAvailability();

if (electron.available && electron.executable !== null) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(electron.executable, [root, ...args], env);
} else {
  console.log(`Electron is not available on this machine (${electron.reason}); serving the same UI in your browser instead.`);
  const hasPort = args.some((a) => a === '--port' || a.startsWith('--port='));
  const serveArgs = ['serve', ...(hasPort ? [] : ['--port', DEFAULT_PORT]), ...args];
  run(process.execPath, [join(root, 'bin', 'flowbench'), ...serveArgs], process.env);
}

/**
 * Runs the child to completion and exits with its code. On POSIX the child gets its own
 * process group, so a terminal Ctrl-C reaches it once, through us (npm and the terminal both
 * signal us; a second signal must not make the server skip its clean shutdown).
 */
function run(command, argv, env) {
  const posix = process.platform !== 'win32';
  const child = spawn(command, argv, { stdio: 'inherit', env, detached: posix });
  let forwarded = false;
  const forward = (signal) => {
    if (forwarded) return;
    forwarded = true;
    if (posix) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('error', (e) => {
    console.error(`npm start: cannot run ${command}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
  });
}
