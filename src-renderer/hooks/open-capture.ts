/**
 * Opening captures: the native dialog inside Electron, the hidden file input plus upload in a
 * browser; dropped files by path (Electron) or upload (browser); the sample capture.
 */
import { call, isElectron } from '../api/client.js';
import { electronBridge } from '../api/bridge.js';
import { uploadCapture } from '../api/upload.js';
import { useJobs } from '../stores/jobs-store.js';
import { reportError } from '../stores/notices-store.js';

let fileInput: HTMLInputElement | null = null;
let uploadIds = 1;

/** The hidden `<input type=file>` the browser build opens captures with. */
export function registerFileInput(el: HTMLInputElement | null): void {
  fileInput = el;
}

/** "Open a capture…": the native dialog (Electron) or the file picker (browser). */
export async function openCaptureDialog(): Promise<void> {
  const bridge = electronBridge();
  if (bridge !== undefined) {
    try {
      const r = await bridge.openCaptureDialog();
      if (r !== null) useJobs.getState().followJob(r.jobId);
    } catch (e) {
      reportError(`Opening the capture failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  fileInput?.click();
}

/** "Open the sample capture". */
export async function openSample(): Promise<void> {
  const r = await call('sources.openSample', {});
  if (r.ok) useJobs.getState().followJob(r.value.jobId);
  else reportError(r.error.message);
}

/** Opens files chosen in the picker or dropped on the window. */
export async function openFiles(files: readonly File[]): Promise<void> {
  const bridge = electronBridge();
  for (const file of files) {
    if (isElectron && bridge !== undefined) {
      const path = bridge.pathForFile?.(file) ?? '';
      if (path === '') {
        reportError(`${file.name} cannot be opened: its path on disk is not available.`);
        continue;
      }
      const r = await call('sources.open', { path });
      if (r.ok) useJobs.getState().followJob(r.value.jobId);
      else reportError(r.error.message);
    } else {
      await upload(file);
    }
  }
}

async function upload(file: File): Promise<void> {
  const id = uploadIds++;
  const jobs = useJobs.getState();
  jobs.setUpload({ id, name: file.name, loaded: 0, total: file.size }, id);
  const r = await uploadCapture(file, (loaded, total) => useJobs.getState().setUpload({ id, name: file.name, loaded, total }, id));
  useJobs.getState().setUpload(null, id);
  if (r.ok) useJobs.getState().followJob(r.value.jobId);
  else reportError(r.error.message);
}
