import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, ProgressLine } from './progress-line.js';
import { recordingIo } from './test-io.js';

test('the progress line names packets, MB/s, percent and ETA', () => {
  const text = describe('summary', { bytesDone: 50e6, bytesTotal: 200e6, packets: 1_000_000 }, 2);
  assert.equal(text, 'summary: 1,000,000 packets  25.0 MB/s  25.0 %  ETA 6 s');
});

test('nothing is shown in the first second, nor on a pipe unless forced', async () => {
  const sample = { bytesDone: 1, bytesTotal: 2, packets: 3 };
  const tty = recordingIo(true);
  const line = new ProgressLine(tty, 'summary', false);
  line.update(sample);
  assert.equal(tty.stderr(), '', 'too early');

  const pipe = recordingIo(false);
  const quiet = new ProgressLine(pipe, 'summary', false);
  await new Promise((r) => setTimeout(r, 1050));
  quiet.update(sample);
  assert.equal(pipe.stderr(), '', 'not a TTY and not forced');

  line.update(sample);
  assert.ok(tty.stderr().startsWith('\rsummary: 3 packets '), JSON.stringify(tty.stderr()));
  assert.ok(tty.stderr().endsWith('\x1b[K'), 'clears to the end of the line');
  line.finish();
  assert.ok(tty.stderr().endsWith('\r\x1b[K'));
});
