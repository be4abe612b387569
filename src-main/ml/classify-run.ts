/**
 * Classify models of the workspace: training on the labelled flows of chosen sources (labels of
 * the user, else the label rules), evaluation in the contract's shape (ClassifyEvaluation: the
 * out-of-fold figures of the cross-validation grouped by source file, permutation importance,
 * and the rules-only baseline against the same labels), and applying a saved model to a
 * source's flows or to flow behaviours. A thin adapter over the classification library in
 * ./classify/ (trainFlowClassifier, saveFlowClassifier, loadFlowClassifier, classifyRaw).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { TRAFFIC_CLASSES } from '../../src-shared/classify-api.js';
import type { FlowBehaviour, TrafficClass } from '../../src-shared/classify-api.js';
import type { SeriesStats } from '../../src-shared/flow-record.js';
import type { ClassifyEvaluation } from '../../src-shared/models-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { LabelsRepo } from '../store/labels-repo.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { classifyMetrics } from './classify/classify-eval.js';
import { checkEnsemblePreprocessing, classifyRaw, loadFlowClassifier, saveFlowClassifier, trainFlowClassifier } from './classify/classifier.js';
import type { FlowClassifier } from './classify/classifier.js';
import { readSourceFlows, workspaceDataset } from './classify/flow-dataset.js';
import { rawFeatures } from './classify/flow-features.js';
import type { BehaviourInput } from './classify/flow-features.js';
import { compileRules, resolvedNames } from './classify/traffic-rules.js';
import { REPORT_VERSION } from './model-files.js';
import type { Tf } from './tf-backend.js';

/** Most cross-validation folds (fewer when there are fewer source files). */
const MAX_FOLDS = 5;
/** Fewest labelled flows a classifier trains on. */
const MIN_FLOWS = 20;

/** Settings of a classify training run (the request's, plus the folder to write). */
export interface ClassifyTrainSpec {
  readonly sourceIds: readonly number[];
  readonly dir: string;
  readonly seed?: number;
  readonly epochs?: number;
}

/** Progress hooks of a run (epochs count over every fold and the final model). */
export interface ClassifyTrainHooks {
  readonly onStart?: (info: { epochs: number; trainSamples: number }) => void;
  readonly onEpoch?: (e: { epoch: number; epochs: number; loss: number; elapsedSeconds: number; etaSeconds: number | null }) => void;
  readonly shouldStop?: () => boolean;
}

/** A finished classify run. */
export interface ClassifyTrainResult {
  readonly dir: string;
  readonly evaluation: ClassifyEvaluation;
  readonly report: Readonly<Record<string, unknown>>;
  readonly history: readonly { epoch: number; loss: number; valLoss: null }[];
  readonly stoppedBy: string;
}

