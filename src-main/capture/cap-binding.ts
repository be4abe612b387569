/**
 * The `cap` native module (libpcap bindings), loaded lazily and typed to the part we use.
 *
 * Two facts about cap shape the capture design (measured with cap 0.2.1):
 * - It polls the capture descriptor on `uv_default_loop()`, the process's main loop, so a
 *   capture opened in a worker_thread fires its packet callback on the main thread with the
 *   worker's isolate and aborts the process ("Cannot create a handle without a HandleScope").
 *   A capture therefore runs in its own child process (capture.worker.ts), on that process's
 *   main thread; listing devices (no polling) is safe anywhere.
 * - `open()` keeps only a raw pointer to the Buffer it is given: the Buffer must stay
 *   referenced from JS for as long as the capture lives (DESIGN, This environment).
 * It reports no per-packet timestamp and no original length (only the copied length), never
 * reports drop counts, always sets promiscuous mode and a 65535-byte snaplen, and turns on
 * immediate mode when it can dlopen("libpcap.so") (installed with libpcap-dev): libpcap then
 * uses a TPACKET_V2 ring of one 128 KiB slot per packet on lo, so `bufferBytes` / 128 KiB
 * packets is all the kernel holds while the worker is not scheduled (capture-options.ts).
 * Without libpcap.so it stays in TPACKET_V3 with cap's 1 s timeout (packets up to 1 s late).
 */
import { createRequire } from 'node:module';
import { err, ok, type Result } from '../../src-shared/result.js';

/** One address of a device as cap (pcap_findalldevs) reports it. */
export interface CapAddress {
  readonly addr?: string;
  readonly netmask?: string;
  readonly broadaddr?: string;
  readonly dstaddr?: string;
}

/** One device as cap reports it. */
export interface CapDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly CapAddress[];
  /** 'PCAP_IF_LOOPBACK' or absent: the only flag cap passes on. */
  readonly flags?: string;
}

/** A capture handle. */
export interface CapHandle {
  /** Opens the device; returns cap's link-type name; throws libpcap's message on failure. */
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
}

/** The module's exports. */
export interface CapModule {
  readonly Cap: {
    new (): CapHandle;
    deviceList(): CapDevice[];
  };
}

let loaded: Result<CapModule> | undefined;

/** Loads cap once; an error (not built, libpcap missing) is a value naming what to install. */
export function loadCap(): Result<CapModule> {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    loaded = ok(require('cap') as CapModule);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    loaded = err({
      code: 'unsupported',
      message: `live capture is unavailable: the cap module did not load (${reason}); install libpcap-dev and rebuild cap (npm rebuild cap)`,
    });
  }
  return loaded;
}

/** LINKTYPE_ number for cap's link-type name (cap names DLT values; these five are all it names). */
export function linkTypeOfCapName(name: string): number | null {
  switch (name) {
    case 'NULL': return 0;
    case 'ETHERNET': return 1;
    case 'RAW': return 101;
    case 'LINKTYPE_LINUX_SLL': return 113;
    case 'IEEE802_11_RADIO': return 127;
    default: {
      // "Unknown linktype N": N is a DLT value, equal to the LINKTYPE_ value outside 7..19 / 104+.
      const m = /^Unknown linktype (\d+)$/.exec(name);
      return m === null ? null : Number(m[1]);
    }
  }
}
