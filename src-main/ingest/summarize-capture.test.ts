import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { summarizeCapture, type SummaryProgress } from './summarize-capture.js';

const ECHO = join(corpusDir, 'pcap', 'zeek__echo-connections.pcap');

test('progress ends at the file size and the packet total', async () => {
  const seen: SummaryProgress[] = [];
  const r = await summarizeCapture(ECHO, { onProgress: (p) => seen.push(p), chunkSize: 64 * 1024 });
  assert.ok(r.ok);
  const last = seen.at(-1);
  assert.ok(last !== undefined);
  assert.equal(last.packets, 82582);
  assert.equal(last.bytesDone, last.bytesTotal);
  assert.equal(r.value.summary.packets, 82582);
  assert.equal(r.value.cancelled, false);
});

test('an aborted signal ends the run with a partial, cancelled summary', async () => {
  const controller = new AbortController();
  controller.abort();
  const r = await summarizeCapture(ECHO, { signal: controller.signal });
  assert.ok(r.ok);
  assert.equal(r.value.cancelled, true);
  assert.equal(r.value.summary.packets, 0);
});

test('a missing file is an error value, not a throw', async () => {
  const r = await summarizeCapture(join(corpusDir, 'pcap', 'no-such-file.pcap'));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'not_found');
});
