/**
 * The hook for Electron journeys: whether a usable Electron binary exists here and why not,
 * from the same probe `npm start` uses (scripts/electron-probe.mjs), so a suite reports its
 * Electron journeys as skipped with that reason. Launch options for Playwright's `_electron`
 * are given for hosts where it can run.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronAvailability as probe } from '../scripts/electron-probe.mjs';

/** Whether Electron journeys can run, and the reason (the version found, or what is missing). */
export interface ElectronAvailability {
  readonly available: boolean;
  readonly reason: string;
}

let cached: (ElectronAvailability & { readonly executable: string | null }) | undefined;

/** Probes once per process (`electron --version`, up to a few seconds). */
export function electronAvailability(): ElectronAvailability {
  cached ??= probe();
  return { available: cached.available, reason: cached.reason };
}

/**
 * Options for `_electron.launch()` of playwright-core: the probed binary on this repo (its
 * package.json "main" is the built shell), with the workspace and state in `userDataDir`
 * (FLOWBENCH_USER_DATA, read by src-main/app/main.ts).
 * Null when Electron is unavailable (see electronAvailability().reason).
 */
export function electronLaunchOptions(userDataDir: string): { executablePath: string; args: string[]; env: Record<string, string> } | null {
  electronAvailability();
  if (cached?.available !== true || cached.executable === null) return null;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  env['FLOWBENCH_USER_DATA'] = userDataDir;
  return { executablePath: cached.executable, args: [repo], env };
}
