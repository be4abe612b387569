/**
 * File → Export…: the analyst picks a folder; every source's windows, flows and conversations
 * are written there as partitioned Parquet and as CSV, from a read-only connection to the
 * workspace (the workbench keeps writing through its own).
 */
import type { BrowserWindow } from 'electron';
import { dialog } from 'electron';
import { exportTable } from '../export/export-table.js';
import { EXPORT_TABLES } from '../export/export-tables.js';
import { openWorkspace } from '../store/workspace.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';

/** Asks for a folder; null when the analyst cancels. */
export async function chooseExportFolder(win: BrowserWindow | null): Promise<string | null> {
  const options = { title: 'Export to folder', properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
  const r = await (win === null ? dialog.showOpenDialog(options) : dialog.showOpenDialog(win, options));
  return r.canceled ? null : r.filePaths[0] ?? null;
}

/** Exports every table of the workspace into `dir` as Parquet and CSV; the rows written. */
export async function exportWorkspace(workspacePath: string, dir: string): Promise<Result<{ rows: number; files: number }>> {
  const ws = openWorkspace(workspacePath, { readonly: true });
  if (!ws.ok) return ws;
  try {
    let rows = 0;
    let files = 0;
    for (const table of EXPORT_TABLES) {
      for (const format of ['parquet', 'csv'] as const) {
        const r = await exportTable(ws.value.db, { table, format, outDir: dir });
        if (!r.ok) return err(r.error);
        if (format === 'parquet') rows += r.value.rows;
        files += r.value.files.length;
      }
    }
    return ok({ rows, files });
  } finally {
    ws.value.close();
  }
}
