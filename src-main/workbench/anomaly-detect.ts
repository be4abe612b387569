/**
 * One `anomalies.detect` run on a workspace connection: choose the resolution, load the windows,
 * train the detector and keep the flagged windows in the contract's shape. Runs inside
 * anomaly.worker.ts (off the workbench's thread) and directly in tests.
 *
 * Resolution by default: a series' one step; for a capture the finest stored resolution (1, 10,
 * 60 s) whose span over the range holds at most MAX_AUTO_WINDOWS windows, else the coarsest.
 * Scoring costs ~0.09 ms per window (bench/anomaly-nab.ts), so 20 000 windows keep a run near
 * 2 s; a 1-day 1 s capture (86 400 windows, ~8 s) is read at 10 s unless asked for 1 s.
 */
import type Database from 'better-sqlite3';
import type { AnomalyDetectRequest, AnomalyDetectResult, AnomalyWindow } from '../../src-shared/anomaly-api.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import { DEFAULT_CONTAMINATION, trainDetector, type WindowAnomaly } from '../ml/anomaly/detector.js';
import { loadSourceWindows } from '../ml/anomaly/source-windows.js';
import { pickDetectResolution } from '../ml/anomaly/detect-resolution.js';
import { detectWithModel, readAnomalyFolder } from '../ml/anomaly-model.js';

export { MAX_AUTO_WINDOWS, pickDetectResolution } from '../ml/anomaly/detect-resolution.js';

/**
 * Trains on the source (or range) and returns its flagged windows; with `modelDir` (the folder
 * of the request's modelId) scores them with that saved detector instead.
 */
export function runDetection(db: Database.Database, req: AnomalyDetectRequest, modelDir?: string): Result<AnomalyDetectResult> {
  const started = performance.now();
  const range = { ...(req.from === undefined ? {} : { from: req.from }), ...(req.to === undefined ? {} : { to: req.to }) };
  if (modelDir !== undefined) {
    const folder = readAnomalyFolder(modelDir);
    if (!folder.ok) return err({ ...folder.error, message: `modelId: model ${req.modelId ?? '?'}: ${folder.error.message}` });
    const { model } = folder.value;
    const scored = detectWithModel(db, model, req.sourceId, range);
    if (!scored.ok) return scored;
    const { results, resolution } = scored.value;
    return ok({
      sourceId: req.sourceId, modelId: req.modelId ?? null, resolution, contamination: model.contamination, threshold: model.threshold,
      windows: results.length, from: results[0]?.t ?? null, to: results.length === 0 ? null : (results[results.length - 1]?.t ?? 0) + resolution,
      anomalies: results.flatMap(toAnomalyWindow), elapsedMs: Math.round(performance.now() - started),
    });
  }
  const resolution = req.resolution ?? pickDetectResolution(db, req.sourceId, range) ?? undefined;
  const loaded = loadSourceWindows(db, req.sourceId, range, resolution);
  if (!loaded.ok) return loaded;
  const w = loaded.value;
  const contamination = req.contamination ?? DEFAULT_CONTAMINATION;
  let trained;
  try {
    trained = trainDetector(w.rows, {
      resolution: w.resolution, columns: w.columns, fillGaps: w.fillGaps, contamination,
      ...(req.seed === undefined ? {} : { seed: req.seed }),
    });
  } catch (e) {
    // Too few windows or no metric with values: the caller's range or source, not a fault.
    return err({ code: 'invalid_argument', message: `sourceId: cannot train on source ${req.sourceId}: ${(e as Error).message}` });
  }
  const { model, results } = trained;
  return ok({
    sourceId: req.sourceId,
    modelId: null,
    resolution: w.resolution,
    contamination,
    threshold: model.threshold,
    windows: results.length,
    from: model.training.from,
    to: model.training.to === null ? null : model.training.to + w.resolution,
    anomalies: results.flatMap(toAnomalyWindow),
    elapsedMs: Math.round(performance.now() - started),
  });
}

/** A flagged result in the contract's shape (none for an ordinary window). */
export function toAnomalyWindow(r: WindowAnomaly): AnomalyWindow[] {
  if (!r.flagged || r.severity === null) return [];
  return [{
    t: r.t, score: r.score, probability: r.probability, severity: r.severity, message: r.message,
    drivers: r.drivers.map((d) => ({
      feature: d.feature, column: d.column, value: d.value, usual: d.median, robustZ: d.z, direction: d.direction,
      attribution: d.attribution, text: d.text,
    })),
  }];
}
