/**
 * Flowbench's own libpcap binding (`@flowbench/pcap-live`, native/pcap-live), loaded lazily
 * with createRequire and typed here; errors become values naming what failed.
 *
 * Why not `cap` any more (docs/decisions/0003-capture-backend.md): cap forced immediate mode
 * and a 65535-byte snaplen, so on lo libpcap gave each packet a 128 KiB ring slot (256 packets
 * in 32 MiB), and it dropped libpcap's per-packet header and pcap_stats. This binding leaves
 * immediate mode off (TPACKET_V3 packs packets into blocks), passes libpcap's timestamps
 * (nanoseconds where the device has them) and original lengths, and reports drop counts.
 *
 * read() runs on a libuv pool thread and never blocks the JS thread for longer than a call
 * (see native/pcap-live/src/pcap_live.c); it still runs in the capture child process
 * (capture.worker.ts), which keeps a capture's handles and buffers out of the app process.
 */
import { createRequire } from 'node:module';
import { err, ok, type AppError, type ErrorCode, type Result } from '../../src-shared/result.js';

/** Bytes before each record's data: ts_sec, ts_nsec, caplen, len (u32, host byte order). */
export const RECORD_HEADER_BYTES = 16;

/** One address of a device, as pcap_findalldevs reports it (IPv4 and IPv6 only). */
export interface PcapAddress {
  readonly family: 'IPv4' | 'IPv6';
  readonly addr: string | null;
  readonly netmask: string | null;
  readonly broadaddr: string | null;
  readonly dstaddr: string | null;
}

/** One device, as pcap_findalldevs reports it. */
export interface PcapDevice {
  readonly name: string;
  readonly description: string | null;
  /** PCAP_IF_* bits (see {@link PCAP_IF}). */
  readonly flags: number;
  readonly addresses: readonly PcapAddress[];
}

/** PCAP_IF_* flags of pcap_findalldevs (pcap/pcap.h). */
export const PCAP_IF = { LOOPBACK: 0x1, UP: 0x2, RUNNING: 0x4 } as const;

/** libpcap's counters (pcap_stats): cumulative since the capture opened. */
export interface PcapStats {
  /** Packets that passed the filter (on Linux lo: both the outgoing and the incoming copy). */
  readonly received: number;
  /** Packets that passed the filter but found the kernel ring full (on lo: both copies count). */
  readonly dropped: number;
  /** Packets the interface or its driver dropped, whatever the filter (Linux: /proc/net/dev). */
  readonly ifDropped: number;
}

/** What the device was opened as. */
export interface PcapInfo {
  /** DLT_ value of pcap_datalink. */
  readonly dlt: number;
  readonly dltName: string | null;
  readonly snaplen: number;
  readonly nanoTimestamps: boolean;
}

/** Options of {@link openLive}. */
export interface OpenLiveOptions {
  readonly device: string;
  readonly filter: string;
  readonly snaplen: number;
  /** Kernel ring size (pcap_set_buffer_size). */
  readonly bufferBytes: number;
  readonly promisc: boolean;
  /** pcap_set_timeout: the longest a packet waits in a TPACKET_V3 block, and a read's wait. */
  readonly timeoutMs: number;
  /** pcap_set_immediate_mode; off keeps TPACKET_V3's packed blocks. */
  readonly immediate?: boolean;
}

/** Why a device could not be opened or a filter compiled; `kind` follows the native error code. */
export interface PcapOpenError extends AppError {
  readonly kind: PcapErrorKind;
  /** libpcap's own text (pcap_geterr / pcap_statustostr). */
  readonly message: string;
}

/** What failed, from the addon's error code. */
export type PcapErrorKind = 'filter' | 'no_such_device' | 'permission' | 'not_up' | 'unavailable' | 'other';

const CODE_OF_KIND: Readonly<Record<PcapErrorKind, ErrorCode>> = {
  filter: 'invalid_argument', no_such_device: 'not_found', permission: 'permission_denied',
  not_up: 'io_error', unavailable: 'unsupported', other: 'io_error',
};

/** A PcapOpenError of `kind` with libpcap's `message`. */
export function pcapError(kind: PcapErrorKind, message: string): PcapOpenError {
  return { kind, code: CODE_OF_KIND[kind], message };
}

type Handle = { readonly __pcapLiveHandle: unique symbol };

/** The addon's exports (native/pcap-live/src/pcap_live.c). */
interface PcapLiveAddon {
  open(options: OpenLiveOptions): Handle;
  info(h: Handle): PcapInfo;
  read(h: Handle, buffer: Uint8Array): Promise<number>;
  stats(h: Handle): PcapStats;
  close(h: Handle): void;
  compileFilter(dlt: number, snaplen: number, filter: string): void;
  findAllDevs(): PcapDevice[];
  readonly libpcapVersion: string;
}

let loaded: Result<PcapLiveAddon> | undefined;

/** Loads the addon once; an error (not built, libpcap missing) is a value naming what to do. */
export function loadPcapLive(): Result<PcapLiveAddon> {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    loaded = ok(require('@flowbench/pcap-live') as PcapLiveAddon);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    loaded = err({
      code: 'unsupported',
      message: `live capture is unavailable: the @flowbench/pcap-live addon did not load (${reason}); ` +
        'install libpcap-dev and a C compiler, then run npm ci (or npm rebuild @flowbench/pcap-live)',
    });
  }
  return loaded;
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * An open capture. Owns its handle; `read` must not be called again before the previous read
 * settled, and the buffer given to `read` must not be touched (or transferred) until then.
 */
