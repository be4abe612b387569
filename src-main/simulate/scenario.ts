/**
 * Scenario definitions: which injected events a scenario carries, where they fall (seeded,
 * whole seconds, non-overlapping), and the baseline's rate shape (diurnal by time of day, or a
 * step at mid-capture). Pure: no I/O, no packets.
 */
import { assertNever } from '../../src-shared/assert-never.js';
import type { Rng } from './rng.js';

/** Scenario names the CLI accepts. */
export const SCENARIOS = ['baseline', 'dos', 'scan', 'dns-tunnel', 'mixed'] as const;

/** A scenario name. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** Kinds of injected events (the label file's `kind`). */
export const EVENT_KINDS = ['syn_flood', 'udp_flood', 'quiet', 'spike', 'port_scan', 'dns_tunnel'] as const;

/** An injected event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** One labelled event: [from, to) in epoch seconds. */
export interface EventLabel {
  readonly kind: EventKind;
  readonly from: number;
  readonly to: number;
}

/** Rate shape of the baseline. */
export type RateShape = 'diurnal' | 'step' | 'flat';

/** The events each scenario injects, before placement. */
export function scenarioEvents(name: ScenarioName): readonly EventKind[] {
  switch (name) {
    case 'baseline': return [];
    case 'dos': return ['syn_flood', 'udp_flood'];
    case 'scan': return ['port_scan'];
    case 'dns-tunnel': return ['dns_tunnel'];
    case 'mixed': return ['syn_flood', 'quiet', 'port_scan', 'spike', 'dns_tunnel', 'udp_flood'];
    default: return assertNever(name);
  }
}

/**
 * Places the events in [start, start + duration): each in its own slot of the middle 85 % of
 * the capture, lasting clamp(duration / (3 × slots), 5, 120) s, at a seeded offset in its slot;
 * `mixed` shuffles the order. Times are whole seconds so events line up with 1 s windows.
 */
export function placeEvents(kinds: readonly EventKind[], start: number, duration: number, rng: Rng, shuffle: boolean): EventLabel[] {
  if (kinds.length === 0) return [];
  const order = [...kinds];
  if (shuffle) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const lo = Math.floor(duration * 0.1);
  const slot = Math.floor((duration * 0.85) / order.length);
  const length = Math.max(1, Math.min(120, Math.max(5, Math.floor(slot / 3)), slot - 1));
  return order.map((kind, k) => {
    const offset = lo + k * slot + rng.int(0, Math.max(0, slot - length - 1));
    return { kind, from: start + offset, to: start + offset + length };
  });
}

/** Baseline rate multiplier at epoch second `t` (mean about 1). */
export function rateShape(shape: RateShape, t: number, start: number, duration: number): number {
  switch (shape) {
    case 'flat': return 1;
    case 'step': return t - start < duration / 2 ? 0.8 : 1.2;
    case 'diurnal': {
      // Lowest at 00:00 UTC (0.6), highest at 12:00 (1.4).
      const secOfDay = ((t % 86400) + 86400) % 86400;
      return 1 + 0.4 * Math.sin((2 * Math.PI * (secOfDay - 21600)) / 86400);
    }
    default: return assertNever(shape);
  }
}

/** Largest value rateShape can return. */
export const MAX_SHAPE = 1.4;

/** Multiplier of new-flow rates during `quiet` and `spike` events. */
export const QUIET_FACTOR = 0.05;
export const SPIKE_FACTOR = 5;
