/**
 * The Electron shell's entry (package.json "main" → dist/src-main/app/main.js): one instance,
 * one hardened window showing the built renderer at app://flowbench/, the Workbench on the
 * workspace in userData, and the IPC, menus and dialogs around it. Thin on purpose: all
 * behaviour lives in the Workbench; this file only wires Electron to it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, nativeTheme } from 'electron';
import { Workbench } from '../workbench/workbench.js';
import type { WireResult } from './ipc-channels.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { chooseCaptureFile } from './capture-dialog.js';
import { DropGrants, captureFilesInArgv, checkCapturePath } from './capture-path.js';
import { registerIpc, sendMenuAction } from './ipc.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { chooseExportFolder, exportWorkspace } from './export-dialog.js';
import { buildMenuTemplate } from './menu.js';
import { parsePreferences, type ThemeSource } from './preferences.js';
import { RecentFilesStore } from './recent-files-store.js';
import { hardenSession, hardenWebContents } from './security.js';
import { APP_ENTRY_URL } from './url-policy.js';
import { MIN_WINDOW_SIZE, DEFAULT_WINDOW_SIZE } from './window-bounds.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
/** How long quitting waits for the Workbench to finish its writes. */
const CLOSE_TIMEOUT_MS = 5000;

// Tests and side-by-side profiles: another userData folder (workspace, window state, recent
// files, and the single-instance lock, which is per folder).
const userDataOverride = process.env['FLOWBENCH_USER_DATA'];
if (userDataOverride !== undefined && userDataOverride !== '') app.setPath('userData', resolve(userDataOverride));

registerAppScheme();
if (app.requestSingleInstanceLock()) {
  app.enableSandbox();
  hardenWebContents();
  startShell();
} else {
  // Another Flowbench owns the workspace; it receives our argv through 'second-instance'.
  app.quit();
}

