import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `test/`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The shared corpus: `$FLOWBENCH_CORPUS`, else `../shared/corpus` beside the checkout. */
export const corpusDir = process.env['FLOWBENCH_CORPUS'] ?? resolve(repoRoot, '../shared/corpus');

/** Lists the capture files of one corpus folder (`pcap` or `malformed`), sorted. */
export function corpusFiles(folder: 'pcap' | 'malformed'): string[] {
  const dir = join(corpusDir, folder);
  if (!existsSync(dir)) throw new Error(`corpus folder missing: ${dir} (set FLOWBENCH_CORPUS)`);
  return readdirSync(dir).sort().map((name) => join(dir, name));
}

/** Reads the Wireshark truth JSON of a corpus capture (`truth/<name>.json`). */
export function readTruth(captureName: string, folder: 'pcap' | 'malformed' = 'pcap'): unknown {
  const base = folder === 'pcap' ? join(corpusDir, 'truth') : join(corpusDir, 'truth', 'malformed');
  return JSON.parse(readFileSync(join(base, `${captureName}.json`), 'utf8')) as unknown;
}
