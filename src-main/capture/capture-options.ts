/**
 * Live-capture options and their validation. Field checks are pure; the BPF filter is
 * compiled by libpcap, for the device's link type before the capture starts and again when
 * the device opens (capture-session.ts), and its error names the `filter` field like every
 * other option error here.
 */
import { realpathSync } from 'node:fs';
import type { AppError, Result } from '../../src-shared/result.js';
import { err, ok } from '../../src-shared/result.js';
import type { PcapOpenError } from './pcap-live-binding.js';

/** What a live capture should do. */
export interface CaptureOptions {
  /** libpcap device name (`flowbench interfaces` lists them). */
  readonly interface: string;
  /** BPF capture filter (pcap-filter(7)); '' captures everything. */
  readonly filter: string;
  /** Bytes kept per packet (pcap_set_snaplen); longer packets are cut to this, `len` keeps their size. */
  readonly snaplen: number;
  /** Stop after this many seconds; null: no limit. */
  readonly durationSeconds: number | null;
  /** Stop after this many packets; null: no limit. */
  readonly count: number | null;
  /** libpcap's kernel buffer size in bytes. */
  readonly bufferBytes: number;
  /** Promiscuous mode (pcap_set_promisc): also packets not addressed to this host. */
  readonly promiscuous: boolean;
  /**
   * TCP ports of this host's own Flowbench UI traffic (the `flowbench serve` port) to leave out
   * of the capture; empty: nothing left out. Applied by {@link effectiveFilter}.
   */
  readonly excludeTcpPorts: readonly number[];
}

/** The option a validation error is about (UI shows the message at that field). */
export type CaptureField = 'interface' | 'filter' | 'snaplen' | 'durationSeconds' | 'count' | 'bufferBytes';

/** An error about one capture option. */
export interface CaptureOptionError extends AppError {
  readonly field: CaptureField;
}

/** Largest snaplen accepted (the IP maximum; libpcap itself would take up to 262144). */
export const MAX_SNAPLEN = 65535;
/**
 * Default kernel buffer (pcap_set_buffer_size). The device is opened without immediate mode,
 * so libpcap uses a TPACKET_V3 ring whose blocks pack packets back to back: 32 MiB holds on
 * the order of 10^5 small packets (with cap's immediate mode it held 256 on lo: one 128 KiB
 * slot a packet). See docs/decisions/0003-capture-backend.md for the measured figures.
 */
export const DEFAULT_BUFFER_BYTES = 32 * 1024 * 1024;
const MAX_BUFFER_BYTES = 1024 * 1024 * 1024;
const MAX_FILTER_CHARS = 8192;

/** Fills defaults and checks every field except the filter's BPF syntax (that needs libpcap). */
export function validateCaptureOptions(input: {
  readonly interface: string;
  readonly filter?: string;
  readonly snaplen?: number;
  readonly durationSeconds?: number | null;
  readonly count?: number | null;
  readonly bufferBytes?: number;
  readonly promiscuous?: boolean;
  readonly excludeTcpPorts?: readonly number[];
}): Result<CaptureOptions, CaptureOptionError> {
  const name = input.interface;
  if (name.trim() === '' || name.length > 255 || name.includes('\0')) {
    return fieldError('interface', 'invalid_argument', 'interface: a device name is required (see `flowbench interfaces`)');
  }
  const filter = input.filter ?? '';
  if (filter.includes('\0') || filter.length > MAX_FILTER_CHARS) {
    return fieldError('filter', 'invalid_argument', `filter: must be text of at most ${MAX_FILTER_CHARS} characters without NUL`);
  }
  const snaplen = input.snaplen ?? MAX_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < 14 || snaplen > MAX_SNAPLEN) {
    return fieldError('snaplen', 'invalid_argument', `snaplen: must be an integer from 14 to ${MAX_SNAPLEN}, got ${String(snaplen)}`);
  }
  const durationSeconds = input.durationSeconds ?? null;
  if (durationSeconds !== null && (!Number.isFinite(durationSeconds) || durationSeconds <= 0 || durationSeconds > 31 * 86400)) {
    return fieldError('durationSeconds', 'invalid_argument', `duration: must be a positive number of seconds (at most 31 days), got ${String(durationSeconds)}`);
  }
  const count = input.count ?? null;
  if (count !== null && (!Number.isSafeInteger(count) || count <= 0)) {
    return fieldError('count', 'invalid_argument', `count: must be a positive integer, got ${String(count)}`);
  }
  const bufferBytes = input.bufferBytes ?? DEFAULT_BUFFER_BYTES;
  if (!Number.isInteger(bufferBytes) || bufferBytes < 65536 || bufferBytes > MAX_BUFFER_BYTES) {
    return fieldError('bufferBytes', 'invalid_argument', `buffer size: must be an integer from 65536 to ${MAX_BUFFER_BYTES} bytes`);
  }
  const excludeTcpPorts = [...new Set(input.excludeTcpPorts ?? [])];
  if (excludeTcpPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    return fieldError('filter', 'invalid_argument', 'filter: the ports of this host\'s own traffic must be integers from 1 to 65535');
  }
  return ok({ interface: name, filter, snaplen, durationSeconds, count, bufferBytes, promiscuous: input.promiscuous ?? true, excludeTcpPorts });
}

