/**
 * Capture worker: a child process (forked by capture-session.ts) that opens one device with
 * the pcap-live addon and posts what it reads to the parent as struct-of-arrays batches.
 *
 * Reads are pipelined over two buffers: while the parent-bound copy of one read's records is
 * made and posted, the addon already fills the other buffer on a libuv pool thread, so the
 * kernel ring is drained continuously. A read returns as soon as packets are ready, or after
 * `flushMs` (the pcap timeout, which also bounds how long a packet waits in a TPACKET_V3
 * block) with none.
 *
 * Invariants:
 * - A buffer is touched by JS only after the read that filled it settled (the addon holds a
 *   reference to it until then); exactly one read is pending at a time.
 * - pcap_stats is read only between reads (the addon refuses during one), at most once a second,
 *   and once more after the last read, before close.
 * - Timestamps and original lengths are libpcap's (ns where the device offers them).
 * - A separate process (not a worker_thread) keeps a capture's handle, ring and buffers out of
 *   the app process: whatever the capture leaves behind dies with it.
 */
import { classifyPcapError, effectiveFilter, type CaptureOptionError, type CaptureOptions } from './capture-options.js';
import type { CaptureCounters, CaptureStopReason, FromCaptureWorker, ToCaptureWorker } from './capture-messages.js';
import { forEachRecord, LiveHandle, linkTypeOfDlt, RECORD_HEADER_BYTES } from './pcap-live-binding.js';

/** Bytes of each of the two read buffers (at least one record of the largest packet). */
const READ_BUFFER_BYTES = 8 * 1024 * 1024;
/** How often libpcap's drop counters are read and posted. */
const COUNTERS_INTERVAL_MS = 1000;

let session: LiveCapture | undefined;

function send(m: FromCaptureWorker, then?: () => void): void {
  if (process.send === undefined || !process.connected) {
    then?.();
    return;
  }
  process.send(m, undefined, {}, () => then?.());
}

function exitAfter(m: FromCaptureWorker): void {
  send(m, () => process.exit(0));
}

/** Opens the device with the filter; the addon says which step failed. */
function openDevice(options: CaptureOptions, timeoutMs: number): LiveHandle | CaptureOptionError {
  const opened = LiveHandle.open({
    device: options.interface,
    filter: effectiveFilter(options),
    snaplen: options.snaplen,
    bufferBytes: options.bufferBytes,
    promisc: options.promiscuous,
    timeoutMs,
  });
  return opened.ok ? opened.value : classifyPcapError(options.interface, options.filter, opened.error);
}

function counters(handle: LiveHandle): CaptureCounters | null {
  const s = handle.stats();
  return s.ok ? s.value : null;
}