export class LiveHandle {
  private closed = false;

  private constructor(private readonly addon: PcapLiveAddon, private readonly h: Handle, readonly info: PcapInfo) {}

  /** Opens and activates a device, with the filter set; the error says which step failed. */
  static open(options: OpenLiveOptions): Result<LiveHandle, PcapOpenError> {
    const addon = loadPcapLive();
    if (!addon.ok) return err(pcapError('unavailable', addon.error.message));
    let h: Handle;
    try {
      h = addon.value.open(options);
    } catch (e) {
      return err(pcapError(openErrorKind(errorCode(e)), errorText(e)));
    }
    try {
      return ok(new LiveHandle(addon.value, h, addon.value.info(h)));
    } catch (e) {
      addon.value.close(h);
      return err(pcapError('other', errorText(e)));
    }
  }

  /**
   * Copies ready packets into `buffer` as packed records (see {@link forEachRecord}) and
   * resolves with their count; waits at most about `timeoutMs` when none is ready (then 0).
   * The addon holds a reference to `buffer` until the promise settles.
   */
  read(buffer: Uint8Array): Promise<number> {
    try {
      return this.addon.read(this.h, buffer);
    } catch (e) {
      // Refused before any work was queued (closed, busy, buffer too small): same channel.
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** libpcap's drop counters; not while a read is pending (the addon refuses: ERR_PCAP_BUSY). */
  stats(): Result<PcapStats> {
    try {
      return ok(this.addon.stats(this.h));
    } catch (e) {
      return err({ code: 'io_error', message: `cannot read the capture's drop counters: ${errorText(e)}` });
    }
  }

  /** Closes the device (after a pending read completes). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.h);
  }

  /** Smallest read buffer: two records of the largest packet the snaplen lets through (pcap_live.c, drain). */
  get minReadBytes(): number {
    return 2 * (RECORD_HEADER_BYTES + ((this.info.snaplen + 3) & ~3));
  }
}

function openErrorKind(code: string): PcapErrorKind {
  switch (code) {
    case 'ERR_PCAP_FILTER': return 'filter';
    case 'ERR_PCAP_NO_SUCH_DEVICE': return 'no_such_device';
    case 'ERR_PCAP_PERM': return 'permission';
    case 'ERR_PCAP_IFACE_NOT_UP': return 'not_up';
    default: return 'other';
  }
}

/**
 * Walks `count` packed records of `buffer` (as read() wrote them): for each, the byte offset
 * of its data, its captured and original lengths and its timestamp. Returns the bytes used.
 * Layout per record, 4-byte aligned, host byte order: u32 ts_sec, u32 ts_nsec, u32 caplen,
 * u32 len, caplen bytes of data, zero padding to a multiple of 4.
 */
export function forEachRecord(
  buffer: Uint8Array,
  count: number,
  fn: (dataOffset: number, caplen: number, len: number, tsSec: number, tsNsec: number) => void,
): number {
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >>> 2);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const w = pos >>> 2;
    const caplen = words[w + 2]!;
    fn(pos + RECORD_HEADER_BYTES, caplen, words[w + 3]!, words[w]!, words[w + 1]!);
    pos += RECORD_HEADER_BYTES + ((caplen + 3) & ~3);
  }
  return pos;
}

/** Compiles `filter` for a link type (DLT_) without any device: null when valid, else libpcap's message. */
export function compileFilter(dlt: number, snaplen: number, filter: string): Result<null, PcapOpenError> {
  const addon = loadPcapLive();
  if (!addon.ok) return err(pcapError('unavailable', addon.error.message));
  try {
    addon.value.compileFilter(dlt, snaplen, filter);
    return ok(null);
  } catch (e) {
    return err(pcapError(errorCode(e) === 'ERR_PCAP_FILTER' ? 'filter' : 'other', errorText(e)));
  }
}

/** pcap_findalldevs. */
export function findAllDevs(): Result<PcapDevice[]> {
  const addon = loadPcapLive();
  if (!addon.ok) return addon;
  try {
    return ok(addon.value.findAllDevs());
  } catch (e) {
    return err({ code: 'io_error', message: `cannot list capture interfaces: ${errorText(e)}` });
  }
}

/**
 * LINKTYPE_ number (pcap/pcapng files) for a DLT_ value (pcap_datalink). They are equal except
 * DLT_RAW, whose value differs between platforms (12 or 14) while LINKTYPE_RAW is 101, and
 * a few legacy BSD values in 7..19 that a Linux capture does not produce (kept as they are).
 */
export function linkTypeOfDlt(dlt: number): number {
  if (dlt === 12 || dlt === 14) return 101;
  return dlt;
}

/**
 * DLT_ a Linux device will be opened with, from its ARPHRD_ type (/sys/class/net/IF/type),
 * for checking a filter before the device is opened: Ethernet and loopback are DLT_EN10MB,
 * tun-style devices without a link header DLT_RAW, the `any` pseudo-device DLT_LINUX_SLL.
 * Null where unknown (the filter is then checked when the device opens).
 */
export function dltOfArphrd(arphrd: number | null, device: string): number | null {
  if (device === 'any') return 113;
  if (arphrd === 1 || arphrd === 772) return 1; // ARPHRD_ETHER, ARPHRD_LOOPBACK
  if (arphrd === 65534) return 12; // ARPHRD_NONE (tun)
  return null;
}
