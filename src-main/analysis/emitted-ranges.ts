/**
 * The window starts a level has emitted, as a short sorted list of closed ranges, so a
 * reopened window can be flagged `partial` only when a row for it may really be out.
 *
 * Bounded: past `maxRanges` the two ranges with the smallest gap are joined, which turns the
 * answer for the seconds in between from "not emitted" into "maybe emitted" — conservative
 * (an extra merge), never wrong. A time-ordered capture is one range per gap that was not
 * joined; merged traces and interleaved interfaces need one range per source.
 */
export class EmittedRanges {
  private readonly step: number;
  private readonly maxRanges: number;
  /** Range k is [lo[k], hi[k]], sorted, disjoint and not adjacent (hi[k] + step < lo[k+1]). */
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];

  /** `step`: distance between consecutive window starts (the resolution). */
  constructor(step: number, maxRanges = 64) {
    this.step = step;
    this.maxRanges = Math.max(1, maxRanges);
  }

  /** Number of ranges held (bounded by maxRanges). */
  get size(): number {
    return this.lo.length;
  }

  /** True when a row starting at `t` may have been emitted. */
  has(t: number): boolean {
    const k = this.indexAtOrBefore(t);
    return k >= 0 && t <= this.hi[k]!;
  }

  /** Records that the window starting at `t` was emitted. */
  add(t: number): void {
    const lo = this.lo;
    const hi = this.hi;
    const step = this.step;
    const k = this.indexAtOrBefore(t);
    if (k >= 0 && t <= hi[k]!) return;
    const joinsPrev = k >= 0 && hi[k]! + step === t;
    const joinsNext = k + 1 < lo.length && lo[k + 1]! - step === t;
    if (joinsPrev && joinsNext) {
      hi[k] = hi[k + 1]!;
      lo.splice(k + 1, 1);
      hi.splice(k + 1, 1);
    } else if (joinsPrev) {
      hi[k] = t;
    } else if (joinsNext) {
      lo[k + 1] = t;
    } else {
      lo.splice(k + 1, 0, t);
      hi.splice(k + 1, 0, t);
      if (lo.length > this.maxRanges) this.joinClosest();
    }
  }

  /** Index of the last range with lo ≤ t, or -1. */
  private indexAtOrBefore(t: number): number {
    const lo = this.lo;
    let a = 0;
    let b = lo.length - 1;
    let found = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (lo[m]! <= t) {
        found = m;
        a = m + 1;
      } else {
        b = m - 1;
      }
    }
    return found;
  }

  private joinClosest(): void {
    const lo = this.lo;
    const hi = this.hi;
    let best = 0;
    for (let k = 1; k + 1 < lo.length; k++) if (lo[k + 1]! - hi[k]! < lo[best + 1]! - hi[best]!) best = k;
    hi[best] = hi[best + 1]!;
    lo.splice(best + 1, 1);
    hi.splice(best + 1, 1);
  }
}
