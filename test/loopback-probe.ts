/**
 * Whether live-capture tests can run here: they capture on the Linux loopback interface with
 * traffic they make themselves, which needs root or the capture capabilities.
 */
import { validateCaptureFilter } from '../src-main/capture/capture-session.js';

/** The loopback device the live-capture tests use. */
export const LO = 'lo';

/** False when `lo` can be opened with a filter; otherwise why not (for `test(..., { skip })`). */
export async function loopbackSkipReason(): Promise<string | false> {
  if (process.platform !== 'linux') return 'live-capture tests use the Linux loopback interface';
  const probe = await validateCaptureFilter(LO, 'udp');
  if (probe.ok) return false;
  const who = process.getuid?.() === 0 ? 'root' : 'not root';
  return `cannot capture on ${LO} (${who}): ${probe.error.message}`;
}
