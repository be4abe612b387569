/**
 * Labelled flow datasets from the workspace: every first-segment flow of the chosen sources,
 * labelled by the user where the user did, else by the workspace's label rules; flows neither
 * labels ('unknown') are left out. The source is the group of the grouped split.
 */
import type Database from 'better-sqlite3';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import type { FlowLabel } from '../../../src-shared/classify-api.js';
import { FlowsRepo } from '../../store/flows-repo.js';
import type { StoredFlow } from '../../store/flows-repo.js';
import { LabelsRepo } from '../../store/labels-repo.js';
import { rawFeatures } from './flow-features.js';
import type { LabelledData } from './classify-train.js';
import { compileRules, resolvedNames } from './traffic-rules.js';

/** Every flow record of a source (interim segments included), in time order. */
export function readSourceFlows(db: Database.Database, sourceId: number): StoredFlow[] {
  const repo = new FlowsRepo(db);
  const out: StoredFlow[] = [];
  let after: { first_ts: number; id: number } | undefined;
  for (;;) {
    const page = repo.page(sourceId, {}, { limit: 5000, ...(after === undefined ? {} : { after }) });
    out.push(...page);
    const last = page[page.length - 1];
    if (last === undefined || page.length < 5000) return out;
    after = { first_ts: last.first_ts, id: last.id };
  }
}

/** A workspace dataset with where each label came from. */
export interface WorkspaceDataset extends LabelledData {
  readonly flowIds: Int32Array;
  readonly labelSources: { readonly user: number; readonly rule: number; readonly skippedUnknown: number };
}

/** Builds the dataset of these sources; classes are the traffic classes in their fixed order. */
export function workspaceDataset(db: Database.Database, sourceIds: readonly number[]): WorkspaceDataset {
  const labels = new LabelsRepo(db);
  const match = compileRules(labels.rules());
  const flows: StoredFlow[] = [];
  const y: number[] = [];
  const groups: number[] = [];
  let user = 0;
  let rule = 0;
  let skippedUnknown = 0;
  for (const sid of sourceIds) {
    const userLabels = labels.userLabels(sid);
    const sourceFlows = readSourceFlows(db, sid);
    const names = resolvedNames(sourceFlows);
    for (const f of sourceFlows) {
      if (f.segment !== 0) continue;
      const u = userLabels.get(f.id);
      const label: FlowLabel = u ?? match({ ...f, resolved_name: names.get(f.server_addr) ?? null }).label;
      if (u !== undefined) user++;
      const c = (TRAFFIC_CLASSES as readonly string[]).indexOf(label);
      if (c < 0) {
        skippedUnknown++;
        continue;
      }
      if (u === undefined) rule++;
      flows.push(f);
      y.push(c);
      groups.push(sid);
    }
  }
  return {
    raw: rawFeatures(flows), y: Int32Array.from(y), groups: Int32Array.from(groups), classes: TRAFFIC_CLASSES,
    flowIds: Int32Array.from(flows, (f) => f.id), labelSources: { user, rule, skippedUnknown },
  };
}
