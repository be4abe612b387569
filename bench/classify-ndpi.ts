/**
 * `npm run bench:classify`: the behaviour-only flow classifier on the corpus's application
 * captures with nDPI's verdicts (corpus/truth/ndpi/*.out) as ground truth, mapped to traffic
 * classes (bench/ndpi-truth.ts) and matched to Flowbench flows by unordered 5-tuple.
 * Reports macro-F1 under k-fold cross-validation grouped by capture file, beside the rules-only
 * baseline (default label rules; 'unknown' counts as 'other'), and flows/s classified in batch.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAFFIC_CLASSES } from '../src-shared/classify-api.js';
import type { TrafficClass } from '../src-shared/classify-api.js';
import { ingestFile } from '../src-main/analysis/ingest-pipeline.js';
import { classifyMetrics } from '../src-main/ml/classify/classify-eval.js';
import type { ClassifyMetrics } from '../src-main/ml/classify/classify-eval.js';
import { argmaxRows, DEFAULT_CLASSIFIER, denseLayers, forwardProbabilities } from '../src-main/ml/classify/classify-model.js';
import { crossValidate, fitOn } from '../src-main/ml/classify/classify-train.js';
import { rawFeatures, scaleRows } from '../src-main/ml/classify/flow-features.js';
import { readSourceFlows } from '../src-main/ml/classify/flow-dataset.js';
import { compileRules, defaultRuleList, resolvedNames } from '../src-main/ml/classify/traffic-rules.js';
import { loadTf } from '../src-main/ml/tf-backend.js';
import type { StoredFlow } from '../src-main/store/flows-repo.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { corpusDir } from './bench-paths.js';
import { flowKey, parseNdpiOut } from './ndpi-truth.js';

const FOLDS = Number(process.env['CLASSIFY_FOLDS'] ?? 5);
const BATCH_FLOWS = 100_000;

function table(m: ClassifyMetrics): string {
  const rows = m.perClass.filter((c) => c.support > 0 || c.predicted > 0)
    .map((c) => `  ${c.label.padEnd(14)} ${String(c.support).padStart(6)} ${c.precision.toFixed(3).padStart(9)} ${c.recall.toFixed(3).padStart(7)} ${c.f1.toFixed(3).padStart(6)}`);
  return [`  ${'class'.padEnd(14)} ${'flows'.padStart(6)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}`, ...rows].join('\n');
}

function confusion(m: ClassifyMetrics): string {
  const used = m.labels.map((_, i) => i).filter((i) => (m.perClass[i]?.support ?? 0) > 0 || (m.perClass[i]?.predicted ?? 0) > 0);
  const head = `  ${'truth \\ pred'.padEnd(14)}${used.map((i) => (m.labels[i] ?? '').slice(0, 6).padStart(7)).join('')}`;
  return [head, ...used.map((t) => `  ${(m.labels[t] ?? '').padEnd(14)}${used.map((p) => String(m.confusion[t]?.[p] ?? 0).padStart(7)).join('')}`)].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-classify-bench-'));
  try {
    const ws = openWorkspace(join(dir, 'w.flowbench'));
    if (!ws.ok) throw new Error(ws.error.message);
    const db = ws.value.db;
    const truthDir = join(corpusDir, 'truth', 'ndpi');
    const flows: StoredFlow[] = [];
    const truth: TrafficClass[] = [];
    const groups: number[] = [];
    const resolved: (string | null)[] = [];
    let files = 0;
    let unmatched = 0;
    for (const out of readdirSync(truthDir).filter((f) => f.endsWith('.out')).sort()) {
      const pcap = join(corpusDir, 'pcap', `ndpi__${out.slice(0, -'.out'.length)}`);
      if (!existsSync(pcap)) continue;
      const verdicts = parseNdpiOut(readFileSync(join(truthDir, out), 'utf8'));
      if (verdicts.size === 0) continue;
      const r = await ingestFile(db, pcap);
      if (!r.ok) {
        process.stdout.write(`skip ${pcap}: ${r.error.message}\n`);
        continue;
      }
      files++;
      let matchedHere = 0;
      const sourceFlows = readSourceFlows(db, r.value.sourceId);
      const names = resolvedNames(sourceFlows);
      for (const f of sourceFlows) {
        if (f.segment !== 0) continue;
        const v = verdicts.get(flowKey(f.proto, f.client_addr, f.client_port, f.server_addr, f.server_port));
        if (v === undefined) continue;
        flows.push(f);
        truth.push(v.traffic);
        groups.push(r.value.sourceId);
        resolved.push(names.get(f.server_addr) ?? null);
        matchedHere++;
      }
      unmatched += Math.max(0, verdicts.size - matchedHere);
    }
    const y = Int32Array.from(truth, (t) => TRAFFIC_CLASSES.indexOf(t));
    process.stdout.write(`data: ${files} capture files, ${flows.length} flows matched to nDPI verdicts by 5-tuple (${unmatched} nDPI TCP/UDP flows unmatched)\n`);
    process.stdout.write(`classes: ${TRAFFIC_CLASSES.map((c, i) => `${c} ${y.filter((v) => v === i).length}`).join(', ')}\n\n`);

    // Rules-only baseline: the default label rules (ports, SNI, DNS names).
    const match = compileRules(defaultRuleList());
    const rulePred = Int32Array.from(flows, (f, i) => {
      const l = match({ ...f, resolved_name: resolved[i] ?? null }).label;
      return TRAFFIC_CLASSES.indexOf(l === 'unknown' ? 'other' : l);
    });
    const rules = classifyMetrics(TRAFFIC_CLASSES, y, rulePred);
    process.stdout.write(`rules-only baseline (default rules, unknown → other): macro-F1 ${rules.macroF1.toFixed(3)}, accuracy ${rules.accuracy.toFixed(3)}\n${table(rules)}\n\n`);

    // Behaviour-only classifier, k-fold grouped by capture file.
    const loaded = await loadTf();
    const { tf } = loaded;
    const data = { raw: rawFeatures(flows), y, groups: Int32Array.from(groups), classes: TRAFFIC_CLASSES };
    const t0 = performance.now();
    const cv = await crossValidate(tf, data, FOLDS, DEFAULT_CLASSIFIER, {}, process.env['CLASSIFY_IMPORTANCE'] === '1');
    const cvSeconds = (performance.now() - t0) / 1000;
    process.stdout.write(`behaviour-only MLP (backend ${loaded.backend}), ${cv.folds}-fold CV grouped by file, ${cvSeconds.toFixed(1)} s: macro-F1 ${cv.metrics.macroF1.toFixed(3)}, accuracy ${cv.metrics.accuracy.toFixed(3)}\n${table(cv.metrics)}\n\nconfusion (out-of-fold):\n${confusion(cv.metrics)}\n\n`);
    if (cv.importance !== null) {
      process.stdout.write(`permutation importance (mean macro-F1 drop), top 10:\n${cv.importance.slice(0, 10).map((i) => `  ${i.feature.padEnd(24)} ${i.drop.toFixed(4)}`).join('\n')}\n\n`);
    }

    // Batch scoring: features + scaling + predict + arg-max over 100 000 flows (corpus flows repeated).
    const all = Int32Array.from({ length: flows.length }, (_, i) => i);
    const { model, scalers } = await fitOn(tf, data, all, { ...DEFAULT_CLASSIFIER, epochs: 3 }, { fold: 0, folds: 0 });
    const batch = Array.from({ length: BATCH_FLOWS }, (_, i) => flows[i % flows.length] as StoredFlow);
    const layers = denseLayers(model);
    const run = (): number => {
      const x = scaleRows(rawFeatures(batch), scalers);
      return argmaxRows(forwardProbabilities(layers, x, batch.length), TRAFFIC_CLASSES.length).label.length;
    };
    run();
    const t1 = performance.now();
    const n = run();
    const perSecond = n / ((performance.now() - t1) / 1000);
    model.dispose();

    const mark = (ok: boolean): string => (ok ? '(meets target)' : '(MISSES target)');
    process.stdout.write('summary\n');
    process.stdout.write(`  macro-F1 behaviour-only (grouped by file) ${cv.metrics.macroF1.toFixed(3)}   target >= 0.6 ${mark(cv.metrics.macroF1 >= 0.6)}\n`);
    process.stdout.write(`  macro-F1 rules-only baseline              ${rules.macroF1.toFixed(3)}\n`);
    process.stdout.write(`  flows/s classified in batch               ${Math.round(perSecond).toLocaleString('en')}   target >= 100 000 ${mark(perSecond >= 100_000)}\n`);
    ws.value.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
