/**
 * The `models` table (one row per trained or imported model; its files live in `dir`) and the
 * `predictions` table (one-step-ahead values per model, source and window start).
 */
import type Database from 'better-sqlite3';
import type { ForecastEvaluation, ModelDetail, ModelInfo, ModelStatus, ModelTask } from '../../src-shared/models-api.js';

/** One epoch of a model's training history. */
export interface HistoryEntry {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number | null;
}

/** A model row with its folder. */
export interface ModelRow extends ModelInfo {
  /** Folder holding model.json, weights.bin, preprocessing.json, report.json (null while training). */
  readonly dir: string | null;
}

/** What is known when a model row is created. */
export interface NewModel {
  readonly name: string;
  readonly task: ModelTask;
  readonly status: ModelStatus;
  readonly sourceId: number | null;
  readonly target: string | null;
  readonly resolution: number | null;
  readonly backend?: string | null;
  readonly dir?: string | null;
}

/** The final state of a model (training ended, or imported). */
export interface ModelOutcome {
  readonly status: ModelStatus;
  readonly target?: string | null;
  readonly resolution?: number | null;
  readonly backend?: string | null;
  readonly evaluation?: ForecastEvaluation | null;
  readonly report?: Readonly<Record<string, unknown>> | null;
  readonly history?: readonly HistoryEntry[];
  readonly error?: string | null;
  readonly dir?: string | null;
}

interface RawModel {
  id: number;
  name: string;
  task: ModelTask;
  status: ModelStatus;
  source_id: number | null;
  target: string | null;
  resolution: number | null;
  backend: string | null;
  created_at: number;
  evaluation: string | null;
  report: string | null;
  history: string;
  error: string | null;
  dir: string | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toRow(r: RawModel): ModelRow {
  return {
    id: r.id, name: r.name, task: r.task, status: r.status, sourceId: r.source_id, target: r.target,
    resolution: r.resolution, backend: r.backend, createdAt: r.created_at,
    evaluation: parseJson<ForecastEvaluation | null>(r.evaluation, null), error: r.error, dir: r.dir,
  };
}

/** One stored prediction. */
export interface PredictionRow {
  readonly t: number;
  readonly actual: number | null;
  readonly predicted: number | null;
}

/** Access to models and their predictions. */
export class ModelsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Inserts a model; returns its id. */
  create(m: NewModel): number {
    const r = this.db
      .prepare(
        `INSERT INTO models (name, task, status, source_id, target, resolution, backend, created_at, dir)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.name, m.task, m.status, m.sourceId, m.target, m.resolution, m.backend ?? null, Date.now(), m.dir ?? null);
    return Number(r.lastInsertRowid);
  }

  /** The model with this id, if any. */
  get(id: number): ModelRow | undefined {
    const r = this.db.prepare<[number], RawModel>('SELECT * FROM models WHERE id = ?').get(id);
    return r === undefined ? undefined : toRow(r);
  }

  /** The model with its report and history. */
  detail(id: number): (Omit<ModelDetail, 'classification' | 'anomaly'> & { readonly dir: string | null }) | undefined {
    const r = this.db.prepare<[number], RawModel>('SELECT * FROM models WHERE id = ?').get(id);
    if (r === undefined) return undefined;
    return {
      ...toRow(r),
      report: parseJson<Record<string, unknown>>(r.report, {}),
      history: parseJson<HistoryEntry[]>(r.history, []),
    };
  }

  /** Every model, newest first. */
  list(): ModelRow[] {
    return this.db.prepare<[], RawModel>('SELECT * FROM models ORDER BY id DESC').all().map(toRow);
  }

  /** Renames a model. */
  rename(id: number, name: string): void {
    this.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(name, id);
  }

  /** Sets the folder of a model. */
  setDir(id: number, dir: string): void {
    this.db.prepare('UPDATE models SET dir = ? WHERE id = ?').run(dir, id);
  }

  /** Records the training backend as soon as the worker reports it. */
  setBackend(id: number, backend: string): void {
    this.db.prepare('UPDATE models SET backend = ? WHERE id = ?').run(backend, id);
  }

  /** Appends one epoch to the history (kept while training, so a crash keeps the curve). */
  appendHistory(id: number, e: HistoryEntry): void {
    const row = this.db.prepare<[number], { history: string }>('SELECT history FROM models WHERE id = ?').get(id);
    if (row === undefined) return;
    const h = parseJson<HistoryEntry[]>(row.history, []);
    h.push(e);
    this.db.prepare('UPDATE models SET history = ? WHERE id = ?').run(JSON.stringify(h), id);
  }

  /** Writes the end of training (or an import). */
  finish(id: number, o: ModelOutcome): void {
    this.db
      .prepare(
        `UPDATE models SET status = ?, target = coalesce(?, target), resolution = coalesce(?, resolution), backend = coalesce(?, backend), evaluation = ?, report = coalesce(?, report),
           history = coalesce(?, history), error = ?, dir = coalesce(?, dir) WHERE id = ?`,
      )
      .run(
        o.status,
        o.target ?? null,
        o.resolution ?? null,
        o.backend ?? null,
        o.evaluation === undefined || o.evaluation === null ? null : JSON.stringify(o.evaluation),
        o.report === undefined || o.report === null ? null : JSON.stringify(o.report),
        o.history === undefined ? null : JSON.stringify(o.history),
        o.error ?? null,
        o.dir ?? null,
        id,
      );
  }

  /** Models left `training` by a process that is gone become `failed`. */
  failInterrupted(): number {
    return this.db
      .prepare("UPDATE models SET status = 'failed', error = 'training was interrupted (the workbench closed)' WHERE status = 'training'")
      .run().changes;
  }

  /** Deletes a model and its predictions. */
  delete(id: number): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
  }

  /** Replaces the stored predictions of (model, source) in [from, to] with these. */
  storePredictions(modelId: number, sourceId: number, rows: readonly PredictionRow[]): void {
    const ins = this.db.prepare(
      `INSERT INTO predictions (model_id, source_id, t, actual, predicted) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model_id, source_id, t) DO UPDATE SET actual = excluded.actual, predicted = excluded.predicted`,
    );
    this.db.transaction(() => {
      for (const r of rows) ins.run(modelId, sourceId, r.t, r.actual, r.predicted);
    })();
  }

  /** Stored predictions of (model, source) in time order. */
  predictions(modelId: number, sourceId: number): PredictionRow[] {
    return this.db
      .prepare<[number, number], PredictionRow>('SELECT t, actual, predicted FROM predictions WHERE model_id = ? AND source_id = ? ORDER BY t')
      .all(modelId, sourceId);
  }
}
