/**
 * Local capture interfaces with their addresses and flags (up, running, loopback).
 *
 * Names, addresses and the loopback flag come from libpcap's pcap_findalldevs (pcap-live addon).
 * On Linux `up` is read from /sys/class/net/IF/flags (IFF_UP) and `running` from its `carrier`
 * (the sysfs flags omit IFF_RUNNING, which the kernel derives from it) rather than from
 * libpcap's PCAP_IF_UP/RUNNING, because libpcap also marks pseudo-devices such as `any` or
 * `nflog` up and running: a flag that cannot be known (pseudo-device, another OS) is null,
 * never false and never a guess.
 */
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../../src-shared/result.js';
import { findAllDevs, PCAP_IF, type PcapDevice } from './pcap-live-binding.js';

/** One address of an interface. */
export interface InterfaceAddress {
  readonly family: 'IPv4' | 'IPv6';
  readonly address: string;
  readonly netmask: string | null;
}

/** A capture interface. */
export interface CaptureInterface {
  readonly name: string;
  readonly description: string | null;
  readonly addresses: readonly InterfaceAddress[];
  readonly loopback: boolean;
  /** Administratively up; null where unknown. */
  readonly up: boolean | null;
  /** Link running (carrier); null where unknown. */
  readonly running: boolean | null;
}

// <linux/if.h> interface flags.
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

/** Lists the interfaces libpcap can capture on, in libpcap's order. */
export function listInterfaces(): Result<CaptureInterface[]> {
  const devices = findAllDevs();
  if (!devices.ok) return devices;
  return ok(devices.value.map(toInterface));
}

/**
 * Finds one interface by name; a missing one is a `not_found` error that names the field and
 * lists the interfaces that exist.
 */
export function findInterface(name: string): Result<CaptureInterface> {
  const all = listInterfaces();
  if (!all.ok) return all;
  const found = all.value.find((i) => i.name === name);
  if (found !== undefined) return ok(found);
  const names = all.value.map((i) => i.name).join(', ');
  return err({ code: 'not_found', message: `interface: no capture interface named "${name}" (available: ${names || 'none'})` });
}

function toInterface(d: PcapDevice): CaptureInterface {
  const sys = sysFlags(d.name);
  const addresses: InterfaceAddress[] = [];
  for (const a of d.addresses) {
    if (a.addr === null) continue;
    addresses.push({ family: a.family, address: a.addr, netmask: a.netmask });
  }
  return {
    name: d.name,
    description: d.description,
    addresses,
    loopback: (d.flags & PCAP_IF.LOOPBACK) !== 0 || (sys !== null && (sys & IFF_LOOPBACK) !== 0),
    up: sys === null ? null : (sys & IFF_UP) !== 0,
    running: sys === null ? null : (sys & IFF_UP) !== 0 && carrier(d.name),
  };
}

/** The kernel's interface flags, or null where there is no such file (pseudo-device, not Linux). */
function sysFlags(name: string): number | null {
  if (process.platform !== 'linux' || name.includes('/') || name.startsWith('.')) return null;
  try {
    const v = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** Link carrier; reading it fails (EINVAL) while the interface is down. */
function carrier(name: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** "up,running,loopback" style summary of the flags; unknown flags print as "?". */
export function describeFlags(i: CaptureInterface): string {
  const parts: string[] = [];
  parts.push(i.up === null ? 'up?' : i.up ? 'up' : 'down');
  if (i.running !== null) parts.push(i.running ? 'running' : 'no-carrier');
  if (i.loopback) parts.push('loopback');
  return parts.join(',');
}
