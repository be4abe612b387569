import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FlowsRepo } from '../src-main/store/flows-repo.js';
import { SourcesRepo } from '../src-main/store/sources-repo.js';
import { openWorkspace } from '../src-main/store/workspace.js';
import type { FlowRecord } from '../src-shared/flow-record.js';
import { ensureWorkDir, repoRoot } from './bench-paths.js';
import { detectRssProbe, runMeasured } from './measure.js';
import { syntheticFlows } from './synthetic-flows.js';

// `npm run bench:export [-- --flows N --format parquet|csv|jsonl]`: builds (or reuses) a
// workspace of N synthetic flows (default 1 M) written through FlowsRepo.insertMany, then runs
// `flowbench export --table flows` on it as a child process and prints rows/s and the child's
// peak RSS (GNU time or python3's rusage). A benchmark, not a test: only a failed export or a
// wrong row count fails the run.

interface Options {
  readonly flows: number;
  readonly format: 'parquet' | 'csv' | 'jsonl';
}

function parse(argv: readonly string[]): Options | string {
  let flows = 1_000_000;
  let format: Options['format'] = 'parquet';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--flows' && v !== undefined && /^\d+(k|M)?$/.test(v)) {
      flows = Number(v.replace(/[kM]$/, '')) * (v.endsWith('M') ? 1e6 : v.endsWith('k') ? 1e3 : 1);
      i++;
    } else if (a === '--format' && (v === 'parquet' || v === 'csv' || v === 'jsonl')) {
      format = v;
      i++;
    } else {
      return `usage: npm run bench:export -- [--flows N|Nk|NM] [--format parquet|csv|jsonl] (got ${a ?? ''})`;
    }
  }
  return { flows, format };
}

/**
 * Builds the workspace once per flow count (reused on later runs). A reused one is opened
 * read-write first, so migrations added since it was built apply (the export opens read-only).
 */
function buildWorkspace(path: string, flows: number): void {
  if (existsSync(path)) {
    const ws = openWorkspace(path);
    if (!ws.ok) throw new Error(ws.error.message);
    ws.value.close();
    return;
  }
  const started = performance.now();
  const ws = openWorkspace(`${path}.tmp`);
  if (!ws.ok) throw new Error(ws.error.message);
  const sourceId = new SourcesRepo(ws.value.db).create({ kind: 'file', path: null, displayName: `synthetic ${flows} flows` });
  const repo = new FlowsRepo(ws.value.db);
  let batch: FlowRecord[] = [];
  for (const f of syntheticFlows(flows)) {
    batch.push(f);
    if (batch.length === 20_000) {
      repo.insertMany(sourceId, batch);
      batch = [];
    }
  }
  repo.insertMany(sourceId, batch);
  ws.value.db.pragma('wal_checkpoint(TRUNCATE)');
  ws.value.close();
  rmSync(`${path}.tmp-wal`, { force: true });
  rmSync(`${path}.tmp-shm`, { force: true });
  // Renamed only when complete, so an interrupted build is never reused.
  renameSync(`${path}.tmp`, path);
  console.log(`built ${flows.toLocaleString('en-US')} flows in ${((performance.now() - started) / 1000).toFixed(1)} s: ${path}`);
}

function main(): number {
  const opts = parse(process.argv.slice(2));
  if (typeof opts === 'string') {
    console.error(opts);
    return 1;
  }
  const work = ensureWorkDir();
  const db = join(work, `export-${opts.flows}.flowbench`);
  buildWorkspace(db, opts.flows);
  const out = join(work, 'export-out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const probe = detectRssProbe();
  // The built CLI (npm run bench:export builds first); from sources through tsx otherwise.
  const built = join(repoRoot, 'dist', 'src-main', 'export', 'export-table.js');
  const cli = existsSync(built)
    ? [process.execPath, join(repoRoot, 'dist', 'src-main', 'cli', 'main.js')]
    : [process.execPath, '--import', 'tsx', join(repoRoot, 'src-main', 'cli', 'main.ts')];
  const m = runMeasured([...cli, 'export', '--format', opts.format, '--table', 'flows', '--db', db, '--out', out, '--json'], probe, work, 'export');
  if (m.exitCode !== 0) {
    console.error(`export failed (exit ${m.exitCode}): ${m.stderrTail}`);
    return 1;
  }
  const result = JSON.parse(m.stdout) as { rows: number; seconds: number; files: { path: string; rows: number }[] };
  if (result.rows !== opts.flows) {
    console.error(`export wrote ${result.rows} rows, expected ${opts.flows}`);
    return 1;
  }
  const rss = m.peakRssBytes === null ? 'unknown (no GNU time or python3)' : `${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(`flowbench export --format ${opts.format} --table flows: ${opts.flows.toLocaleString('en-US')} rows, ${result.files.length} file(s)`);
  console.log(`  export time ${result.seconds.toFixed(2)} s  →  ${Math.round(result.rows / result.seconds).toLocaleString('en-US')} rows/s`);
  console.log(`  process wall ${m.wallSeconds.toFixed(2)} s (with start-up), CPU ${m.cpuSeconds?.toFixed(2) ?? '?'} s, peak RSS ${rss}`);
  return 0;
}

process.exitCode = main();