/** Trains on the labelled flows of the sources, evaluates by file, and writes the model folder. */
export async function runClassifyTraining(tf: Tf, db: Database.Database, spec: ClassifyTrainSpec, hooks: ClassifyTrainHooks = {}): Promise<Result<ClassifyTrainResult>> {
  const t0 = performance.now();
  const sources = new SourcesRepo(db);
  for (const [i, sid] of spec.sourceIds.entries()) {
    if (sources.get(sid) === undefined) return err({ code: 'not_found', message: `sourceIds[${i}]: no source ${sid}` });
  }
  const data = workspaceDataset(db, spec.sourceIds);
  if (data.y.length < MIN_FLOWS) {
    return err({
      code: 'invalid_argument',
      message: `sourceIds: ${data.y.length} labelled flows in source${spec.sourceIds.length === 1 ? '' : 's'} ${spec.sourceIds.join(', ')} (${data.labelSources.skippedUnknown} unknown to the rules and unlabelled); a classifier needs at least ${MIN_FLOWS}`,
    });
  }
  const groups = new Set(data.groups).size;
  const folds = groups >= 2 ? Math.min(MAX_FOLDS, groups) : 0;
  const epochsPerModel = spec.epochs ?? 30;
  const totalEpochs = epochsPerModel * (folds + 1);
  hooks.onStart?.({ epochs: totalEpochs, trainSamples: data.y.length });
  const history: { epoch: number; loss: number; valLoss: null }[] = [];
  const stop = hooks.shouldStop ?? (() => false);
  // The library polls `signal.aborted` between batches; this signal asks the hook.
  const signal = { get aborted() { return stop(); } } as AbortSignal;
  const { model, report } = await trainFlowClassifier(tf, data, {
    folds, signal, importance: folds > 0,
    ...(spec.seed === undefined ? {} : { seed: spec.seed }), ...(spec.epochs === undefined ? {} : { epochs: spec.epochs }),
    onEpoch: (e) => {
      // Folds 1..k run first; the final model on all flows reports fold 0 and comes last.
      const run = e.fold === 0 ? folds : e.fold - 1;
      const epoch = Math.min(totalEpochs, run * epochsPerModel + e.epoch);
      const elapsedSeconds = (performance.now() - t0) / 1000;
      history.push({ epoch, loss: e.loss, valLoss: null });
      hooks.onEpoch?.({ epoch, epochs: totalEpochs, loss: e.loss, elapsedSeconds, etaSeconds: (elapsedSeconds / epoch) * (totalEpochs - epoch) });
    },
  });
  if (model === null || report.cancelled) return err({ code: 'cancelled', message: 'training cancelled before the final classifier was trained' });
  try {
    const ruleBaseline = rulesBaseline(db, spec.sourceIds, data.flowIds, data.y);
    const m = report.ensemble;
    const evaluation: ClassifyEvaluation = {
      flows: data.y.length, folds: report.folds, classes: m.labels,
      perClass: m.perClass.map((c) => ({ label: c.label, support: c.support, precision: c.precision, recall: c.recall, f1: c.f1 })),
      macroF1: folds === 0 ? null : m.macroF1, accuracy: folds === 0 ? null : m.accuracy, confusion: folds === 0 ? [] : m.confusion,
      importance: report.importance ?? [], rulesBaselineMacroF1: ruleBaseline, labelSources: data.labelSources,
    };
    const full: Record<string, unknown> = {
      formatVersion: REPORT_VERSION,
      task: 'classify',
      sources: spec.sourceIds.map((id) => {
        const s = sources.get(id);
        return s === undefined ? { id } : { id, kind: s.kind, displayName: s.displayName, path: s.path, size: s.size, headSha256: s.headSha256, analyzer: s.analyzer };
      }),
      evaluation,
      members: { net: report.net.macroF1, forest: report.forest?.macroF1 ?? null },
      foldGroups: report.foldGroups,
      settings: report.settings,
      history,
      durations: { totalSeconds: (performance.now() - t0) / 1000 },
      createdAt: new Date().toISOString(),
    };
    await saveFlowClassifier(tf, model, spec.dir, full);
    return ok({ dir: spec.dir, evaluation, report: full, history, stoppedBy: 'epochs' });
  } finally {
    model.net.dispose();
  }
}

/** Macro-F1 of the label rules alone against the training labels (unknown by rule = wrong). */
function rulesBaseline(db: Database.Database, sourceIds: readonly number[], flowIds: Int32Array, y: Int32Array): number | null {
  if (y.length === 0) return null;
  const match = compileRules(new LabelsRepo(db).rules());
  const ruleOf = new Map<number, number>();
  for (const sid of sourceIds) {
    const flows = readSourceFlows(db, sid);
    const names = resolvedNames(flows);
    for (const f of flows) {
      if (f.segment !== 0) continue;
      ruleOf.set(f.id, (TRAFFIC_CLASSES as readonly string[]).indexOf(match({ ...f, resolved_name: names.get(f.server_addr) ?? null }).label));
    }
  }
  const predicted = Int32Array.from(flowIds, (id) => ruleOf.get(id) ?? -1);
  return classifyMetrics(TRAFFIC_CLASSES, y, predicted).macroF1;
}

