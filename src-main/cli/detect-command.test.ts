import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { importSeries } from '../ingest/series-import.js';
import { main } from './main.js';
import { recordingIo } from './test-io.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('detect and drift commands on a real capture and a NAB series', async (t) => {
  const { ws, dir } = openTempWorkspace(t, 'detect-cli');
  const cap = await ingestFile(ws.db, join(corpusDir, 'pcap', 'ndpi__netflix.pcap'));
  const nab = await importSeries(ws.db, join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv'));
  assert.ok(cap.ok && nab.ok);
  const db = join(dir, 'w.flowbench');

  // The NAB series: 4 032 five-minute windows, about 5 % flagged, each with drivers of "value".
  const series = await run(['detect', '--db', db, '--source', String(nab.value.sourceId), '--json']);
  assert.equal(series.code, 0, series.err);
  const flagged = JSON.parse(series.out) as { t: number; severity: string; drivers: { column: string }[] }[];
  assert.ok(flagged.length >= 195 && flagged.length <= 205, `${flagged.length} flagged`);
  for (const f of flagged) assert.equal(f.drivers[0]?.column, 'value');
  // Same seed, same flags.
  const again = await run(['detect', '--db', db, '--source', String(nab.value.sourceId), '--json']);
  assert.equal(again.out, series.out);

  const table = await run(['detect', '--db', db, '--source', String(cap.value.sourceId), '--contamination', '0.1']);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^\d+ of \d+ windows \(1 s\) flagged at contamination 0\.1/);
  assert.match(table.out, /time\s+score\s+probability\s+severity\s+drivers/);

  const self = await run(['drift', '--db', db, '--source', String(cap.value.sourceId), '--against', String(cap.value.sourceId), '--json']);
  assert.equal(self.code, 0, self.err);
  const parsed = JSON.parse(self.out) as { dimensions: Record<string, { psi: number }> };
  for (const [dim, r] of Object.entries(parsed.dimensions)) assert.equal(r.psi, 0, dim);
  const text = await run(['drift', '--db', db, '--source', String(cap.value.sourceId), '--against', String(cap.value.sourceId)]);
  assert.match(text.out, /^traffic_type: Stable \(PSI 0\.000\)/);

  const cases: [string[], RegExp][] = [
    [['detect', '--db', db], /--source must be/],
    [['detect', '--db', db, '--source', '1', '--contamination', '0.9'], /--contamination must be in/],
    [['detect', '--db', db, '--source', '99'], /no source 99/],
    [['detect', '--db', db, '--source', '1', '--resolution', '7'], /no 7 s windows/],
    [['drift', '--db', db, '--source', '1'], /--against must be/],
    [['drift', '--db', db, '--source', '1', '--against', '42'], /no source 42/],
  ];
  for (const [args, pattern] of cases) {
    const r = await run(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, pattern);
  }
});
