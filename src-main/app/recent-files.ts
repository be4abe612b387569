/**
 * File ▸ Open Recent: the most recently opened capture paths, newest first, without
 * duplicates, at most RECENT_FILES_MAX. Pure list operations plus the parser of the saved JSON.
 */

/** How many paths Open Recent lists. */
export const RECENT_FILES_MAX = 10;

/** Adds (or moves) a path to the front. */
export function addRecentFile(list: readonly string[], path: string, max: number = RECENT_FILES_MAX): readonly string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, max);
}

/** Removes a path (e.g. one that no longer exists). */
export function removeRecentFile(list: readonly string[], path: string): readonly string[] {
  return list.filter((p) => p !== path);
}

/** Reads the saved list from untrusted JSON: keeps non-empty strings, dedupes, caps the length. */
export function parseRecentFiles(saved: unknown, max: number = RECENT_FILES_MAX): readonly string[] {
  const raw = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>)['files'] : undefined;
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const p of raw) {
    if (typeof p === 'string' && p !== '' && !p.includes('\0') && !out.includes(p)) out.push(p);
    if (out.length === max) break;
  }
  return out;
}

/** The JSON saved for a list. */
export function serializeRecentFiles(list: readonly string[]): { readonly files: readonly string[] } {
  return { files: list };
}
