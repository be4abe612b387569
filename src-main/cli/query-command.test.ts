import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { recordingIo } from './test-io.js';
import { parseTime } from './query-command.js';
import { openWorkspace } from '../store/workspace.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('query: argument errors name the problem and exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-query-cli-'));
  try {
    const db = join(dir, 'w.db');
    const ws = openWorkspace(db);
    assert.ok(ws.ok);
    ws.value.close();
    const cases: [string[], RegExp][] = [
      [['query', 'windows', '--source', '1'], /missing --db PATH/],
      [['query', '--db', db], /missing WHAT/],
      [['query', 'bogus', '--db', db, '--source', '1'], /unknown WHAT "bogus"/],
      [['query', 'windows', '--db', db], /missing --source N/],
      [['query', 'windows', '--db', db, '--source', 'x'], /--source must be/],
      [['query', 'windows', '--db', db, '--source', '1', '--resolution', '5s'], /--resolution must be/],
      [['query', 'windows', '--db', db, '--source', '1', '--limit', '0'], /--limit must be/],
      [['query', 'windows', '--db', db, '--source', '1', '--from', 'yesterday'], /--from: not a time/],
      [['query', 'windows', '--db', db, '--source', '1', '--from', '10', '--to', '5'], /empty range/],
      [['query', 'windows', '--db', db, '--source', '1', '--json', '--csv'], /exclude each other/],
      [['query', 'talkers', '--db', db, '--source', '1', '--by', 'mac'], /--by must be ip or port/],
      [['query', 'conversations', '--db', db, '--source', '1', '--from', '1'], /whole source/],
      [['query', 'windows', '--db', db, '--source', '7'], /no source 7/],
      [['query', 'windows', '--db', join(dir, 'absent.db'), '--source', '1'], /absent\.db/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, pattern, args.join(' '));
      assert.equal(r.err.trimEnd().split('\n').length, 1, `one line: ${r.err}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('query: times are epoch seconds or ISO 8601', () => {
  assert.equal(parseTime('1581109488.5'), 1581109488.5);
  assert.equal(parseTime('2020-02-07T21:04:48Z'), 1581109488);
  assert.equal(parseTime(undefined), undefined);
  assert.equal(parseTime('soon'), null);
});
