/**
 * The simulation's unit of work: an actor emits packets in time order. `ScheduledActor` keeps
 * its own small queue of timed steps (a flow's future segments and ACKs), so a flow whose data
 * and ACKs interleave still hands the engine one packet at a time, oldest first.
 */
import type { FrameWriter } from './frame-writer.js';

/** What an actor may do when it runs: write frames, start other actors. */
export interface SimContext {
  readonly out: FrameWriter;
  spawn(actor: Actor): void;
}

/** Something that acts at time `t` (µs from the start) and may act again later. */
export interface Actor {
  /** Time of the next step, µs; meaningful while `done` is false. */
  readonly t: number;
  readonly done: boolean;
  /** Performs the step due at `t` (typically writes one packet). */
  step(ctx: SimContext): void;
}

/** A binary min-heap ordered by (t, insertion order): equal times keep their order. */
export class TimeHeap<T> {
  private readonly keys: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  /** Smallest time, or +∞ when empty. */
  peekTime(): number {
    return this.keys.length > 0 ? this.keys[0]! : Number.POSITIVE_INFINITY;
  }

  push(t: number, item: T): void {
    let i = this.items.length;
    const order = this.counter++;
    this.keys.push(t);
    this.orders.push(order);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, order, this.keys[p]!, this.orders[p]!)) break;
      this.move(p, i);
      i = p;
    }
    this.keys[i] = t;
    this.orders[i] = order;
    this.items[i] = item;
  }

  /** Removes and returns the earliest item (undefined when empty). */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    const t = this.keys.pop()!;
    const order = this.orders.pop()!;
    const item = this.items.pop()!;
    if (n > 1) {
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.less(this.keys[r]!, this.orders[r]!, this.keys[l]!, this.orders[l]!) ? r : l;
        if (!this.less(this.keys[c]!, this.orders[c]!, t, order)) break;
        this.move(c, i);
        i = c;
      }
      this.keys[i] = t;
      this.orders[i] = order;
      this.items[i] = item;
    }
    return top;
  }

  private less(t1: number, o1: number, t2: number, o2: number): boolean {
    return t1 < t2 || (t1 === t2 && o1 < o2);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.orders[to] = this.orders[from]!;
    this.items[to] = this.items[from]!;
  }
}

/** An actor driven by its own queue of timed steps; it is done when the queue is empty. */
export abstract class ScheduledActor implements Actor {
  private readonly queue = new TimeHeap<(ctx: SimContext) => void>();

  get t(): number {
    return this.queue.peekTime();
  }

  get done(): boolean {
    return this.queue.size === 0;
  }

  step(ctx: SimContext): void {
    this.queue.pop()?.(ctx);
  }

  /** Queues `fn` to run at time t (µs). */
  protected at(t: number, fn: (ctx: SimContext) => void): void {
    this.queue.push(t, fn);
  }
}
