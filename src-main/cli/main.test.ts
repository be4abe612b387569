import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { recordingIo } from './test-io.js';

test('flowbench --help lists the summary command and exits 0', async () => {
  const io = recordingIo();
  assert.equal(await main(['--help'], io), 0);
  assert.match(io.stdout(), /^Usage: flowbench COMMAND/);
  assert.match(io.stdout(), /summary FILE \[--json\] \[--progress\]/);
  assert.equal(io.stderr(), '');
});

test('flowbench with no arguments prints the usage on stderr and exits 1', async () => {
  const io = recordingIo();
  assert.equal(await main([], io), 1);
  assert.match(io.stderr(), /^Usage: flowbench/);
});

test('flowbench summary --help and flowbench help summary print the command usage', async () => {
  for (const argv of [['summary', '--help'], ['summary', '-h'], ['help', 'summary']]) {
    const io = recordingIo();
    assert.equal(await main(argv, io), 0, argv.join(' '));
    assert.match(io.stdout(), /^Usage: flowbench summary FILE \[--json\] \[--progress\]/);
    assert.match(io.stdout(), /Exit status:/);
  }
});

test('flowbench --version prints the package version', async () => {
  const io = recordingIo();
  assert.equal(await main(['--version'], io), 0);
  assert.match(io.stdout(), /^flowbench \d+\.\d+\.\d+\n$/);
});

test('usage mistakes give one line and exit 1', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /^flowbench: unknown command "frobnicate" \(see `flowbench --help`\)\n$/],
    [['summary'], /^flowbench summary: missing FILE/],
    [['summary', 'a', 'b'], /^flowbench summary: expected one FILE, got 2/],
    [['summary', 'a.pcap', '--jsn'], /^flowbench summary: Unknown option '--jsn'/],
  ];
  for (const [argv, expected] of cases) {
    const io = recordingIo();
    assert.equal(await main(argv, io), 1, argv.join(' '));
    assert.match(io.stderr(), expected);
    assert.equal(io.stderr().trim().split('\n').length, 1, 'one line');
    assert.equal(io.stdout(), '');
  }
});

test('summary of a missing file, a directory and a non-capture: exit 1 with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-cli-'));
  try {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture file, just some text long enough to hold a header\n');
    for (const path of [join(dir, 'missing.pcap'), dir, text]) {
      const io = recordingIo();
      assert.equal(await main(['summary', path, '--json'], io), 1, path);
      assert.equal(io.stdout(), '');
      const lines = io.stderr().trim().split('\n');
      assert.equal(lines.length, 1, io.stderr());
      assert.match(lines[0]!, /^flowbench: /);
      assert.ok(lines[0]!.includes(path), `names the file: ${lines[0]!}`);
      assert.doesNotMatch(io.stderr(), /\bat .*\.(js|ts):\d+/, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
