/**
 * `labels.import`: user labels from a labelled CSV on the host (label-csv.ts), matched to flows
 * by flow id or by 5-tuple in either direction (every record of that 5-tuple: interim segments
 * and repeated connections too), optionally within one source. All or nothing: a fault in the
 * file stores no label.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LabelImportResult } from '../../src-shared/classify-api.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import type Database from 'better-sqlite3';
import { parseLabelCsv } from '../ml/classify/label-csv.js';
import type { LabelTarget } from '../ml/classify/label-csv.js';
import type { LabelsRepo } from '../store/labels-repo.js';

/** Largest label file read (a CSV of millions of rows fits). */
export const MAX_LABEL_FILE_BYTES = 256 * 1024 * 1024;
const UNMATCHED_LISTED = 20;

/** Reads, checks and applies a label file; the result counts matched and unmatched rows. */
export function importLabels(db: Database.Database, labels: LabelsRepo, path: string, sourceId: number | undefined): Result<LabelImportResult> {
  const name = basename(path);
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_LABEL_FILE_BYTES) return err({ code: 'invalid_argument', message: `${name}: ${size} bytes, over the limit of ${MAX_LABEL_FILE_BYTES}` });
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err({ code: code === 'ENOENT' ? 'not_found' : 'io_error', message: `${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}` });
  }
  const parsed = parseLabelCsv(text);
  if (!parsed.ok) return err({ code: parsed.error.code, message: `${name} ${parsed.error.message}` });
  const within = sourceId === undefined ? '' : ' AND source_id = ?';
  const scope = sourceId === undefined ? [] : [sourceId];
  const byId = db.prepare<unknown[], { id: number }>(`SELECT id FROM flows WHERE id = ?${within}`);
  // Two index searches (client_addr, server_addr), one per direction.
  const byTuple = db.prepare<unknown[], { id: number }>(
    `SELECT id FROM flows WHERE client_addr = ? AND server_addr = ? AND client_port = ? AND server_port = ? AND proto = ?${within}
     UNION SELECT id FROM flows WHERE client_addr = ? AND server_addr = ? AND client_port = ? AND server_port = ? AND proto = ?${within}`,
  );
  const find = (t: LabelTarget): number[] => {
    if (t.kind === 'id') return byId.all(t.flowId, ...scope).map((r) => r.id);
    return byTuple.all(t.src, t.dst, t.sport, t.dport, t.proto, ...scope, t.dst, t.src, t.dport, t.sport, t.proto, ...scope).map((r) => r.id);
  };
  let matchedRows = 0;
  const unmatchedLines: number[] = [];
  const labelled = new Set<number>();
  db.transaction(() => {
    for (const row of parsed.value) {
      const ids = find(row.target);
      if (ids.length === 0) {
        unmatchedLines.push(row.line);
        continue;
      }
      matchedRows++;
      for (const id of ids) {
        labels.setLabel(id, 'user', row.label);
        labelled.add(id);
      }
    }
  })();
  return ok({
    rows: parsed.value.length, matchedRows, unmatchedRows: unmatchedLines.length, flowsLabelled: labelled.size,
    unmatchedLines: unmatchedLines.slice(0, UNMATCHED_LISTED),
  });
}
