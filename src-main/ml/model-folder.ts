/**
 * Model folders of every task (docs/decisions/0002-model-files.md): which files a task's folder
 * holds, and one reader that checks any folder by the task its preprocessing.json names —
 * forecast (LSTM: model.json + weights.bin), classify (MLP: model.json + weights.bin) and
 * anomaly (Isolation Forest: model.json only) — so export and import treat them alike.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelTask } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { MODEL_FILES, readModelFolder } from './model-files.js';

/** Files of a model folder by task. */
export const TASK_FILES: Readonly<Record<ModelTask, readonly string[]>> = {
  forecast: MODEL_FILES,
  classify: MODEL_FILES,
  anomaly: ['model.json', 'preprocessing.json', 'report.json'],
};

/** Every file name any model folder may hold. */
export const ANY_MODEL_FILES: readonly string[] = MODEL_FILES;

/** What a checked folder is: its task, files, report and headline settings. */
export interface AnyModelFolder {
  readonly dir: string;
  readonly task: ModelTask;
  readonly files: readonly string[];
  readonly report: Readonly<Record<string, unknown>>;
  /** Forecast target (null for other tasks). */
  readonly target: string | null;
  /** Window resolution (null for classify). */
  readonly resolution: number | null;
}

/** Writes JSON documents into `dir` (pretty-printed, newline-terminated). */
export function writeJsonFiles(dir: string, files: Readonly<Record<string, unknown>>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(files)) writeFileSync(join(dir, name), `${JSON.stringify(v, null, name === 'model.json' ? 0 : 2)}\n`);
}

/** A checker of one task's folder (registered by the task's module to keep this file free of their imports). */
export type FolderChecker = (dir: string) => Result<{ report: Readonly<Record<string, unknown>>; resolution: number | null }>;

/**
 * Checks `dir` as a model folder of the task its preprocessing.json names; `check` holds the
 * anomaly and classify checkers. Errors name the file and field.
 */
export function readAnyModelFolder(dir: string, check: Readonly<Record<'anomaly' | 'classify', FolderChecker>>): Result<AnyModelFolder> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return err({ code: 'not_found', message: `${dir}: no such model folder` });
  const prepPath = join(dir, 'preprocessing.json');
  if (!existsSync(prepPath)) return err({ code: 'not_found', message: `${prepPath}: missing (every model folder holds preprocessing.json, report.json and model.json)` });
  let task: unknown;
  try {
    task = (JSON.parse(readFileSync(prepPath, 'utf8')) as { task?: unknown } | null)?.task;
  } catch (e) {
    return err({ code: 'corrupt', message: `${prepPath}: not valid JSON: ${(e as Error).message}` });
  }
  if (task !== 'forecast' && task !== 'anomaly' && task !== 'classify') {
    return err({ code: 'corrupt', message: `${prepPath}: task: must be "forecast", "anomaly" or "classify", got ${JSON.stringify(task ?? null)}` });
  }
  const files = TASK_FILES[task];
  for (const f of files) {
    if (!existsSync(join(dir, f))) return err({ code: 'not_found', message: `${join(dir, f)}: missing (a ${task} model folder holds ${files.join(', ')})` });
  }
  if (task === 'forecast') {
    const f = readModelFolder(dir);
    if (!f.ok) return f;
    return ok({ dir, task, files, report: f.value.report, target: f.value.preprocessing.target, resolution: f.value.preprocessing.resolution });
  }
  const r = check[task](dir);
  if (!r.ok) return r;
  return ok({ dir, task, files, report: r.value.report, target: null, resolution: r.value.resolution });
}
