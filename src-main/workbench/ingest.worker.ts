/**
 * Ingest worker (worker_threads): runs ingestFile for one file on its own connection to the
 * workspace (WAL lets it write while the workbench reads), reports progress, and aborts
 * cooperatively on a cancel message (the rows so far are kept, the source is partial).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { openWorkspace } from '../store/workspace.js';
import type { FromIngestWorker, IngestWorkerData } from './ingest-messages.js';
import { isToIngestWorker } from './ingest-messages.js';

async function run(port: NonNullable<typeof parentPort>, data: IngestWorkerData): Promise<void> {
  const post = (m: FromIngestWorker): void => port.postMessage(m);
  const controller = new AbortController();
  port.on('message', (m: unknown) => {
    if (isToIngestWorker(m)) controller.abort();
  });
  const ws = openWorkspace(data.workspacePath);
  if (!ws.ok) {
    post({ type: 'done', result: ws });
    return;
  }
  const db = ws.value.db;
  const file = resolve(data.path);
  // The source row appears once ingestFile has started it; look it up on the first progress.
  const findSource = db.prepare<[string, number], { id: number }>(
    "SELECT id FROM sources WHERE path = ? AND status = 'ingesting' AND ingest_pid = ? ORDER BY id DESC LIMIT 1",
  );
  let sourceKnown = false;
  try {
    const result = await ingestFile(db, file, {
      signal: controller.signal,
      force: data.force,
      onProgress: (progress) => {
        if (!sourceKnown) {
          const row = findSource.get(file, process.pid);
          if (row !== undefined) {
            sourceKnown = true;
            post({ type: 'source', sourceId: row.id });
          }
        }
        post({ type: 'progress', progress });
      },
    });
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'done', result: { ok: false, error: { code: 'internal', message: `${file}: ingest failed: ${(e as Error).message}` } } });
  } finally {
    ws.value.close();
    port.close();
  }
}

if (parentPort !== null) void run(parentPort, workerData as IngestWorkerData);
