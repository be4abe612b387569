/** `app.info` and `sources.*`: what the workbench is, and the sources of its workspace. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok } from '../../src-shared/result.js';
import { captureAvailability } from './capture-jobs.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';
import { toSourceInfo } from './dto.js';

/** File name of the sample capture in the assets folder. */
export const SAMPLE_CAPTURE = 'sample-capture.pcap';

/** Handlers of app.info and sources.*. */
export function sourcesHandlers(
  ctx: WorkbenchContext,
): HandlerGroup<'app.info' | 'sources.list' | 'sources.get' | 'sources.open' | 'sources.openSample' | 'sources.remove'> {
  const info = (id: number) => {
    const row = ctx.sources.get(id);
    return row === undefined ? undefined : toSourceInfo(row, ctx.sources.warnings(id));
  };
  return {
    'app.info': () =>
      ok({
        version: packageVersion(),
        host: ctx.host,
        workspacePath: ctx.workspace.path,
        hasSample: existsSync(join(ctx.assetsDir, SAMPLE_CAPTURE)),
        capture: captureAvailability(),
      }),
    'sources.list': () => ok(ctx.sources.list().map((r) => toSourceInfo(r, ctx.sources.warnings(r.id)))),
    'sources.get': ({ sourceId }) => {
      const s = info(sourceId);
      return s === undefined ? err({ code: 'not_found', message: `sourceId: no source ${sourceId}` }) : ok(s);
    },
    'sources.open': ({ path, force }) => ok({ jobId: ctx.ingest.enqueue(path, force === true) }),
    'sources.openSample': () => {
      const sample = join(ctx.assetsDir, SAMPLE_CAPTURE);
      if (!existsSync(sample)) return err({ code: 'not_found', message: `${sample}: the sample capture is not installed` });
      return ok({ jobId: ctx.ingest.enqueue(sample, false, 'sample capture') });
    },
    'sources.remove': ({ sourceId }) => {
      const row = ctx.sources.get(sourceId);
      if (row === undefined) return err({ code: 'not_found', message: `sourceId: no source ${sourceId}` });
      if (ctx.jobs.busy(sourceId) || row.status === 'ingesting') {
        return err({ code: 'invalid_argument', message: `sourceId: source ${sourceId} is still being written; cancel its job first` });
      }
      ctx.sources.delete(sourceId);
      ctx.emit('sources.changed', { sourceId });
      return ok(null);
    },
  };
}

let version: string | undefined;

/** Version from the nearest flowbench package.json above this file (src-main or dist). */
function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === 'flowbench' && typeof parsed.version === 'string') return (version = parsed.version);
    }
    const parent = dirname(dir);
    if (parent === dir) return (version = 'unknown');
    dir = parent;
  }
}

/** The repository (or installed package) root: the folder of flowbench's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src-shared'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    dir = parent;
  }
}
