import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpusDir, ensureWorkDir } from './bench-paths.js';
import { benchFileHeader, loadPassTemplate, type PassTemplate, type SourceFile } from './pcap-source.js';

// Builds the bench capture: passes over a fixed mix of corpus packets, written as one
// little-endian µs pcap with monotonic timestamps. Deterministic: the same corpus and
// parameters give the same bytes, so the file is cached in bench/.work/ under a key of both.

/** Bumped whenever the output layout changes, so stale cached captures are not reused. */
const BUILDER_VERSION = 1;
/** Issue 2's floor for the bench capture. */
export const DEFAULT_PACKETS = 20_000_000;
/** Longest silence kept between two packets, µs (see loadPassTemplate). */
export const DEFAULT_MAX_GAP_US = 1000;
/** First packet's time: 2026-01-01T00:00:00Z. */
const START_EPOCH_SECONDS = 1_767_225_600;
/** Room left on the disk beyond the capture itself. */
const DISK_MARGIN_BYTES = 1e9;

/** What to build. */
export interface BuildOptions {
  readonly packets: number;
  readonly maxGapUs?: number;
  readonly pcapDir?: string;
  readonly log?: (line: string) => void;
}

/** The built (or reused) capture and how it was made. */
export interface BuiltCapture {
  readonly path: string;
  readonly packets: number;
  readonly bytes: number;
  readonly reused: boolean;
  readonly buildSeconds: number;
  readonly mix: CaptureMix;
}

/** The corpus mix a capture replays, pass after pass. */
export interface CaptureMix {
  readonly files: readonly SourceFile[];
  readonly packetsPerPass: number;
  readonly capturedBytesPerPass: number;
  readonly passes: number;
  readonly spanSeconds: number;
}

/** Parses a packet count: digits with optional `_`, or a `k`/`M` suffix ("20M", "150M"). */
export function parseCount(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.replace(/_/g, ''));
  if (m === null) return null;
  const unit = m[2] === '' ? 1 : m[2] === 'k' || m[2] === 'K' ? 1e3 : 1e6;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Builds the bench capture in bench/.work/, or returns the cached one built from the same inputs. */
export function buildBenchCapture(options: BuildOptions): BuiltCapture {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxGapUs = options.maxGapUs ?? DEFAULT_MAX_GAP_US;
  const pcapDir = options.pcapDir ?? join(corpusDir, 'pcap');
  const started = performance.now();
  const template = loadPassTemplate(pcapDir, maxGapUs);
  const fullPasses = Math.floor(options.packets / template.packets);
  const rest = options.packets % template.packets;
  const mix: CaptureMix = {
    files: template.files,
    packetsPerPass: template.packets,
    capturedBytesPerPass: template.files.reduce((sum, f) => sum + f.capturedBytes, 0),
    passes: fullPasses + (rest > 0 ? 1 : 0),
    spanSeconds: captureSpanUs(template, maxGapUs, options.packets) / 1e6,
  };
  const expectedBytes = 24 + fullPasses * template.bytes.length + (template.recordOffsets[rest] ?? 0);

  const work = ensureWorkDir();
  const key = cacheKey(template, options.packets, maxGapUs);
  const path = join(work, `bench-${options.packets}-${key}.pcap`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath) && statSync(path).size === expectedBytes) {
    return { path, packets: options.packets, bytes: expectedBytes, reused: true, buildSeconds: 0, mix };
  }

  const free = statfsSync(work);
  const freeBytes = free.bavail * free.bsize;
  if (freeBytes < expectedBytes + DISK_MARGIN_BYTES) {
    throw new Error(`bench: ${formatBytes(expectedBytes)} capture needs more disk than the ${formatBytes(freeBytes)} free in ${work}`);
  }
  log(`building ${options.packets.toLocaleString('en-US')}-packet capture (${formatBytes(expectedBytes)}) in ${path}`);
  const partial = `${path}.partial`;
  try {
    writeCapture(partial, template, options.packets, maxGapUs, log);
  } catch (e) {
    rmSync(partial, { force: true }); // a half-written capture is never left to look like a cached one
    throw e;
  }
  renameSync(partial, path);
  const buildSeconds = (performance.now() - started) / 1000;
  writeFileSync(metaPath, JSON.stringify({ builderVersion: BUILDER_VERSION, packets: options.packets, bytes: expectedBytes, maxGapUs, mix }, null, 2));
  return { path, packets: options.packets, bytes: statSync(path).size, reused: false, buildSeconds, mix };
}

