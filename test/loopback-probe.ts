/**
 * Whether live-capture tests can run here: they capture on the Linux loopback interface with
 * traffic they make themselves, which needs root or the capture capabilities.
 */
import { probeCapture } from '../src-main/capture/capture-session.js';

/** The loopback device the live-capture tests use. */
export const LO = 'lo';

/** False when `lo` can be opened for capture; otherwise why not (for `test(..., { skip })`). */
export function loopbackSkipReason(): Promise<string | false> {
  return Promise.resolve(skipReason());
}

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'live-capture tests use the Linux loopback interface';
  const probe = probeCapture(LO);
  if (probe.ok) return false;
  const who = process.getuid?.() === 0 ? 'root' : 'not root';
  return `cannot capture on ${LO} (${who}): ${probe.error.message}`;
}
