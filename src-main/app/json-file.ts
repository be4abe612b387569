import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a small JSON state file (window state, recent files, preferences); null when it is
 * missing or not valid JSON, so a damaged file only costs the remembered state.
 */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * Writes a small JSON state file through a temporary file and a rename, so a crash mid-write
 * leaves the old file, never half a file. Failures (read-only profile, full disk) are
 * reported to the caller as false: losing remembered UI state must not stop the app.
 */
export function writeJsonFile(path: string, value: unknown): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(tmp, path);
    return true;
  } catch {
    return false;
  }
}
