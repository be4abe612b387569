/**
 * Ingest worker (worker_threads): runs ingestFile for one file on its own connection to the
 * workspace (WAL lets it write while the workbench reads), reports progress, and aborts
 * cooperatively on a cancel message (the rows so far are kept, the source is partial).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import { ingestFile, type IngestOutcome } from '../analysis/ingest-pipeline.js';
import { importSeries, isSeriesFile } from '../ingest/series-import.js';
import type { AppError, Result } from '../../src-shared/result.js';
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
    if (isSeriesFile(file)) {
      post({ type: 'done', result: await importSeriesFile(db, file, data.force, controller.signal, post) });
      return;
    }
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

/** A metric series (NAB CSV, JSONL windows) becomes a `series` source; its rows count as packets. */
async function importSeriesFile(
  db: Parameters<typeof importSeries>[0],
  file: string,
  force: boolean,
  signal: AbortSignal,
  post: (m: FromIngestWorker) => void,
): Promise<Result<IngestOutcome, AppError>> {
  const started = performance.now();
  const r = await importSeries(db, file, {
    signal,
    force,
    onProgress: ({ rows, bytes, totalBytes }) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? bytes / seconds : 0;
      post({
        type: 'progress',
        progress: {
          bytesDone: bytes, bytesTotal: totalBytes, packets: rows, packetsPerSecond: seconds > 0 ? rows / seconds : 0,
          etaSeconds: rate > 0 ? (totalBytes - bytes) / rate : null,
        },
      });
    },
  });
  if (!r.ok) {
    if (r.error.sourceId !== null) post({ type: 'source', sourceId: r.error.sourceId });
    return { ok: false, error: { code: r.error.code, message: r.error.message } };
  }
  post({ type: 'source', sourceId: r.value.sourceId });
  return {
    ok: true,
    value: {
      sourceId: r.value.sourceId, file, packets: r.value.windows, complete: true, reused: r.value.reused,
      cancelled: false, damaged: false, warnings: [],
    },
  };
}

if (parentPort !== null) void run(parentPort, workerData as IngestWorkerData);
