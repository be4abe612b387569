import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DropGrants, captureFilesInArgv, checkCapturePath } from './capture-path.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbench-app-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a dropped path is accepted only when it is an existing regular file', () => {
  const file = join(dir, 'dropped.pcap');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'folder.pcap'));
  assert.deepEqual(checkCapturePath(file), { ok: true, value: file });
  const codes = [join(dir, 'folder.pcap'), join(dir, 'missing.pcap'), 'relative.pcap', '', 42, null, `${file}\0`].map((p) => {
    const r = checkCapturePath(p);
    return r.ok ? 'ok' : r.error.code;
  });
  assert.deepEqual(codes, ['invalid_argument', 'not_found', 'invalid_argument', 'invalid_argument', 'invalid_argument', 'invalid_argument', 'invalid_argument']);
});

test('drop grants remember the newest paths up to their bound', () => {
  const grants = new DropGrants(2);
  grants.grant('/a');
  grants.grant('/b');
  grants.grant('/a');
  grants.grant('/c');
  assert.equal(grants.has('/a'), true, 're-granted, so newest');
  assert.equal(grants.has('/c'), true);
  assert.equal(grants.has('/b'), false, 'oldest evicted');
  assert.equal(grants.has('/etc/shadow'), false);
});

test('capture files named on a command line', () => {
  assert.deepEqual(
    captureFilesInArgv(['.', '--inspect', 'trace.PCAP', '/x/y.pcapng', 'notes.txt', '-psn_0_1234', 'c:\\caps\\z.cap']),
    ['trace.PCAP', '/x/y.pcapng', 'c:\\caps\\z.cap'],
  );
});
