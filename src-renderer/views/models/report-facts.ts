/**
 * Reads the facts the detail panel shows out of a model's report (a free-form record from the
 * host): lookback, horizon, features, split sizes, durations. Unknown shapes give nulls.
 */
import { formatEpoch } from '../../format/units.js';

/** What the detail panel lists about a run. */
export interface ReportFacts {
  readonly lookback: number | null;
  readonly horizon: number | null;
  readonly features: readonly string[];
  /** Split facts as label → value text (counts of windows or boundaries). */
  readonly split: readonly { readonly label: string; readonly value: number | string }[];
  readonly trainSeconds: number | null;
  readonly epochsRun: number | null;
  readonly stoppedEarly: boolean | null;
}

/** A split boundary in epoch seconds (from, to, trainEnd, valEnd…), not a count. */
function isEpoch(key: string, v: number): boolean {
  return v > 1e8 && /^(from|to|start|end)$|End$|Start$/i.test(key);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function obj(v: unknown): Readonly<Record<string, unknown>> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The first of `keys` found in any of the records, as a number. */
function pick(records: readonly (Readonly<Record<string, unknown>> | null)[], keys: readonly string[]): number | null {
  for (const r of records) {
    if (r === null) continue;
    for (const k of keys) {
      const v = num(r[k]);
      if (v !== null) return v;
    }
  }
  return null;
}

/** The facts of a report. */
export function reportFacts(report: Readonly<Record<string, unknown>>): ReportFacts {
  const pre = obj(report['preprocessing']);
  const training = obj(report['training']);
  const durations = obj(report['durations']);
  const where = [report, pre, training];
  const featuresRaw = report['features'] ?? pre?.['features'];
  const features = Array.isArray(featuresRaw) ? featuresRaw.map((f) => (typeof f === 'string' ? f : (obj(f)?.['name'] as string | undefined) ?? JSON.stringify(f))) : [];
  const splitObj = obj(report['split']) ?? obj(report['splits']);
  const split: { label: string; value: number | string }[] = [];
  if (splitObj !== null) {
    for (const [k, v] of Object.entries(splitObj)) {
      if (typeof v === 'number' && isEpoch(k, v)) split.push({ label: k, value: formatEpoch(v).slice(0, 19) });
      else if (typeof v === 'number' || typeof v === 'string') split.push({ label: k, value: v });
      else {
        const o = obj(v);
        if (o !== null) {
          const parts = Object.entries(o).filter(([, x]) => typeof x === 'number' || typeof x === 'string');
          if (parts.length > 0) split.push({ label: k, value: parts.map(([a, b]) => `${a} ${String(b)}`).join(', ') });
        }
      }
    }
  }
  const stopped = training?.['stoppedEarly'] ?? report['stoppedEarly'];
  return {
    lookback: pick(where, ['lookback', 'L']),
    horizon: pick(where, ['horizon', 'H']),
    features,
    split,
    trainSeconds: pick([durations, training, report], ['trainSeconds', 'training', 'train', 'trainingSeconds']),
    epochsRun: pick([training, report], ['epochsRun', 'epochs']),
    stoppedEarly: typeof stopped === 'boolean' ? stopped : null,
  };
}