/** Everything after the single-instance lock is ours. */
function startShell(): void {
  const isDev = !app.isPackaged;
  let win: BrowserWindow | null = null;
  let workbench: Workbench | null = null;
  let recent: RecentFilesStore | null = null;
  let theme: ThemeSource = 'system';
  const pendingFiles: string[] = [...captureFilesInArgv(process.argv.slice(1))];
  const drops = new DropGrants();
  const userData = (): string => app.getPath('userData');

  const showError = (title: string, message: string): void => {
    const options = { type: 'error' as const, title, message };
    void (win === null ? dialog.showMessageBox(options) : dialog.showMessageBox(win, options));
  };

  /** Opens a capture main chose (dialog, Open Recent, argv, Finder): `sources.open` in main. */
  const openCapture = async (path: string): Promise<WireResult<{ readonly jobId: string }>> => {
    const checked = checkCapturePath(path);
    if (!checked.ok) {
      recent?.remove(path);
      return checked;
    }
    if (workbench === null) return { ok: false, error: { code: 'internal', message: 'the workbench is not open' } };
    const result = (await workbench.call('sources.open', { path })) as WireResult<{ readonly jobId: string }>;
    if (result.ok) recent?.add(path);
    return result;
  };
  const openFromMenu = (path: string): void => {
    void openCapture(path).then((r) => {
      if (!r.ok) showError('Cannot open capture', r.error.message);
    });
  };
  let dialogShown = false;
  const openCaptureDialog = async (): Promise<WireResult<{ readonly jobId: string } | null>> => {
    if (dialogShown) return { ok: true, value: null }; // one open dialog at a time (menu + page)
    dialogShown = true;
    try {
      const path = await chooseCaptureFile(win);
      return path === null ? { ok: true, value: null } : await openCapture(path);
    } finally {
      dialogShown = false;
    }
  };

  const rebuildMenu = (): void => {
    const template = buildMenuTemplate({
      platform: process.platform,
      isDev,
      appName: app.getName(),
      recentFiles: recent?.files ?? [],
      theme,
      commands: {
        openCapture: () => {
          void openCaptureDialog().then((r) => {
            if (!r.ok) showError('Cannot open capture', r.error.message);
          });
        },
        openRecent: openFromMenu,
        clearRecent: () => recent?.clear(),
        exportData: () => {
          if (workbench === null) return;
          const path = workbench.workspacePath;
          void chooseExportFolder(win).then(async (dir) => {
            if (dir === null) return;
            const r = await exportWorkspace(path, dir);
            if (!r.ok) showError('Export failed', r.error.message);
            else void dialog.showMessageBox({ type: 'info', title: 'Export', message: `Exported ${r.value.rows} rows to ${r.value.files} files`, detail: dir });
          });
        },
        openSample: () => {
          void workbench?.call('sources.openSample', {}).then((r) => {
            if (!r.ok) showError('Cannot open the sample capture', r.error.message);
          });
        },
        setTheme: (t) => {
          theme = t;
          nativeTheme.themeSource = t;
          writeJsonFile(join(userData(), 'preferences.json'), { theme: t });
          rebuildMenu();
        },
        send: (action) => sendMenuAction(win, action),
        about: () => {
          const detail = [
            `Electron ${process.versions.electron ?? '?'} · Chromium ${process.versions.chrome ?? '?'} · Node ${process.versions.node}`,
            `Workspace: ${join(userData(), 'workspace.db')}`,
          ].join('\n');
          const options = { type: 'info' as const, title: `About ${app.getName()}`, message: `${app.getName()} ${app.getVersion()}`, detail };
          void (win === null ? dialog.showMessageBox(options) : dialog.showMessageBox(win, options));
        },
        quit: () => app.quit(),
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };

  const createWindow = (): BrowserWindow => {
    const state = loadWindowState(userData());
    const w = new BrowserWindow({
      ...(state.bounds ?? DEFAULT_WINDOW_SIZE),
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      title: 'Flowbench',
      icon: join(app.getAppPath(), 'assets', 'icon.png'),
      show: false,
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
      webPreferences: {
        preload: join(here, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webviewTag: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        devTools: isDev,
      },
    });
    if (state.maximized) w.maximize();
    trackWindowState(w, userData());
    w.once('ready-to-show', () => w.show());
    w.on('closed', () => {
      if (win === w) win = null;
    });
    void w.loadURL(APP_ENTRY_URL);
    return w;
  };

  const focusWindow = (): void => {
    if (win === null) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  };

  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusWindow();
    for (const file of captureFilesInArgv(argv.slice(1))) {
      const path = resolve(workingDirectory, file);
      if (workbench === null) pendingFiles.push(path);
      else openFromMenu(path);
    }
  });
  // macOS: Finder "Open With", a file dropped on the Dock icon; may fire before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (workbench === null) pendingFiles.push(path);
    else openFromMenu(path);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (win === null && workbench !== null) win = createWindow();
  });

  let closing = false;
  app.on('before-quit', (event) => {
    if (workbench === null) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    const wb = workbench;
    const timeout = new Promise<void>((r) => setTimeout(r, CLOSE_TIMEOUT_MS));
    void Promise.race([wb.close(), timeout])
      .catch(() => undefined)
      .finally(() => {
        workbench = null;
        app.quit();
      });
  });

  void app.whenReady().then(() => {
    const rendererDir = join(app.getAppPath(), 'dist-renderer');
    if (!existsSync(join(rendererDir, 'index.html'))) {
      dialog.showErrorBox('Flowbench is not built', `${join(rendererDir, 'index.html')} is missing: run \`npm run build\` first.`);
      app.exit(1);
      return;
    }
    const opened = Workbench.open({
      workspacePath: join(userData(), 'workspace.db'),
      host: 'electron',
      assetsDir: join(app.getAppPath(), 'assets'),
    });
    if (!opened.ok) {
      dialog.showErrorBox('Cannot open the Flowbench workspace', opened.error.message);
      app.exit(1);
      return;
    }
    workbench = opened.value;
    const prefs = parsePreferences(readJsonFile(join(userData(), 'preferences.json')));
    theme = prefs.theme;
    nativeTheme.themeSource = theme;
    recent = new RecentFilesStore(userData(), rebuildMenu);
    hardenSession();
    serveRenderer(rendererDir);
    registerIpc({
      workbench,
      drops,
      window: () => win,
      openCaptureDialog,
      onOpened: (path) => recent?.add(path),
    });
    rebuildMenu();
    win = createWindow();
    for (const file of pendingFiles.splice(0)) openFromMenu(resolve(file));
  });
}
