import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import { CAPTURE_EXTENSIONS } from './capture-path.js';

const OPTIONS: OpenDialogOptions = {
  title: 'Open Capture',
  buttonLabel: 'Open',
  properties: ['openFile'],
  filters: [
    { name: 'Packet captures', extensions: [...CAPTURE_EXTENSIONS] },
    { name: 'All files', extensions: ['*'] },
  ],
};

/** Shows File ▸ Open's dialog; the chosen path, or null when cancelled. */
export async function chooseCaptureFile(parent: BrowserWindow | null): Promise<string | null> {
  const result = parent === null ? await dialog.showOpenDialog(OPTIONS) : await dialog.showOpenDialog(parent, OPTIONS);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
