/**
 * The open windows of one resolution and the policy that closes them. Windows are sparse
 * (only seconds that hold packets exist) and bounded in number, whatever the capture's span
 * or the order of its timestamps.
 *
 * Closing policy, checked whenever a window is opened for a new start s:
 * - a window w with w.t < s - lag·resolution is "passed"; it closes once it has also gone
 *   `idleSwitches` window switches without a packet. The second condition keeps interleaved
 *   sources (merged pcapng interfaces, one ahead of another in time) from closing each
 *   other's windows; in a time-ordered stream it only delays closing by that many windows,
 *   which costs nothing for a file, and live capture closes on its clock (`closeBefore`);
 * - if more than `maxOpen` windows are open, the least recently touched one closes;
 * - `closeBefore(t)` (a live clock) and `closeAll()` (end of input) close the rest.
 * A packet for a window that already closed opens it again; the new row is flagged `partial`
 * when a row for that window may already be out, and the consumer merges the two additively.
 *
 * Closed windows go, in ascending start order within one closing step, to the `onClose`
 * callback (which emits a row and feeds the next coarser level) and back to a free pool.
 */
import { EmittedRanges } from './emitted-ranges.js';
import { OpenWindow } from './open-window.js';

/** Tuning of one level's closing policy. */
export interface WindowLevelOptions {
  /** Window length in seconds. */
  readonly resolution: number;
  /** Windows this many resolutions behind a newly opened one close (0: any older one). */
  readonly lag: number;
  /** Upper bound on simultaneously open windows. */
  readonly maxOpen: number;
  /** A passed window closes only after this many window switches without a packet. */
  readonly idleSwitches: number;
}

/** Open windows of one resolution, sorted by start time. */
export class WindowLevel {
  readonly resolution: number;
  private readonly lag: number;
  private readonly maxOpen: number;
  private readonly idleSwitches: number;
  private readonly onClose: (w: OpenWindow) => void;
  /** Open windows in ascending `t`. */
  private readonly open: OpenWindow[] = [];
  private readonly free: OpenWindow[] = [];
  private current: OpenWindow | null = null;
  private switches = 0;
  private nextId = 1;
  /** Starts of the windows emitted so far (a superset, bounded). */
  private readonly emitted: EmittedRanges;

  constructor(options: WindowLevelOptions, onClose: (w: OpenWindow) => void) {
    this.resolution = options.resolution;
    this.lag = options.lag;
    this.maxOpen = Math.max(1, options.maxOpen);
    this.idleSwitches = options.idleSwitches;
    this.onClose = onClose;
    this.emitted = new EmittedRanges(this.resolution);
  }

  /** Number of open windows (bounded by maxOpen). */
  get openCount(): number {
    return this.open.length;
  }

  /** The open window starting at `t` (a multiple of the resolution), opened if needed. */
  windowAt(t: number): OpenWindow {
    const cur = this.current;
    if (cur !== null && cur.t === t) return cur;
    const open = this.open;
    for (let k = open.length - 1; k >= 0; k--) {
      const w = open[k]!;
      if (w.t === t) {
        this.touch(w);
        return w;
      }
    }
    this.closePassed(t);
    if (open.length >= this.maxOpen) this.closeLeastRecent();
    const w = this.free.pop() ?? new OpenWindow();
    w.open(t, this.nextId++, this.emitted.has(t));
    let k = open.length;
    open.push(w);
    while (k > 0 && open[k - 1]!.t > t) {
      open[k] = open[k - 1]!;
      k--;
    }
    open[k] = w;
    this.touch(w);
    return w;
  }

  /** Closes every window that ends at or before `t` (live capture: the clock moved on). */
  closeBefore(t: number): void {
    const open = this.open;
    while (open.length > 0 && open[0]!.t + this.resolution <= t) this.closeAt(0);
  }

  /** Closes every open window, oldest first. */
  closeAll(): void {
    while (this.open.length > 0) this.closeAt(0);
  }

  private touch(w: OpenWindow): void {
    w.lastTouch = ++this.switches;
    this.current = w;
  }

  /** Closes the passed windows before a window starting at `t` opens (see class doc). */
  private closePassed(t: number): void {
    const open = this.open;
    const limit = t - this.lag * this.resolution;
    const idleSince = this.switches - this.idleSwitches;
    let k = 0;
    while (k < open.length) {
      const w = open[k]!;
      if (w.t >= limit) break;
      if (w.lastTouch <= idleSince) this.closeAt(k);
      else k++;
    }
  }

  private closeLeastRecent(): void {
    const open = this.open;
    let victim = 0;
    for (let k = 1; k < open.length; k++) if (open[k]!.lastTouch < open[victim]!.lastTouch) victim = k;
    this.closeAt(victim);
  }

  private closeAt(k: number): void {
    const open = this.open;
    const w = open[k]!;
    for (let j = k + 1; j < open.length; j++) open[j - 1] = open[j]!;
    open.pop();
    if (this.current === w) this.current = null;
    this.emitted.add(w.t);
    this.onClose(w);
    this.free.push(w);
  }
}