/** One running capture: the read loop, the limits and the totals. */
class LiveCapture {
  private readonly buffers: [Uint8Array, Uint8Array];
  private packets = 0;
  private bytes = 0;
  private stopReason: CaptureStopReason | null = null;
  private lastCounters = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly handle: LiveHandle,
    private readonly options: CaptureOptions,
    private readonly batchPackets: number,
  ) {
    const size = Math.max(READ_BUFFER_BYTES, handle.minReadBytes);
    // Fresh ArrayBuffers: 4-byte aligned, as the record layout needs.
    this.buffers = [new Uint8Array(new ArrayBuffer(size)), new Uint8Array(new ArrayBuffer(size))];
    if (options.durationSeconds !== null) {
      this.timers.push(setTimeout(() => this.stop('duration'), options.durationSeconds * 1000));
    }
  }

  /** Reads until stopped; then posts the last records, the final counters, and exits. */
  async run(): Promise<void> {
    let current = 0;
    let pending = this.handle.read(this.buffers[current]!);
    // The loop ends after a read that was issued once the stop was requested: packets that
    // arrived before the stop but sat in a not yet retired TPACKET_V3 block (≤ flushMs) are
    // still delivered. A count stop needs nothing more.
    let issuedAfterStop = false;
    for (;;) {
      let n: number;
      try {
        n = await pending;
      } catch (e) {
        this.fail(e);
        return;
      }
      const filled = this.buffers[current]!;
      const last = issuedAfterStop || this.stopReason === 'count';
      if (!last) {
        this.postCountersEverySecond();
        issuedAfterStop = this.stopReason !== null;
        current ^= 1;
        pending = this.handle.read(this.buffers[current]!);
      }
      this.deliver(filled, n);
      if (last) break;
    }
    for (const t of this.timers) clearTimeout(t);
    const final = counters(this.handle);
    this.handle.close();
    exitAfter({ type: 'stopped', reason: this.stopReason ?? 'stopped', packets: this.packets, bytes: this.bytes, counters: final });
  }

  private postCountersEverySecond(): void {
    const now = performance.now();
    if (now - this.lastCounters < COUNTERS_INTERVAL_MS) return;
    this.lastCounters = now;
    const c = counters(this.handle);
    if (c !== null) send({ type: 'counters', counters: c });
  }

  /** Posts a read's records (up to the count limit) in batches of at most `batchPackets`. */
  private deliver(buffer: Uint8Array, n: number): void {
    const limit = this.options.count;
    let take = n;
    if (limit !== null) take = Math.min(n, Math.max(0, limit - this.packets));
    if (take === 0) return;
    let i = 0;
    let batch = this.newBatch(Math.min(take, this.batchPackets));
    let start = 0;
    let k = 0;
    let end = 0;
    forEachRecord(buffer, take, (dataOffset, caplen, len, tsSec, tsNsec) => {
      if (k === batch.count) {
        this.post(batch, buffer, start, end);
        batch = this.newBatch(Math.min(take - i, this.batchPackets));
        start = dataOffset - RECORD_HEADER_BYTES;
        k = 0;
      }
      batch.offset[k] = dataOffset - start;
      batch.caplen[k] = caplen;
      batch.wirelen[k] = len;
      batch.tsSec[k] = tsSec;
      batch.tsNsec[k] = tsNsec;
      end = dataOffset + caplen;
      this.bytes += len;
      k++;
      i++;
    });
    this.post(batch, buffer, start, end);
    this.packets += take;
    if (limit !== null && this.packets >= limit) this.stop('count');
  }

  private newBatch(count: number): Omit<Extract<FromCaptureWorker, { type: 'batch' }>, 'data'> {
    return {
      type: 'batch', count,
      offset: new Uint32Array(count), caplen: new Uint32Array(count), wirelen: new Uint32Array(count),
      tsSec: new Float64Array(count), tsNsec: new Uint32Array(count),
    };
  }

  /** Posts a batch with a copy of its records' bytes (the read buffer is reused at once). */
  private post(batch: Omit<Extract<FromCaptureWorker, { type: 'batch' }>, 'data'>, buffer: Uint8Array, start: number, end: number): void {
    send({ ...batch, data: buffer.slice(start, end) });
  }

  private fail(e: unknown): void {
    for (const t of this.timers) clearTimeout(t);
    this.handle.close();
    const message = e instanceof Error ? e.message : String(e);
    exitAfter({ type: 'error', error: { field: 'interface', code: 'io_error', message: `interface: capture on "${this.options.interface}" failed: ${message}` } });
  }

  /** Ends the read loop after one more read (at most about 2 × `flushMs`); every packet read is kept. */
  stop(reason: CaptureStopReason): void {
    this.stopReason ??= reason;
  }
}

function onMessage(m: ToCaptureWorker): void {
  if (m.type === 'stop') {
    if (session !== undefined) session.stop('stopped');
    else process.exit(0);
    return;
  }
  if (session !== undefined) return;
  const opened = openDevice(m.options, m.flushMs);
  if (!(opened instanceof LiveHandle)) {
    exitAfter({ type: 'error', error: opened });
    return;
  }
  const start = counters(opened);
  session = new LiveCapture(opened, m.options, m.batchPackets);
  send({ type: 'started', linkType: linkTypeOfDlt(opened.info.dlt), linkTypeName: opened.info.dltName ?? `DLT ${opened.info.dlt}`, counters: start });
  void session.run();
}

process.on('message', (m) => onMessage(m as ToCaptureWorker));
// Ctrl-C in a terminal reaches the whole process group: stop cleanly like a 'stop' message.
process.on('SIGINT', () => session?.stop('signal'));
process.on('SIGTERM', () => session?.stop('signal'));
process.on('disconnect', () => {
  if (session !== undefined) session.stop('parent_gone');
  else process.exit(0);
});
