/** Shell preferences kept in userData (the theme choice of View ▸ Theme). */

/** View ▸ Theme, as nativeTheme.themeSource takes it. */
export type ThemeSource = 'system' | 'light' | 'dark';

/** Every theme choice, in menu order. */
export const THEME_SOURCES: readonly ThemeSource[] = ['system', 'light', 'dark'];

/** Saved preferences. */
export interface Preferences {
  readonly theme: ThemeSource;
}

/** Reads preferences from untrusted JSON, defaulting what is missing or wrong. */
export function parsePreferences(saved: unknown): Preferences {
  const raw = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const theme = THEME_SOURCES.find((t) => t === raw['theme']) ?? 'system';
  return { theme };
}
