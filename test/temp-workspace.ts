import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openWorkspace } from '../src-main/store/workspace.js';
import type { Workspace } from '../src-main/store/workspace.js';

/** Opens a fresh workspace file in a temp folder that is closed and removed after the test. */
export function openTempWorkspace(t: TestContext, label: string): { ws: Workspace; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `flowbench-${label}-`));
  const r = openWorkspace(join(dir, 'w.flowbench'));
  if (!r.ok) throw new Error(r.error.message);
  t.after(() => {
    r.value.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ws: r.value, dir };
}
