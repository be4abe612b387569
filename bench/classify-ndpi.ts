/**
 * `npm run bench:classify`: the behaviour-only flow classifier on the corpus's application
 * captures with nDPI's verdicts (corpus/truth/ndpi/*.out, both two-way `<->` and one-way `->`
 * flow lines) as ground truth, matched to Flowbench flows by unordered 5-tuple.
 *
 * Ground truth is nDPI's category (issue 6 Targets: the categories with >= 30 flows — Web,
 * Network, Download, VoIP, System, Crypto_Currency, Chat, Cloud, Streaming, SocialNetwork,
 * Video, VPN, Collaborative; flows of smaller categories are left out). Reported in one run:
 * - rules-only baseline on the same flows and folds: the default label rules give a traffic
 *   class, mapped to the nDPI category most frequent for that rule label in the training folds;
 * - behaviour-only classifier (classifier.ts: TensorFlow.js MLP + random forest, and each member
 *   alone), k-fold cross-validation grouped by capture file (no file in both train and test);
 * - the classic view on Flowbench's traffic classes (bench/ndpi-truth.ts mapping), rules-only;
 * - flows/s classified in batch (features + scaling + predict + arg-max over 100 000 flows;
 *   the median of 3 timed runs after a warm-up).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAFFIC_CLASSES } from '../src-shared/classify-api.js';
import { ingestFile } from '../src-main/analysis/ingest-pipeline.js';
import { classifyMetrics, groupedFolds } from '../src-main/ml/classify/classify-eval.js';
import type { ClassifyMetrics } from '../src-main/ml/classify/classify-eval.js';
import { classifyRaw, trainFlowClassifier } from '../src-main/ml/classify/classifier.js';
import { readSourceFlows } from '../src-main/ml/classify/flow-dataset.js';
import { rawFeatures } from '../src-main/ml/classify/flow-features.js';
import { compileRules, defaultRuleList, resolvedNames } from '../src-main/ml/classify/traffic-rules.js';
import { loadTf } from '../src-main/ml/tf-backend.js';
import type { StoredFlow } from '../src-main/store/flows-repo.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import { corpusDir } from './bench-paths.js';
import { flowKey, ndpiTrafficClass } from './ndpi-truth.js';

const FOLDS = Number(process.env['CLASSIFY_FOLDS'] ?? 5);
const SEED = Number(process.env['CLASSIFY_SEED'] ?? 42);
const MIN_FLOWS = 30;
const BATCH_FLOWS = 100_000;
const BATCH_RUNS = 3;
const LINE = /^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+\[proto:\s*([^\]]+)\].*?\[cat:\s*([^/\]]+)\//;

function endpoint(s: string): string {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  return m === null ? s.toLowerCase() : `${(m[1] ?? '').toLowerCase()}|${m[2] ?? ''}`;
}

/** nDPI verdicts of one .out file by unordered 5-tuple: protocol and category (first line per 5-tuple). */
function parseVerdicts(text: string): Map<string, { proto: string; category: string }> {
  const out = new Map<string, { proto: string; category: string }>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, l4 = '', a = '', b = '', proto = '', category = ''] = m;
    const [ea, eb] = [endpoint(a), endpoint(b)];
    const key = ea < eb ? `${l4} ${ea} ${eb}` : `${l4} ${eb} ${ea}`;
    if (!out.has(key)) out.set(key, { proto, category: category.trim() });
  }
  return out;
}

function table(m: ClassifyMetrics): string {
  const rows = m.perClass.filter((c) => c.support > 0 || c.predicted > 0)
    .map((c) => `  ${c.label.padEnd(16)} ${String(c.support).padStart(6)} ${c.precision.toFixed(3).padStart(9)} ${c.recall.toFixed(3).padStart(7)} ${c.f1.toFixed(3).padStart(6)}`);
  return [`  ${'class'.padEnd(16)} ${'flows'.padStart(6)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}`, ...rows].join('\n');
}

function confusion(m: ClassifyMetrics): string {
  const used = m.labels.map((_, i) => i).filter((i) => (m.perClass[i]?.support ?? 0) > 0 || (m.perClass[i]?.predicted ?? 0) > 0);
  const head = `  ${'truth \\ pred'.padEnd(16)}${used.map((i) => (m.labels[i] ?? '').slice(0, 6).padStart(7)).join('')}`;
  return [head, ...used.map((t) => `  ${(m.labels[t] ?? '').padEnd(16)}${used.map((p) => String(m.confusion[t]?.[p] ?? 0).padStart(7)).join('')}`)].join('\n');
}

