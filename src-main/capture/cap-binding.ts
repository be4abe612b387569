/**
 * Compatibility shim: the `cap` module is no longer used (docs/decisions/0003-capture-backend.md);
 * live capture goes through the pcap-live addon (pcap-live-binding.ts). Kept only because
 * src-main/workbench/capture-jobs.ts still imports `loadCap` to ask whether capture is
 * available; once that import reads `loadPcapLive` from './pcap-live-binding.js', delete this file.
 */
import type { Result } from '../../src-shared/result.js';
import { loadPcapLive } from './pcap-live-binding.js';

/** @deprecated Use `loadPcapLive` from pcap-live-binding.ts: ok when live capture can load here. */
export function loadCap(): Result<unknown> {
  return loadPcapLive();
}
