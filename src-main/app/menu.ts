/**
 * The native menu bar as a template. Main builds it with Menu.buildFromTemplate and rebuilds
 * it when Open Recent or the theme changes. Only a type import from electron, so the template
 * is unit-tested under plain Node. No Models menu until models exist: a menu of disabled
 * placeholders tells the user nothing.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from './ipc-channels.js';
import { THEME_SOURCES, type ThemeSource } from './preferences.js';

/** What menu items do; main supplies them. */
export interface MenuCommands {
  openCapture(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  openSample(): void;
  /** File → Export…: choose a folder, write every table as Parquet and CSV. */
  exportData(): void;
  setTheme(theme: ThemeSource): void;
  /** Hands an action to the renderer (`app:menu`). */
  send(action: MenuAction): void;
  about(): void;
  quit(): void;
}

/** Everything the menu depends on. */
export interface MenuContext {
  readonly platform: NodeJS.Platform;
  /** Unpackaged run: adds Reload and Toggle Developer Tools. */
  readonly isDev: boolean;
  readonly appName: string;
  readonly recentFiles: readonly string[];
  readonly theme: ThemeSource;
  readonly commands: MenuCommands;
}

const THEME_LABELS: Readonly<Record<ThemeSource, string>> = { system: 'System', light: 'Light', dark: 'Dark' };

/** A path as a menu label: `&` doubled so Windows and Linux do not read it as a mnemonic. */
export function menuLabelForPath(path: string): string {
  return path.replaceAll('&', '&&');
}

/** The menu bar for the platform. */
export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const mac = ctx.platform === 'darwin';
  const { commands } = ctx;
  const recent: MenuItemConstructorOptions[] =
    ctx.recentFiles.length === 0
      ? [{ label: 'No Recent Captures', enabled: false }]
      : [
          ...ctx.recentFiles.map((path): MenuItemConstructorOptions => ({ label: menuLabelForPath(path), click: () => commands.openRecent(path) })),
          { type: 'separator' },
          { label: 'Clear Recent', click: () => commands.clearRecent() },
        ];
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      // The page owns Ctrl/Cmd+O (it works in the browser too); the menu shows the key but
      // does not also register it, or one key press would open two dialogs.
      { label: 'Open Capture…', accelerator: 'CmdOrCtrl+O', registerAccelerator: false, click: () => commands.openCapture() },
      { label: 'Open Recent', submenu: recent },
      { label: 'Open Sample Capture', click: () => commands.openSample() },
      { label: 'Simulate Scenario…', click: () => commands.send('simulate.open') },
      { type: 'separator' },
      { label: 'Export…', click: () => commands.exportData() },
      { type: 'separator' },
      mac ? { role: 'close' } : { label: 'Quit', accelerator: 'Ctrl+Q', click: () => commands.quit() },
    ],
  };
  const capture: MenuItemConstructorOptions = {
    label: '&Capture',
    submenu: [
      { label: 'Start Capture…', accelerator: 'CmdOrCtrl+E', click: () => commands.send('capture.start') },
      { label: 'Stop Capture', accelerator: 'CmdOrCtrl+.', click: () => commands.send('capture.stop') },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Theme',
        submenu: THEME_SOURCES.map((theme): MenuItemConstructorOptions => ({
          label: THEME_LABELS[theme],
          type: 'radio',
          checked: ctx.theme === theme,
          click: () => commands.setTheme(theme),
        })),
      },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(ctx.isDev ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as const) : []),
    ],
  };
  // On macOS About sits in the application menu (appMenu role).
  const help: MenuItemConstructorOptions = { role: 'help', submenu: [{ label: `About ${ctx.appName}`, click: () => commands.about() }] };
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    capture,
    view,
    ...(mac ? [{ role: 'windowMenu' } as const] : [help]),
  ];
}