interface Row {
  readonly flow: StoredFlow;
  readonly category: string;
  readonly traffic: string;
  readonly group: number;
  readonly resolved: string | null;
}

async function loadCorpus(dbPath: string): Promise<{ rows: Row[]; files: number; close: () => void }> {
  const ws = openWorkspace(dbPath);
  if (!ws.ok) throw new Error(ws.error.message);
  const db = ws.value.db;
  const truthDir = join(corpusDir, 'truth', 'ndpi');
  const rows: Row[] = [];
  let files = 0;
  for (const out of readdirSync(truthDir).filter((f) => f.endsWith('.out')).sort()) {
    const pcap = join(corpusDir, 'pcap', `ndpi__${out.slice(0, -'.out'.length)}`);
    if (!existsSync(pcap)) continue;
    const verdicts = parseVerdicts(readFileSync(join(truthDir, out), 'utf8'));
    if (verdicts.size === 0) continue;
    const r = await ingestFile(db, pcap);
    if (!r.ok) {
      process.stdout.write(`skip ${pcap}: ${r.error.message}\n`);
      continue;
    }
    files++;
    const sourceFlows = readSourceFlows(db, r.value.sourceId);
    const names = resolvedNames(sourceFlows);
    for (const f of sourceFlows) {
      if (f.segment !== 0) continue;
      const v = verdicts.get(flowKey(f.proto, f.client_addr, f.client_port, f.server_addr, f.server_port));
      if (v === undefined) continue;
      rows.push({ flow: f, category: v.category, traffic: ndpiTrafficClass(v.proto, v.category), group: r.value.sourceId, resolved: names.get(f.server_addr) ?? null });
    }
  }
  return { rows, files, close: () => ws.value.close() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-classify-bench-'));
  try {
    const { rows: all, files, close } = await loadCorpus(join(dir, 'w.flowbench'));
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.category, (counts.get(r.category) ?? 0) + 1);
    const classes = [...counts.entries()].filter(([, n]) => n >= MIN_FLOWS).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
    const rows = all.filter((r) => classes.includes(r.category));
    const y = Int32Array.from(rows, (r) => classes.indexOf(r.category));
    const groups = Int32Array.from(rows, (r) => r.group);
    process.stdout.write(`data: ${files} capture files, ${all.length} Flowbench flows matched to nDPI verdicts by 5-tuple; ${rows.length} in the ${classes.length} categories with >= ${MIN_FLOWS} flows\n`);
    process.stdout.write(`classes (flows, files, share in the largest file): ${classes.map((c, i) => {
      const per = new Map<number, number>();
      rows.forEach((r, j) => { if (y[j] === i) per.set(r.group, (per.get(r.group) ?? 0) + 1); });
      const n = counts.get(c) ?? 0;
      return `${c} ${n}/${per.size}/${Math.round((100 * Math.max(...per.values())) / n)}%`;
    }).join(', ')}\n\n`);

    // Rules-only baseline on the nDPI categories: rule label → most frequent category in the training folds.
    const match = compileRules(defaultRuleList());
    const ruleLabel = rows.map((r) => match({ ...r.flow, resolved_name: r.resolved }).label);
    const folds = groupedFolds(groups, FOLDS, SEED);
    const rulePred = new Int32Array(rows.length).fill(-1);
    for (const fold of folds) {
      const tally = new Map<string, number[]>();
      for (const i of fold.train) {
        const t = tally.get(ruleLabel[i] ?? '') ?? new Array<number>(classes.length).fill(0);
        t[y[i] ?? 0] = (t[y[i] ?? 0] ?? 0) + 1;
        tally.set(ruleLabel[i] ?? '', t);
      }
      for (const i of fold.test) {
        const t = tally.get(ruleLabel[i] ?? '');
        rulePred[i] = t === undefined ? 0 : t.indexOf(Math.max(...t));
      }
    }
    const rules = classifyMetrics(classes, y, rulePred);
    process.stdout.write(`rules-only baseline (default rules → nDPI category by training-fold majority), ${folds.length}-fold grouped by file: macro-F1 ${rules.macroF1.toFixed(3)}, accuracy ${rules.accuracy.toFixed(3)}\n${table(rules)}\n\n`);

    // Behaviour-only classifier, k-fold grouped by capture file.
    const loaded = await loadTf();
    const { tf } = loaded;
    const data = { raw: rawFeatures(rows.map((r) => r.flow)), y, groups, classes };
    const t0 = performance.now();
    const { model, report } = await trainFlowClassifier(tf, data, { seed: SEED, folds: FOLDS, importance: process.env['CLASSIFY_IMPORTANCE'] === '1' });
    const seconds = (performance.now() - t0) / 1000;
    if (model === null) throw new Error('training was cancelled');
    process.stdout.write(`behaviour-only ensemble (MLP on ${loaded.backend} + random forest), ${report.folds}-fold CV grouped by file, ${seconds.toFixed(1)} s with the final model: macro-F1 ${report.ensemble.macroF1.toFixed(3)}, accuracy ${report.ensemble.accuracy.toFixed(3)}\n${table(report.ensemble)}\n\n`);
    process.stdout.write(`  members alone: MLP macro-F1 ${report.net.macroF1.toFixed(3)}, random forest macro-F1 ${report.forest?.macroF1.toFixed(3) ?? '-'}\n\n`);
    process.stdout.write(`confusion of the ensemble (out-of-fold):\n${confusion(report.ensemble)}\n\n`);
    if (report.importance !== null) {
      process.stdout.write(`permutation importance (mean macro-F1 drop), top 10:\n${report.importance.slice(0, 10).map((i) => `  ${i.feature.padEnd(24)} ${i.drop.toFixed(4)}`).join('\n')}\n\n`);
    }

    // Classic view: rules against nDPI mapped to Flowbench's traffic classes, all matched flows.
    const tTruth = Int32Array.from(all, (r) => TRAFFIC_CLASSES.indexOf(r.traffic as (typeof TRAFFIC_CLASSES)[number]));
    const tPred = Int32Array.from(all, (r) => {
      const l = match({ ...r.flow, resolved_name: r.resolved }).label;
      return TRAFFIC_CLASSES.indexOf(l === 'unknown' ? 'other' : l);
    });
    const classic = classifyMetrics(TRAFFIC_CLASSES, tTruth, tPred);

    // Batch scoring: features + scaling + predict + arg-max over 100 000 flows (corpus flows repeated).
    const batch = Array.from({ length: BATCH_FLOWS }, (_, i) => (rows[i % rows.length] as Row).flow);
    const run = (): { n: number; featureMs: number } => {
      const a = performance.now();
      const raw = rawFeatures(batch);
      const featureMs = performance.now() - a;
      return { n: classifyRaw(model, raw, batch.length).label.length, featureMs };
    };
    // One warm-up run, then the median of BATCH_RUNS timed runs by wall time: on a core shared
    // with other work a single run swings by ±30 %.
    run();
    const timed = Array.from({ length: BATCH_RUNS }, () => {
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      const r = run();
      const ms = performance.now() - t1;
      const cpu = process.cpuUsage(c1);
      return { ...r, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
    }).sort((a, b) => a.ms - b.ms);
    const { n, featureMs, ms, cpuMs } = timed[Math.floor(BATCH_RUNS / 2)] as (typeof timed)[number];
    const perSecond = n / (ms / 1000);
    model.net.dispose();

    const mark = (ok: boolean): string => (ok ? '(meets target)' : '(MISSES target)');
    process.stdout.write('summary\n');
    process.stdout.write(`  macro-F1 behaviour-only, nDPI categories, grouped by file  ${report.ensemble.macroF1.toFixed(3)}   target >= 0.6 ${mark(report.ensemble.macroF1 >= 0.6)}\n`);
    process.stdout.write(`  macro-F1 rules-only baseline, same flows and folds          ${rules.macroF1.toFixed(3)}\n`);
    process.stdout.write(`  macro-F1 rules-only, Flowbench traffic classes (${all.length} flows) ${classic.macroF1.toFixed(3)}\n`);
    process.stdout.write(`  flows/s classified in batch (${n} flows, median of ${BATCH_RUNS} runs ${ms.toFixed(0)} ms wall, features ${featureMs.toFixed(0)} ms)  ${Math.round(perSecond).toLocaleString('en')}   target >= 100 000 ${mark(perSecond >= 100_000)}\n`);
    process.stdout.write(`  the same per CPU second of this process (${cpuMs.toFixed(0)} ms CPU; wall includes waiting for a shared core)  ${Math.round(n / (cpuMs / 1000)).toLocaleString('en')}\n`);
    close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
