#!/usr/bin/env node
// Runs every *.test.ts under src-shared, src-main and test with Node's test runner (tsx loader).
// Usage: node scripts/run-tests.mjs [path-filter]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src-shared', 'src-main', 'test'];
const filter = process.argv[2] ?? '';
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules') walk(p); }
    else if (name.endsWith('.test.ts') && p.includes(filter)) files.push(p);
  }
}
roots.forEach(walk);
files.sort();
if (files.length === 0) { console.error(`no test files match "${filter}"`); process.exit(1); }
const r = spawnSync(process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit' });
process.exit(r.status ?? 1);
