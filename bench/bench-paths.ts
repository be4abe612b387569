import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the checkout root by walking up to flowbench's package.json, so the bench
 * works both from source (tsx bench/x.ts) and compiled (node dist/bench/x.js).
 */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'flowbench') {
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the flowbench checkout (package.json)');
    dir = parent;
  }
}

/** Root of the flowbench checkout. */
export const repoRoot = findRepoRoot();

/** The shared corpus: `$FLOWBENCH_CORPUS`, else `../shared/corpus` beside the checkout (as in test/). */
export const corpusDir = process.env['FLOWBENCH_CORPUS'] ?? resolve(repoRoot, '../shared/corpus');

/** Scratch folder for built captures, compiled helpers and child outputs (gitignored). */
export const workDir = join(repoRoot, 'bench', '.work');

/** Creates bench/.work if needed and returns its path. */
export function ensureWorkDir(): string {
  mkdirSync(workDir, { recursive: true });
  return workDir;
}
