/**
 * The `anomalies` table (migration 7): the flagged windows of the latest detection per source
 * and model (model_id 0 = a forest fitted on the fly by `anomalies.detect`).
 */
import type Database from 'better-sqlite3';
import type { AnomalyDriverInfo, AnomalySeverity, AnomalyWindow } from '../../src-shared/anomaly-api.js';

/** model_id of flags from a forest fitted on the fly. */
export const FITTED_ON_THE_FLY = 0;

/** Reads and writes stored anomaly flags. */
export class AnomaliesRepo {
  constructor(private readonly db: Database.Database) {}

  /** Replaces the flags of (source, model) with these. */
  replace(sourceId: number, modelId: number | null, resolution: number, flags: readonly AnomalyWindow[]): void {
    const mid = modelId ?? FITTED_ON_THE_FLY;
    const ins = this.db.prepare(
      `INSERT INTO anomalies (source_id, model_id, t, resolution, score, probability, severity, message, drivers, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM anomalies WHERE source_id = ? AND model_id = ?').run(sourceId, mid);
      for (const f of flags) ins.run(sourceId, mid, f.t, resolution, f.score, f.probability, f.severity, f.message, JSON.stringify(f.drivers), now);
    })();
  }

  /** Stored flags of (source, model) in time order. */
  list(sourceId: number, modelId: number | null): AnomalyWindow[] {
    return this.db
      .prepare<[number, number], { t: number; score: number; probability: number; severity: AnomalySeverity; message: string; drivers: string }>(
        'SELECT t, score, probability, severity, message, drivers FROM anomalies WHERE source_id = ? AND model_id = ? ORDER BY t',
      )
      .all(sourceId, modelId ?? FITTED_ON_THE_FLY)
      .map((r) => ({ ...r, drivers: JSON.parse(r.drivers) as AnomalyDriverInfo[] }));
  }

  /** Drops the flags of a removed model. */
  deleteModel(modelId: number): void {
    this.db.prepare('DELETE FROM anomalies WHERE model_id = ?').run(modelId);
  }
}
