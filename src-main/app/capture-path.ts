import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { err, ok, type Result } from '../../src-shared/result.js';

/**
 * Checks a capture path the renderer passes to `sources.open`. That happens in one place only:
 * a file dropped on the window, whose path the preload read from the OS with
 * `webUtils.getPathForFile` (see DropGrants). Dialogs, Open Recent and the command line open
 * files in main and never route the path through the renderer. The path must be absolute and
 * name an existing regular file (not a directory, device or FIFO that would block a reader).
 */
export function checkCapturePath(path: unknown): Result<string> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    return err({ code: 'invalid_argument', message: 'sources.open: "path" must be a non-empty string' });
  }
  if (!isAbsolute(path)) return err({ code: 'invalid_argument', message: `sources.open: not an absolute path: ${path}` });
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return err({ code: 'permission_denied', message: `${path}: permission denied` });
    return err({ code: 'not_found', message: `${path}: no such file` });
  }
  return isFile ? ok(path) : err({ code: 'invalid_argument', message: `${path}: not a regular file` });
}

/**
 * Paths the preload obtained from real dropped `File` objects. A page cannot make a File that
 * carries an arbitrary path (getPathForFile returns '' for script-made Files), so a
 * `sources.open` from the renderer is honoured only for a path granted here: a compromised
 * page cannot open `/etc/shadow` by typing it. Bounded; oldest grants fall out first.
 */
export class DropGrants {
  readonly #paths = new Set<string>();

  constructor(private readonly max = 256) {}

  /** Records a path the OS handed over in a drop. */
  grant(path: string): void {
    this.#paths.delete(path);
    this.#paths.add(path);
    while (this.#paths.size > this.max) {
      const oldest = this.#paths.values().next();
      if (oldest.done === true) break;
      this.#paths.delete(oldest.value);
    }
  }

  /** True when the path was dropped. */
  has(path: string): boolean {
    return this.#paths.has(path);
  }
}

/** Extensions File ▸ Open lists and the command line / file associations accept. */
export const CAPTURE_EXTENSIONS: readonly string[] = ['pcap', 'pcapng', 'cap'];

/**
 * Capture files named on a command line (a file association, a second launch): arguments that
 * are not flags and end in a capture extension. Existence is checked when they are opened.
 */
export function captureFilesInArgv(argv: readonly string[]): readonly string[] {
  return argv.filter((a) => !a.startsWith('-') && CAPTURE_EXTENSIONS.some((ext) => a.toLowerCase().endsWith(`.${ext}`)));
}
