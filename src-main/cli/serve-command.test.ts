import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/corpus-paths.js';

// `flowbench serve` as a process: prints where it serves (the real port for --port 0), answers,
// and stops cleanly on SIGTERM.

test('flowbench serve --port 0 prints the real port, serves, and stops on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-serve-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'w.db');
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(repoRoot, 'src-main', 'cli', 'main.ts'), 'serve', '--port', '0', '--db', db], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let errText = '';
  child.stderr.on('data', (d: Buffer) => { errText += d.toString(); });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${errText}`)));
  });
  const m = /^Flowbench serving http:\/\/127\.0\.0\.1:(\d+)\/ \(workspace (.+)\)$/.exec(line);
  assert.ok(m !== null, line);
  assert.ok(Number(m[1]) > 0);
  assert.equal(m[2], db);
  assert.ok(existsSync(db));
  const health = await fetch(`http://127.0.0.1:${m[1]}/api/health`);
  assert.equal(health.status, 200);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(errText, /stopped \(SIGTERM\)/);
});

test('flowbench serve refuses a bad port', async () => {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(repoRoot, 'src-main', 'cli', 'main.ts'), 'serve', '--port', '70000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr.on('data', (d: Buffer) => { errText += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(errText, /--port: must be an integer from 0 to 65535/);
});
