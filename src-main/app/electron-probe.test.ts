import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { electronAvailability } from '../../scripts/electron-probe.mjs';

const dir = mkdtempSync(join(tmpdir(), 'flowbench-probe-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

/** A fake Electron dist folder whose executable is a shell script. */
function fakeElectron(name: string, script: string): string {
  const dist = join(dir, name);
  const exe = join(dist, process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
  mkdirSync(dirname(exe), { recursive: true });
  writeFileSync(exe, `#!/bin/sh\n${script}\n`);
  chmodSync(exe, 0o755);
  return dist;
}

test('a missing override binary is reported, not downloaded', { skip: !posix }, () => {
  const r = electronAvailability({ env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'nowhere') } });
  assert.equal(r.available, false);
  assert.match(r.reason, /ELECTRON_OVERRIDE_DIST_PATH names no executable/);
});

test('a binary that answers --version is available when there is a display', { skip: !posix }, () => {
  const dist = fakeElectron('good', 'echo v45.4.1');
  const withDisplay = electronAvailability({ env: { ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':0' } });
  assert.deepEqual([withDisplay.available, withDisplay.version], [true, 'v45.4.1']);
  const headless = electronAvailability({ env: { ELECTRON_OVERRIDE_DIST_PATH: dist } });
  if (process.platform === 'linux') assert.match(headless.reason, /no display/);
});

test('a binary that fails or hangs is unavailable, with the reason', { skip: !posix }, () => {
  const broken = electronAvailability({ env: { ELECTRON_OVERRIDE_DIST_PATH: fakeElectron('broken', 'echo "libnss3.so: cannot open" >&2; exit 127'), DISPLAY: ':0' } });
  assert.equal(broken.available, false);
  assert.match(broken.reason, /--version failed: libnss3\.so: cannot open/);
  const hung = electronAvailability({ env: { ELECTRON_OVERRIDE_DIST_PATH: fakeElectron('hung', 'exec sleep 5'), DISPLAY: ':0' }, timeoutMs: 300 });
  assert.equal(hung.available, false);
  assert.match(hung.reason, /no answer to --version within 300 ms/);
});