/**
 * The BPF program the device gets: the user's filter, less this host's own UI traffic when
 * asked (pcap-filter(7): `(F) and not (tcp port A or tcp port B)`).
 */
export function effectiveFilter(options: Pick<CaptureOptions, 'filter' | 'excludeTcpPorts'>): string {
  if (options.excludeTcpPorts.length === 0) return options.filter;
  const own = `not (${options.excludeTcpPorts.map((p) => `tcp port ${p}`).join(' or ')})`;
  return options.filter.trim() === '' ? own : `(${options.filter}) and ${own}`;
}

function fieldError(field: CaptureField, code: AppError['code'], message: string): Result<never, CaptureOptionError> {
  return err({ field, code, message });
}

/** The binary that needs the capabilities: this process's executable, symlinks resolved. */
export function captureBinary(): string {
  try {
    return realpathSync(process.execPath);
  } catch {
    return process.execPath;
  }
}

/**
 * The sentence for a capture refused by the OS: exactly what to run, no stack. `detail` is
 * libpcap's own reason (kept short, for the record).
 */
export function permissionMessage(device: string, detail: string): string {
  const bin = captureBinary();
  return `interface: capturing on "${device}" needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities ` +
    `(${oneLine(detail)}). Grant them once with: sudo setcap cap_net_raw,cap_net_admin=eip ${bin} ` +
    '— or run flowbench elevated (sudo).';
}

/** True when libpcap's open error means the OS refused the capture for lack of privilege. */
export function isPermissionError(message: string): boolean {
  return /permission|not permitted|EPERM|EACCES/i.test(message);
}

/**
 * A classified open failure of the pcap-live addon: its error code says which step failed
 * (activation refused, no such device, the filter), so no guessing from the text is needed.
 */
export function classifyPcapError(device: string, filter: string, e: PcapOpenError): CaptureOptionError {
  switch (e.kind) {
    case 'permission': return { field: 'interface', code: 'permission_denied', message: permissionMessage(device, e.message) };
    case 'no_such_device': return { field: 'interface', code: 'not_found', message: `interface: cannot open "${device}": ${oneLine(e.message)}` };
    case 'not_up': return { field: 'interface', code: 'io_error', message: `interface: "${device}" is down: ${oneLine(e.message)}` };
    case 'filter': return { field: 'filter', code: 'invalid_argument', message: `filter: invalid capture filter "${oneLine(filter)}": ${oneLine(e.message)}` };
    case 'unavailable': return { field: 'interface', code: 'unsupported', message: e.message };
    case 'other': return classifyOpenError(device, filter, e.message, false);
  }
}

/** A libpcap open failure classified from its text: permission, missing device, bad filter or other. */
export function classifyOpenError(device: string, filter: string, message: string, filterSuspect: boolean): CaptureOptionError {
  if (isPermissionError(message)) return { field: 'interface', code: 'permission_denied', message: permissionMessage(device, message) };
  if (/no such device|doesn't exist|not found|No such/i.test(message)) {
    return { field: 'interface', code: 'not_found', message: `interface: cannot open "${device}": ${oneLine(message)}` };
  }
  if (filterSuspect) {
    return { field: 'filter', code: 'invalid_argument', message: `filter: invalid capture filter "${oneLine(filter)}": ${oneLine(message)}` };
  }
  return { field: 'interface', code: 'io_error', message: `interface: cannot capture on "${device}": ${oneLine(message)}` };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
