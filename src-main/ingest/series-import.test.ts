import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../../test/corpus-paths.js';
import type { Workspace } from '../store/workspace.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { WindowsRepo } from '../store/windows-repo.js';
import { ChartQueries } from '../store/chart-queries.js';
import { importSeries } from './series-import.js';
import type { SeriesImportError, SeriesImportOutcome } from './series-import.js';
import { MAX_LINE_BYTES, parseTimestamp } from './series-parse.js';
import type { Result } from '../../src-shared/result.js';
import { openTempWorkspace } from '../../test/temp-workspace.js';

function setup(t: TestContext): { ws: Workspace; dir: string } {
  return openTempWorkspace(t, 'series');
}

function value(r: Result<SeriesImportOutcome, SeriesImportError>): SeriesImportOutcome {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function failure(r: Result<SeriesImportOutcome, SeriesImportError>): SeriesImportError {
  if (r.ok) throw new Error(`expected an error, imported ${r.value.rows} rows`);
  return r.error;
}

const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`) / 1000;

/** The MANIFEST's timeseries table: file → rows, first and last timestamp. */
function manifestSeries(): { file: string; rows: number; first: string; last: string }[] {
  const text = readFileSync(join(corpusDir, 'MANIFEST.md'), 'utf8');
  const re = /^\| `(real[A-Za-z]+\/[^`]+\.csv)` \| (\d+) \| ([\d-]+ [\d:]+) \| ([\d-]+ [\d:]+) \|/gm;
  return [...text.matchAll(re)].map((m) => ({ file: m[1] ?? '', rows: Number(m[2]), first: m[3] ?? '', last: m[4] ?? '' }));
}

test('every NAB CSV of the corpus imports with the MANIFEST row count and first/last timestamps', async (t) => {
  const { ws } = setup(t);
  const table = manifestSeries();
  assert.equal(table.length, 10);
  const w = new WindowsRepo(ws.db);
  for (const m of table) {
    const out = value(await importSeries(ws.db, join(corpusDir, 'timeseries', m.file)));
    assert.equal(out.rows, m.rows, m.file);
    assert.equal(out.firstTimestamp, utc(m.first), m.file);
    assert.equal(out.lastTimestamp, utc(m.last), m.file);
    assert.deepEqual(out.extraNames, ['value'], m.file);
    // Stored windows: one per distinct timestamp (repeated timestamps: the last row wins).
    assert.equal(w.count(out.sourceId, out.step, -1e300, 1e300), out.rows - out.duplicates, m.file);
    assert.equal(out.windows, out.rows - out.duplicates);
    const src = new SourcesRepo(ws.db).get(out.sourceId);
    assert.equal(src?.status, 'complete', m.file);
    assert.equal(src?.kind, 'series');
    assert.equal(src?.seriesStep, out.step);
  }
  // ec2_network_in_5abac7 repeats 2014-03-09 03:00:00 twelve times (a daylight-saving artefact).
  const dup = value(await importSeries(ws.db, join(corpusDir, 'timeseries', 'realAWSCloudwatch/ec2_network_in_5abac7.csv'), { force: true }));
  assert.equal(dup.duplicates, 11);
  const aws = value(await importSeries(ws.db, join(corpusDir, 'timeseries', 'realAWSCloudwatch/ec2_network_in_257a54.csv')));
  assert.equal(aws.reused, true, 'the same file again is reused, not re-read');
  assert.equal(aws.step, 300);
  assert.equal(aws.rows, 4032);
  // First value of that file, read back through the chart query at full resolution.
  const chart = new ChartQueries(ws.db).series({ sourceId: aws.sourceId, metrics: ['value'], maxPoints: 10_000 });
  assert.ok(chart.ok);
  assert.equal(chart.value.series[0]?.t[0], utc('2014-04-10 00:04:00'));
  assert.equal(chart.value.series[0]?.max[0], 251643.0);
});

test('a JSONL metrics file: t or timestamp, window columns, extra series, ignored text fields, derived rates', async (t) => {
  const { ws, dir } = setup(t);
  const file = join(dir, 'training_metrics.jsonl');
  const lines = [
    { t: 1_700_000_000, bytes_per_second: 12_500.5, packets_per_second: 20, avg_latency_ms: 4.25, tcp_percent: 80, interface: 'eth0', anomaly_score: 0.1 },
    { timestamp: '2023-11-14T22:13:30Z', bytes_per_second: 9000, packets_per_second: null, tcp_rtt_ms: '12.5', anomaly_score: 0.9 },
    { t: 1_700_000_020_000, packets: 100, bytes: 64_000 }, // epoch milliseconds
  ];
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
  const out = value(await importSeries(ws.db, file));
  assert.equal(out.rows, 3);
  assert.equal(out.step, 10);
  assert.equal(out.firstTimestamp, 1_700_000_000);
  assert.equal(out.lastTimestamp, 1_700_000_020);
  assert.deepEqual(out.extraNames, ['anomaly_score']);
  assert.deepEqual(out.ignoredFields, ['interface']);
  const rows = new WindowsRepo(ws.db).page(out.sourceId, 10);
  assert.deepEqual(rows.map((r) => r.t), [1_700_000_000, 1_700_000_010, 1_700_000_020]);
  assert.equal(rows[0]?.['bytes_per_second'], 12_500.5);
  assert.equal(rows[0]?.['avg_latency_ms'], 4.25);
  assert.equal(rows[0]?.['anomaly_score'], 0.1);
  assert.equal(rows[1]?.['packets_per_second'], null);
  assert.equal(rows[1]?.['tcp_rtt_ms'], 12.5);
  assert.equal(rows[1]?.['anomaly_score'], 0.9);
  // Counts without rates: rates follow the definitions over the 10 s step.
  assert.equal(rows[2]?.['packets'], 100);
  assert.equal(rows[2]?.['packets_per_second'], 10);
  assert.equal(rows[2]?.['bytes_per_second'], 6400);
  assert.equal(rows[2]?.['avg_packet_size'], 640);
  assert.equal(rows[2]?.['anomaly_score'], null);
});

test('bad input: the first bad line stops the import, names file, line and field, and keeps the rows before it', async (t) => {
  const { ws, dir } = setup(t);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,2\n2020-01-01 00:10:00,abc\n2020-01-01 00:15:00,4\n');
  const e1 = failure(await importSeries(ws.db, bad));
  assert.equal(e1.code, 'corrupt');
  assert.equal(e1.line, 4);
  assert.equal(e1.field, 'value');
  assert.match(e1.message, /bad\.csv:4: field "value": "abc" is not a number/);
  assert.ok(e1.sourceId !== null);
  const src = new SourcesRepo(ws.db).get(e1.sourceId);
  assert.equal(src?.status, 'partial');
  assert.equal(src?.error, e1.message);
  assert.equal(new WindowsRepo(ws.db).count(e1.sourceId, 300, -1e300, 1e300), 2);

  const cases: [string, string, RegExp, number, string | null][] = [
    ['nots.csv', 'time_utc,value\n2020-01-01,1\n', /nots\.csv:1: no timestamp column in the header "time_utc,value"/, 1, null],
    ['badts.csv', 'timestamp,value\n2020-13-01 00:00:00,1\n', /badts\.csv:2: field "timestamp": "2020-13-01 00:00:00" is not a timestamp/, 2, 'timestamp'],
    ['cols.csv', 'timestamp,value\n2020-01-01 00:00:00,1,2\n', /cols\.csv:2: expected 2 fields as in the header, found 3/, 2, null],
    ['empty.csv', '', /empty\.csv:1: empty file/, 1, null],
    ['no-t.jsonl', '{"t": 1, "bytes_per_second": 1}\n{"bytes_per_second": 2}\n', /no-t\.jsonl:2: no "t" or "timestamp" field/, 2, 't'],
    ['json.jsonl', '{"t": 1}\n{"t": 2,\n', /json\.jsonl:2: not valid JSON/, 2, null],
    ['type.jsonl', '{"t": 1, "packets_per_second": "fast"}\n', /type\.jsonl:1: field "packets_per_second": "fast" is not a number/, 1, 'packets_per_second'],
    ['obj.jsonl', '{"t": 1, "tcp_percent": {"x": 1}}\n', /obj\.jsonl:1: field "tcp_percent": expected a number/, 1, 'tcp_percent'],
    ['arr.jsonl', '[1, 2]\n', /arr\.jsonl:1: not a JSON object/, 1, null],
  ];
  for (const [name, text, re, line, field] of cases) {
    const f = join(dir, name);
    writeFileSync(f, text);
    const e = failure(await importSeries(ws.db, f));
    assert.match(e.message, re, name);
    assert.equal(e.line, line, name);
    assert.equal(e.field, field, name);
    assert.equal(e.code, 'corrupt', name);
  }

  const long = join(dir, 'long.jsonl');
  writeFileSync(long, `{"t": 1}\n{"t": 2, "x": "${'y'.repeat(MAX_LINE_BYTES + 10)}"}\n`);
  const e2 = failure(await importSeries(ws.db, long));
  assert.match(e2.message, /long\.jsonl:2: line longer than 1048576 bytes/);
  assert.equal(new WindowsRepo(ws.db).count(e2.sourceId ?? -1, 1, -1e300, 1e300), 1, 'the good first line is kept');

  const missing = failure(await importSeries(ws.db, join(dir, 'nope.csv')));
  assert.equal(missing.code, 'not_found');
});

test('a cancelled import keeps what it read as partial', async (t) => {
  const { ws, dir } = setup(t);
  const f = join(dir, 'big.csv');
  const rows = ['timestamp,value'];
  for (let i = 0; i < 20_000; i++) rows.push(`${1_600_000_000 + i},${i}`);
  writeFileSync(f, `${rows.join('\n')}\n`);
  const ac = new AbortController();
  const e = failure(
    await importSeries(ws.db, f, {
      signal: ac.signal,
      batchRows: 1000,
      onProgress: (p) => {
        if (p.rows > 0) ac.abort();
      },
    }),
  );
  assert.equal(e.code, 'cancelled');
  const src = new SourcesRepo(ws.db).get(e.sourceId ?? -1);
  assert.equal(src?.status, 'partial');
  const kept = new WindowsRepo(ws.db).count(e.sourceId ?? -1, 1, -1e300, 1e300);
  assert.ok(kept > 0 && kept < 20_000, `kept ${kept}`);
  // A re-run finishes it under the same id.
  const again = value(await importSeries(ws.db, f));
  assert.equal(again.sourceId, e.sourceId);
  assert.equal(again.rows, 20_000);
  assert.equal(new SourcesRepo(ws.db).get(again.sourceId)?.status, 'complete');
});

test('timestamps: epoch units by magnitude, ISO-8601 with and without zone', () => {
  assert.equal(parseTimestamp(1, 't', '1700000000'), 1_700_000_000);
  assert.equal(parseTimestamp(1, 't', '1700000000.25'), 1_700_000_000.25);
  assert.equal(parseTimestamp(1, 't', '1700000000250'), 1_700_000_000.25);
  assert.equal(parseTimestamp(1, 't', '1700000000250000'), 1_700_000_000.25);
  assert.equal(parseTimestamp(1, 't', '1700000000250000000'), 1_700_000_000.25);
  assert.equal(parseTimestamp(1, 't', '2014-04-10 00:04:00'), utc('2014-04-10 00:04:00'));
  assert.equal(parseTimestamp(1, 't', '2014-04-10T00:04:00.5Z'), utc('2014-04-10 00:04:00') + 0.5);
  assert.equal(parseTimestamp(1, 't', '2014-04-10T02:04:00+02:00'), utc('2014-04-10 00:04:00'));
  assert.equal(parseTimestamp(1, 't', '2014-04-10'), utc('2014-04-10 00:00:00'));
  assert.throws(() => parseTimestamp(7, 'ts', '2014-02-30 00:00:00'), /field "ts": "2014-02-30 00:00:00" is not a timestamp/);
  assert.throws(() => parseTimestamp(7, 'ts', 'yesterday'), /is not a timestamp/);
});
