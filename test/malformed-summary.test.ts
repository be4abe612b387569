// Every file of the corpus's malformed/ folder through the real command, `bin/flowbench summary
// FILE --json`, as a user runs it: the exit code, the partial counts, and a warning that names
// the byte offset and record number of the fault. Plus a missing file and a directory.
//
// Expected values are the Wireshark truth (truth/malformed/<file>.json) unless an entry below
// overrides a field and says why.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CaptureSummary } from '../src-shared/capture-summary.js';
import { corpusFiles, readTruth, repoRoot } from './corpus-paths.js';

interface Expectation {
  readonly exit: 0 | 1 | 2;
  readonly packets?: number;
  readonly capturedBytes?: number;
  readonly wireBytes?: number;
  readonly firstTimestamp?: string | null;
  readonly lastTimestamp?: string | null;
  /** Where the fault is (exit 2). */
  readonly fault?: { readonly offset: number; readonly record: number };
  /** Why a field differs from the truth (required when one is overridden). */
  readonly why?: string;
}

interface MalformedTruth {
  readonly packets: number;
  readonly captured_bytes: number;
  readonly wire_bytes: number;
  readonly timestamps?: { readonly min?: string | null; readonly max?: string | null } | null;
}

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'made__bad_block_trailer_length.pcapng': { exit: 2, fault: { offset: 680, record: 7 } },
  'made__bad_byte_order_magic.pcapng': {
    exit: 1,
    why: 'tshark falls back to format heuristics and opens it as a one-record JSON file; a broken ' +
      'section header means not a capture to us',
  },
  'made__bad_magic.pcap': { exit: 1 },
  'made__bad_version.pcap': { exit: 0 },
  'made__header_only_no_packets.pcap': { exit: 0 },
  'made__huge_caplen.pcap': { exit: 2, fault: { offset: 10778, record: 51 } },
  'made__huge_caplen_early_record.pcap': {
    exit: 2, fault: { offset: 228, record: 3 }, packets: 2, capturedBytes: 172, wireBytes: 172,
    firstTimestamp: '1361796995.701161000', lastTimestamp: '1361796995.701661000',
    why: 'the bad length is inside the records Wireshark probes to pick a pcap variant, so it ' +
      'switches variant and reads 2 bogus records (620 MB of wire bytes); we keep the 2 valid records',
  },
  'made__origlen_lt_caplen.pcap': { exit: 0 },
  'made__truncated_global_header.pcap': { exit: 1 },
  'made__truncated_mid_block.pcapng': { exit: 2, fault: { offset: 14224, record: 90 } },
  'made__truncated_mid_record.pcap': { exit: 2, fault: { offset: 17478, record: 101 } },
  'made__truncated_record_header.pcap': { exit: 2, fault: { offset: 17478, record: 101 } },
  'made__zero_length.pcap': {
    exit: 1,
    why: 'tshark and capinfos accept a 0-byte file as an empty ERF capture; we say it is empty',
  },
  'ndpi__fuzz-2021-10-13.pcap': {
    exit: 2, fault: { offset: 237, record: 2 },
    firstTimestamp: '980658803.882137472', lastTimestamp: '980658803.882137472',
    why: 'the nanosecond field holds 1882137472 (>= 1e9): tshark prints it as a 10-digit fraction, ' +
      'we carry the whole second',
  },
  'tcpdump__arp-oobr.pcap': { exit: 0 },
  'tcpdump__atm-oam-loopback-print-overrun.pcap': {
    exit: 0, capturedBytes: 64, wireBytes: 65622,
    firstTimestamp: '1544489736.821166000', lastTimestamp: '1544489736.821166000',
    why: 'Wireshark moves the 4-byte SunATM pseudo-header (LINKTYPE 123) out of the frame, so its ' +
      'lengths are 60/65618; we count the record lengths as stored. The microsecond field holds ' +
      '1159821166 (>= 1e6): Wireshark wraps it, we carry whole seconds',
  },
  'tcpdump__bgp-bgp_capabilities_print-oobr-1.pcap': { exit: 0 },
  'tcpdump__empty.pcapng': { exit: 0 },
  'tcpdump__hoobr_juniper3.pcap': {
    exit: 0, packets: 1, capturedBytes: 6, wireBytes: 262144,
    firstTimestamp: '808464432.999999000', lastTimestamp: '808464432.999999000',
    why: 'the header link type 0x30000084 carries FCS-length bits above LINKTYPE 132; Wireshark 4.0 ' +
      'refuses the whole value, we read the one record and count its link type as not decoded',
  },
  'tcpdump__ipv6_jumbogram_invalid_length.pcap': { exit: 0 },
  'tcpdump__ppp-invalid-lengths.pcap': { exit: 0 },
  'tcpdump__time_2106_overflow.pcapng': { exit: 0 },
  'tcpdump__timestamp_invalid_micro.pcap': {
    exit: 0, firstTimestamp: '1418145369.999999000', lastTimestamp: '1418147517.483648000',
    why: 'microsecond fields >= 1e6: tshark prints them literally (truth strings are garbage by ' +
      'design, see MANIFEST), we carry whole seconds',
  },
  'tcpdump__timestamp_invalid_nano.pcap': {
    exit: 0, firstTimestamp: '1418145369.999999999', lastTimestamp: '1418145372.147483648',
    why: 'nanosecond fields >= 1e9: tshark prints them literally or negative, we carry whole seconds',
  },
  'tcpdump__udp-length-heapoverflow.pcap': { exit: 0 },
  'tcpdump__vtp_asan.pcap': {
    exit: 0, packets: 5, capturedBytes: 50, wireBytes: 524288,
    firstTimestamp: '0.000000000', lastTimestamp: '1700306020.999999000',
    why: 'LINKTYPE 182 is unknown to Wireshark 4.0, which refuses the file; unknown link types are ' +
      'counted, never fatal, for us',
  },
  'zeek__geneve-truncated.pcapng': { exit: 0 },
  'zeek__ip-discarder-truncated-tcp-oob.pcapng': { exit: 0 },
  'zeek__mpls-6in6-broken.pcap': { exit: 0 },
  'zeek__nflog-bad-tlv-len.pcap': { exit: 0 },
};

