import { join } from 'node:path';
import { screen, type BrowserWindow } from 'electron';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { sanitizeWindowState, type WindowState } from './window-bounds.js';

const FILE_NAME = 'window-state.json';

/** The saved window state, checked against the displays attached now. */
export function loadWindowState(userData: string): WindowState {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  return sanitizeWindowState(readJsonFile(join(userData, FILE_NAME)), workAreas);
}

/**
 * Saves the window's normal (un-maximized) bounds and maximized flag whenever it is moved,
 * resized or closed; moves and resizes are debounced so dragging does not write every frame.
 */
export function trackWindowState(win: BrowserWindow, userData: string): void {
  const path = join(userData, FILE_NAME);
  let timer: NodeJS.Timeout | undefined;
  const save = (): void => {
    clearTimeout(timer);
    if (win.isDestroyed() || win.isMinimized()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    writeJsonFile(path, state);
  };
  const later = (): void => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('close', save);
}