/** Loads a classify model folder (errors name the file and field). */
export function loadClassifier(tf: Tf, dir: string): Promise<Result<FlowClassifier>> {
  return loadFlowClassifier(tf, dir);
}

/** Predicted label and confidence of every flow record of a source. */
export function classifySourceFlows(db: Database.Database, model: FlowClassifier, sourceId: number): { flowIds: number[]; labels: TrafficClass[]; confidence: number[] } {
  const flows = readSourceFlows(db, sourceId);
  const r = scoreRows(model, rawFeatures(flows), flows.length);
  return { flowIds: flows.map((f) => f.id), ...r };
}

/** Predicted label and confidence of flow behaviours (missing statistics count as zeros). */
export function classifyBehaviours(model: FlowClassifier, flows: readonly FlowBehaviour[]): { labels: TrafficClass[]; confidence: number[] } {
  return scoreRows(model, rawFeatures(flows.map(toBehaviourInput)), flows.length);
}

function scoreRows(model: FlowClassifier, raw: Float32Array, m: number): { labels: TrafficClass[]; confidence: number[] } {
  const { label, confidence } = classifyRaw(model, raw, m);
  const classes = model.preprocessing.classes;
  return {
    labels: Array.from(label, (c) => (classes[c] ?? 'other') as TrafficClass),
    confidence: Array.from(confidence),
  };
}

const ZERO_STATS: SeriesStats = { min: 0, mean: 0, max: 0, std: 0 };

/** A contract FlowBehaviour as the feature extractor reads it. */
export function toBehaviourInput(f: FlowBehaviour): BehaviourInput {
  return {
    proto: f.proto, ip_version: 4, first_ts: 0, last_ts: f.duration, duration: f.duration,
    fwd_packets: f.fwd_packets, bwd_packets: f.bwd_packets, fwd_bytes: f.fwd_bytes, bwd_bytes: f.bwd_bytes,
    fwd_header_bytes: f.fwd_header_bytes ?? 0, bwd_header_bytes: f.bwd_header_bytes ?? 0,
    pkt_len: f.pkt_len ?? ZERO_STATS, fwd_pkt_len: f.fwd_pkt_len ?? ZERO_STATS, bwd_pkt_len: f.bwd_pkt_len ?? ZERO_STATS,
    iat: f.iat ?? ZERO_STATS, fwd_iat: f.fwd_iat ?? ZERO_STATS, bwd_iat: f.bwd_iat ?? ZERO_STATS,
    syn_count: f.syn_count ?? 0, fin_count: f.fin_count ?? 0, rst_count: f.rst_count ?? 0, psh_count: f.psh_count ?? 0,
    ack_count: f.ack_count ?? 0, urg_count: f.urg_count ?? 0, handshake_rtt: f.handshake_rtt ?? null,
    end_reason: 'end_of_capture', segment: 0, early_packets: f.early_packets,
  };
}

/** Checks a classify folder without loading the net (preprocessing.json and report.json); errors name the file and field. */
export function checkClassifyFolder(dir: string): Result<{ report: Readonly<Record<string, unknown>>; resolution: null }> {
  const docs: Record<string, Record<string, unknown>> = {};
  for (const f of ['preprocessing.json', 'report.json']) {
    const path = join(dir, f);
    try {
      const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return err({ code: 'corrupt', message: `${path}: not a JSON object` });
      docs[f] = v as Record<string, unknown>;
    } catch (e) {
      return err({ code: 'corrupt', message: `${path}: not valid JSON: ${(e as Error).message}` });
    }
  }
  const prep = checkEnsemblePreprocessing(docs['preprocessing.json'], join(dir, 'preprocessing.json'));
  if (!prep.ok) return prep;
  const report = docs['report.json'] ?? {};
  if (report['formatVersion'] !== REPORT_VERSION) {
    return err({ code: 'unsupported', message: `${join(dir, 'report.json')}: formatVersion ${JSON.stringify(report['formatVersion'] ?? null)}, this Flowbench reads ${REPORT_VERSION}` });
  }
  return ok({ report, resolution: null });
}