const BIN = join(repoRoot, 'bin', 'flowbench');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function flowbench(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.error, undefined, `spawn failed or timed out: ${String(r.error)}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertNoStack(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace on stderr:\n${run.stderr}`);
}

/** Builds dist/ when it is missing or older than a source file (`npm test` builds first anyway). */
function ensureBuilt(): void {
  const built = join(repoRoot, 'dist', 'src-main', 'cli', 'main.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = Math.max(...['src-main', 'src-shared'].map((d) => newestSource(join(repoRoot, d))));
  if (builtAt >= newest) return;
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json')], { encoding: 'utf8' });
  // tsc still emits on type errors (the typecheck step reports those); what matters here is
  // that the CLI was written.
  assert.ok(existsSync(built) && statSync(built).mtimeMs >= newest, `build failed:\n${r.stdout}${r.stderr}`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

before(ensureBuilt);

test('every malformed file has an expectation', () => {
  const names = corpusFiles('malformed').map((p) => basename(p));
  assert.deepEqual(names.filter((n) => EXPECTED[n] === undefined), [], 'files without an entry');
  assert.deepEqual(Object.keys(EXPECTED).filter((n) => !names.includes(n)), [], 'entries without a file');
});

for (const path of corpusFiles('malformed')) {
  const name = basename(path);
  test(`flowbench summary ${name} --json`, (t) => {
    const e = EXPECTED[name];
    assert.ok(e !== undefined, `no expectation for ${name}`);
    if (e.why !== undefined) t.diagnostic(`differs from tshark on purpose: ${e.why}`);
    const run = flowbench('summary', path, '--json');
    assertNoStack(run);
    assert.equal(run.status, e.exit, `exit code; stderr: ${run.stderr}`);

    if (e.exit === 1) {
      assert.equal(run.stdout, '', 'nothing on stdout');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${run.stderr}`);
      assert.match(lines[0]!, /^flowbench: /);
      assert.ok(lines[0]!.includes(path), `names the file: ${lines[0]!}`);
      return;
    }

    const summary = JSON.parse(run.stdout) as CaptureSummary;
    const truth = readTruth(name, 'malformed') as MalformedTruth;
    const want = {
      packets: e.packets ?? truth.packets,
      capturedBytes: e.capturedBytes ?? truth.captured_bytes,
      wireBytes: e.wireBytes ?? truth.wire_bytes,
      firstTimestamp: e.firstTimestamp !== undefined ? e.firstTimestamp : (truth.timestamps?.min ?? null),
      lastTimestamp: e.lastTimestamp !== undefined ? e.lastTimestamp : (truth.timestamps?.max ?? null),
    };
    assert.deepEqual({
      packets: summary.packets, capturedBytes: summary.capturedBytes, wireBytes: summary.wireBytes,
      firstTimestamp: summary.firstTimestamp, lastTimestamp: summary.lastTimestamp,
    }, want);

    if (e.exit === 0) {
      assert.equal(summary.warnings, undefined, 'no warnings');
      assert.equal(run.stderr, '', 'nothing on stderr');
      return;
    }
    assert.ok(e.fault !== undefined, 'an exit-2 entry names its fault');
    const w = summary.warnings?.[0];
    assert.ok(w !== undefined, 'the JSON carries the warning');
    assert.deepEqual({ offset: w.offset, record: w.record }, e.fault);
    assert.match(run.stderr, new RegExp(`byte offset ${e.fault.offset}\\b.*record ${e.fault.record}\\b`),
      `stderr names the offset and record: ${run.stderr}`);
  });
}

test('flowbench summary on a missing file and on a directory: exit 1, one line, no stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-malformed-'));
  try {
    for (const [path, reason] of [[join(dir, 'no-such.pcap'), /no such file/], [dir, /directory/]] as const) {
      const run = flowbench('summary', path, '--json');
      assertNoStack(run);
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]!.includes(path));
      assert.match(lines[0]!, reason);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flowbench --help and flowbench summary --help print usage and exit 0', () => {
  const top = flowbench('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /Usage: flowbench COMMAND/);
  const sub = flowbench('summary', '--help');
  assert.equal(sub.status, 0);
  assert.match(sub.stdout, /Usage: flowbench summary FILE/);
});
