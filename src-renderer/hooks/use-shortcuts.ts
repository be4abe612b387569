/** Keyboard shortcuts: Ctrl/Cmd+O open, 1–6 views, Ctrl+Shift+L theme, Esc reset zoom (or close the flow). */
import { useEffect } from 'react';
import { useSelection } from '../stores/selection-store.js';
import { useTheme } from '../stores/theme-store.js';
import { openCaptureDialog } from './open-capture.js';

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/** Installs the window-wide shortcuts. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const sel = useSelection.getState();
      if (mod && !e.shiftKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        void openCaptureDialog();
      } else if (mod && e.shiftKey && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        useTheme.getState().toggle();
      } else if (e.key === 'Escape') {
        if (sel.flowId !== null) sel.openFlow(null);
        else sel.resetRange();
      } else if (!mod && !e.altKey && !typing(e.target)) {
        const view = ({ '1': 'overview', '2': 'flows', '3': 'capture', '4': 'models', '5': 'classification', '6': 'explore' } as const)[e.key as '1' | '2' | '3' | '4' | '5' | '6'];
        if (view !== undefined) sel.setView(view);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
