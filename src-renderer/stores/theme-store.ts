/** Light/dark theme: follows prefers-color-scheme until the user picks one, which is kept in localStorage. */
import { create } from 'zustand';

/** A theme name, also the `data-theme` of <html>. */
export type Theme = 'light' | 'dark';

const KEY = 'flowbench.theme';

function stored(): Theme | null {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

const media = window.matchMedia('(prefers-color-scheme: dark)');

interface ThemeState {
  readonly theme: Theme;
  /** True once the user chose a theme (then the system preference no longer applies). */
  readonly explicit: boolean;
  toggle(): void;
}

function apply(theme: Theme): void {
  document.documentElement.dataset['theme'] = theme;
  document.documentElement.style.colorScheme = theme;
}

const initial: Theme = stored() ?? (media.matches ? 'dark' : 'light');
apply(initial);

/** The current theme. */
export const useTheme = create<ThemeState>()((set, get) => ({
  theme: initial,
  explicit: stored() !== null,
  toggle: () => {
    const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
    try {
      window.localStorage.setItem(KEY, theme);
    } catch {
      // Storage may be unavailable (private mode): the choice lasts for this session.
    }
    apply(theme);
    set({ theme, explicit: true });
  },
}));

media.addEventListener('change', (e) => {
  if (useTheme.getState().explicit) return;
  const theme: Theme = e.matches ? 'dark' : 'light';
  apply(theme);
  useTheme.setState({ theme });
});