/** Microseconds from the first to the last packet of a capture of `packets` packets. */
function captureSpanUs(template: PassTemplate, maxGapUs: number, packets: number): number {
  const lastPass = Math.floor((packets - 1) / template.packets);
  const lastIndex = (packets - 1) % template.packets;
  return lastPass * (template.spanUs + maxGapUs) + (template.relUs[lastIndex] ?? 0);
}

/** Hash of everything the output bytes depend on: builder version, parameters, the pass itself. */
function cacheKey(template: PassTemplate, packets: number, maxGapUs: number): string {
  const hash = createHash('sha256');
  hash.update(`flowbench-bench-capture v${BUILDER_VERSION} packets=${packets} maxGapUs=${maxGapUs} start=${START_EPOCH_SECONDS}\n`);
  hash.update(template.bytes);
  hash.update(new Uint8Array(template.relUs.buffer));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Writes the capture with one large write per pass: the pass template is patched in place
 * with that pass's timestamps (pass k starts maxGapUs after pass k-1's last packet) and written.
 */
function writeCapture(path: string, template: PassTemplate, packets: number, maxGapUs: number, log: (line: string) => void): void {
  rmSync(path, { force: true });
  const fd = openSync(path, 'w');
  try {
    writeFully(fd, benchFileHeader(), benchFileHeader().length);
    const view = new DataView(template.bytes.buffer, template.bytes.byteOffset, template.bytes.byteLength);
    const passStrideUs = template.spanUs + maxGapUs;
    const startUs = START_EPOCH_SECONDS * 1e6;
    let written = 0;
    let nextReport = 0.1;
    for (let pass = 0; written < packets; pass++) {
      const n = Math.min(template.packets, packets - written);
      const baseUs = startUs + pass * passStrideUs;
      for (let i = 0; i < n; i++) {
        // Integers below 2^53 µs: exact in a double.
        const us = baseUs + (template.relUs[i] ?? 0);
        const sec = Math.floor(us / 1e6);
        const off = template.recordOffsets[i] ?? 0;
        view.setUint32(off, sec, true);
        view.setUint32(off + 4, us - sec * 1e6, true);
      }
      writeFully(fd, template.bytes, template.recordOffsets[n] ?? 0);
      written += n;
      if (written / packets >= nextReport) {
        log(`  ${Math.round((written / packets) * 100)}% (${written.toLocaleString('en-US')} packets)`);
        nextReport += 0.1;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function writeFully(fd: number, bytes: Uint8Array, length: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, bytes, done, length - done);
}

/** Formats a byte count in decimal units (MB = 10^6 bytes, GB = 10^9). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${bytes} B`;
}

/** One line saying what the mix is, for logs and the README. */
export function describeMix(mix: CaptureMix): string {
  const mean = mix.capturedBytesPerPass / mix.packetsPerPass;
  return `${mix.files.length} Ethernet pcap files from the corpus, ${mix.packetsPerPass.toLocaleString('en-US')} packets per pass ` +
    `(mean ${mean.toFixed(1)} captured bytes/packet), ${mix.passes} passes, ${mix.spanSeconds.toFixed(0)} s of capture time`;
}

/** Reads the metadata written next to a built capture, if any (for --file runs on a bench capture). */
export function readCaptureMeta(path: string): { packets: number } | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(`${path}.json`, 'utf8'));
    const packets = (parsed as { packets?: unknown }).packets;
    return typeof packets === 'number' ? { packets } : null;
  } catch {
    return null;
  }
}

function main(argv: readonly string[]): number {
  let packets = DEFAULT_PACKETS;
  let maxGapUs = DEFAULT_MAX_GAP_US;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--packets' || arg === '--max-gap-us') && value !== undefined) {
      const n = parseCount(value);
      if (n === null) {
        process.stderr.write(`build-capture: ${arg} wants a positive count, got "${value}"\n`);
        return 1;
      }
      if (arg === '--packets') packets = n;
      else maxGapUs = n;
      i++;
    } else {
      process.stderr.write('usage: build-capture [--packets N (20M)] [--max-gap-us N (1000)]\n');
      return 1;
    }
  }
  const built = buildBenchCapture({ packets, maxGapUs });
  const how = built.reused ? 'reused cached capture' : `built in ${built.buildSeconds.toFixed(1)} s`;
  process.stdout.write(`${built.path}\n${built.packets.toLocaleString('en-US')} packets, ${formatBytes(built.bytes)} (${how})\n${describeMix(built.mix)}\n`);
  return 0;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  process.exitCode = main(process.argv.slice(2));
}
