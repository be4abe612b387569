/**
 * Capture worker: a child process (forked by capture-session.ts) that opens one device with
 * cap on its own main thread, copies each packet into a struct-of-arrays batch and posts the
 * batch to the parent every `batchPackets` records or `flushMs` milliseconds.
 *
 * Invariants:
 * - The Buffer handed to `cap.open` and the Cap object stay referenced (`keepAlive`) until the
 *   process exits: cap holds only a raw pointer to the Buffer.
 * - A failed `open` is never followed by `close()` on the same object (cap would stop a poll
 *   handle it never started); the process exits instead, which releases everything.
 * - Timestamps are taken when the packet reaches JavaScript (cap does not pass on libpcap's
 *   header), at microsecond resolution; the original length is the copied length (cap does
 *   not pass on `len` either; snaplen is applied here, so a cut packet keeps its full length).
 */
import { loadCap, linkTypeOfCapName, type CapHandle } from './cap-binding.js';
import { classifyOpenError, MAX_SNAPLEN, type CaptureOptionError, type CaptureOptions } from './capture-options.js';
import type { CaptureStopReason, FromCaptureWorker, ToCaptureWorker } from './capture-messages.js';

/** Bytes of packet data per batch (a batch is also posted when full). */
const BATCH_DATA_BYTES = 4 * 1024 * 1024;

const keepAlive: unknown[] = [];
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

/** Opens the device; on failure tells a bad filter from a refused or missing device. */
function openDevice(options: CaptureOptions): { handle: CapHandle; buffer: Buffer; linkName: string } | CaptureOptionError {
  const cap = loadCap();
  if (!cap.ok) return { field: 'interface', code: cap.error.code, message: cap.error.message };
  const handle = new cap.value.Cap();
  // Room for the largest packet cap copies: it never truncates against this buffer.
  const buffer = Buffer.alloc(MAX_SNAPLEN + 1);
  keepAlive.push(handle, buffer);
  try {
    const linkName = handle.open(options.interface, options.filter, options.bufferBytes, buffer);
    return { handle, buffer, linkName };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (options.filter === '') return classifyOpenError(options.interface, '', message, false);
    // Same device without the filter: if that opens, the filter was what libpcap refused.
    const probe = new cap.value.Cap();
    const probeBuffer = Buffer.alloc(MAX_SNAPLEN + 1);
    keepAlive.push(probe, probeBuffer);
    try {
      probe.open(options.interface, '', 65536, probeBuffer);
      probe.close();
      return classifyOpenError(options.interface, options.filter, message, true);
    } catch (e2) {
      return classifyOpenError(options.interface, options.filter, e2 instanceof Error ? e2.message : String(e2), false);
    }
  }
}

/** One running capture: the batch being filled and the limits. */
class LiveCapture {
  private readonly data = new Uint8Array(BATCH_DATA_BYTES);
  private readonly offset: Uint32Array;
  private readonly caplen: Uint32Array;
  private readonly wirelen: Uint32Array;
  private readonly tsSec: Float64Array;
  private readonly tsNsec: Uint32Array;
  private n = 0;
  private pos = 0;
  private packets = 0;
  private bytes = 0;
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly handle: CapHandle,
    private readonly buffer: Buffer,
    private readonly options: CaptureOptions,
    private readonly batchPackets: number,
    flushMs: number,
  ) {
    this.offset = new Uint32Array(batchPackets);
    this.caplen = new Uint32Array(batchPackets);
    this.wirelen = new Uint32Array(batchPackets);
    this.tsSec = new Float64Array(batchPackets);
    this.tsNsec = new Uint32Array(batchPackets);
    handle.on('packet', (nbytes) => this.onPacket(nbytes));
    this.timers.push(setInterval(() => this.flush(), flushMs));
    if (options.durationSeconds !== null) {
      this.timers.push(setTimeout(() => this.stop('duration'), options.durationSeconds * 1000));
    }
  }

  private onPacket(nbytes: number): void {
    if (this.stopping) return;
    const ms = performance.timeOrigin + performance.now();
    const snaplen = this.options.snaplen;
    const keep = nbytes < snaplen ? nbytes : snaplen;
    if (this.n === this.batchPackets || this.pos + keep > this.data.length) this.flush();
    const i = this.n;
    this.buffer.copy(this.data, this.pos, 0, keep);
    this.offset[i] = this.pos;
    this.caplen[i] = keep;
    this.wirelen[i] = nbytes;
    const sec = Math.floor(ms / 1000);
    let usec = Math.floor((ms - sec * 1000) * 1000);
    if (usec < 0) usec = 0; else if (usec > 999_999) usec = 999_999;
    this.tsSec[i] = sec;
    this.tsNsec[i] = usec * 1000;
    this.n = i + 1;
    this.pos += keep;
    this.packets++;
    this.bytes += nbytes;
    const limit = this.options.count;
    if (limit !== null && this.packets >= limit) this.stop('count');
  }

  /** Posts the filled part of the batch (copies, so the arrays are reused at once). */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    send({
      type: 'batch',
      count: n,
      data: this.data.slice(0, this.pos),
      offset: this.offset.slice(0, n),
      caplen: this.caplen.slice(0, n),
      wirelen: this.wirelen.slice(0, n),
      tsSec: this.tsSec.slice(0, n),
      tsNsec: this.tsNsec.slice(0, n),
    });
    this.n = 0;
    this.pos = 0;
  }

  /** Closes the device, posts what is left and the totals, then exits. Idempotent. */
  stop(reason: CaptureStopReason): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    // Safe inside the packet callback: cap finishes its dispatch loop, then closes.
    this.handle.close();
    this.flush();
    exitAfter({ type: 'stopped', reason, packets: this.packets, bytes: this.bytes });
  }
}

function onMessage(m: ToCaptureWorker): void {
  if (m.type === 'stop') {
    if (session !== undefined) session.stop('stopped');
    else process.exit(0);
    return;
  }
  if (session !== undefined) return;
  const opened = openDevice(m.options);
  if (!('handle' in opened)) {
    exitAfter({ type: 'error', error: opened });
    return;
  }
  if (m.validateOnly) {
    opened.handle.close();
    exitAfter({ type: 'validated' });
    return;
  }
  const linkType = linkTypeOfCapName(opened.linkName);
  if (linkType === null) {
    exitAfter({ type: 'error', error: { field: 'interface', code: 'unsupported', message: `interface: "${m.options.interface}" has a link type cap cannot name (${opened.linkName})` } });
    return;
  }
  session = new LiveCapture(opened.handle, opened.buffer, m.options, m.batchPackets, m.flushMs);
  send({ type: 'started', linkType, linkTypeName: opened.linkName });
}

process.on('message', (m) => onMessage(m as ToCaptureWorker));
// Ctrl-C in a terminal reaches the whole process group: stop cleanly like a 'stop' message.
process.on('SIGINT', () => session?.stop('signal'));
process.on('SIGTERM', () => session?.stop('signal'));
process.on('disconnect', () => {
  if (session !== undefined) session.stop('parent_gone');
  else process.exit(0);
});
