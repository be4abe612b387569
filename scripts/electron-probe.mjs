// Is an Electron binary usable here? Shared by `npm start` (scripts/start.mjs) and the e2e
// suite (e2e/electron-launch.ts), so both skip Electron for the same stated reason.
//
// It does not `require('electron')`: since Electron 42 that call downloads the binary on first
// use (node_modules/electron/index.js), which on an offline machine spawns an installer that
// fails slowly. Instead it repeats index.js's lookup (ELECTRON_OVERRIDE_DIST_PATH, path.txt,
// dist/) and then runs `electron --version` with a timeout.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** How long `electron --version` may take before the binary counts as unusable. */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Where the Electron executable would be, or why there is none:
 * { executable: string, reason: null } | { executable: null, reason: string }.
 */
export function locateElectron(env = process.env) {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { executable: null, reason: 'the electron package is not installed' };
  }
  let relative = null;
  try {
    relative = readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim();
  } catch {
    // No path.txt: the binary was never downloaded (unless an override names it).
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const executable = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || defaultExecutableName());
    return existsSync(executable)
      ? { executable, reason: null }
      : { executable: null, reason: `ELECTRON_OVERRIDE_DIST_PATH names no executable: ${executable}` };
  }
  if (!relative) return { executable: null, reason: 'the Electron binary was never downloaded (offline install)' };
  const executable = join(pkgDir, 'dist', relative);
  return existsSync(executable) ? { executable, reason: null } : { executable: null, reason: `the Electron binary is missing: ${executable}` };
}

/** The executable's name inside an Electron dist folder on this platform. */
function defaultExecutableName() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/**
 * { available, reason, executable, version }: available when the binary exists, answers
 * `--version` within timeoutMs, and (Linux) a display is there to open a window on.
 */
export function electronAvailability({ env = process.env, timeoutMs = PROBE_TIMEOUT_MS } = {}) {
  const located = locateElectron(env);
  if (located.executable === null) return { available: false, reason: located.reason, executable: null, version: null };
  const { executable } = located;
  const probeEnv = { ...env };
  delete probeEnv.ELECTRON_RUN_AS_NODE;
  const r = spawnSync(executable, ['--version'], { env: probeEnv, timeout: timeoutMs, encoding: 'utf8', windowsHide: true });
  if (r.error) {
    const why = r.error.code === 'ETIMEDOUT' ? `no answer to --version within ${timeoutMs} ms` : r.error.message;
    return { available: false, reason: `${executable} cannot run: ${why}`, executable, version: null };
  }
  const version = (r.stdout ?? '').trim();
  if (r.status !== 0 || !/^v\d+\./.test(version)) {
    const detail = (r.stderr ?? '').trim().split('\n')[0] || `exit ${r.status ?? r.signal}`;
    return { available: false, reason: `${executable} --version failed: ${detail}`, executable, version: null };
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { available: false, reason: `Electron ${version} is installed but there is no display (DISPLAY/WAYLAND_DISPLAY unset)`, executable, version };
  }
  return { available: true, reason: `Electron ${version} at ${executable}`, executable, version };
}
