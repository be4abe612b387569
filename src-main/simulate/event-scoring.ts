/**
 * Scores flagged windows against a scenario's labelled events (bench/anomaly-dos.ts and its
 * test): an event is found when at least one flagged window overlaps its [from, to); a flag is
 * inside when its window [t, t + resolution) overlaps some event.
 */
import type { EventLabel } from './scenario.js';

/** One event and the flags that overlap it. */
export interface ScoredEvent extends EventLabel {
  readonly flags: number;
}

/** How well flags match the events. */
export interface EventScore {
  readonly events: readonly ScoredEvent[];
  readonly eventsFound: number;
  readonly flags: number;
  readonly flagsInside: number;
  /** eventsFound / events (1 when there are no events). */
  readonly eventShare: number;
  /** flagsInside / flags (0 when nothing was flagged). */
  readonly flagShare: number;
}

/** Scores window starts `flagged` (epoch seconds, windows of `resolution` s) against `events`. */
export function scoreFlags(events: readonly EventLabel[], flagged: readonly number[], resolution: number): EventScore {
  const overlaps = (t: number, e: EventLabel): boolean => t < e.to && t + resolution > e.from;
  const scored = events.map((e) => ({ ...e, flags: flagged.filter((t) => overlaps(t, e)).length }));
  const inside = flagged.filter((t) => events.some((e) => overlaps(t, e))).length;
  const found = scored.filter((e) => e.flags > 0).length;
  return {
    events: scored, eventsFound: found, flags: flagged.length, flagsInside: inside,
    eventShare: events.length === 0 ? 1 : found / events.length, flagShare: flagged.length === 0 ? 0 : inside / flagged.length,
  };
}
