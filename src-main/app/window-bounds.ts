/**
 * The main window's remembered geometry and the check that keeps a restored window on a
 * screen that still exists (a laptop undocked from its monitor must not open off-screen).
 * Pure: displays come in as rectangles.
 */

/** A rectangle in screen coordinates (DIP). */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What is saved between runs. */
export interface WindowState {
  /** Bounds to restore; null = let the system place a default-sized window. */
  readonly bounds: Rect | null;
  readonly maximized: boolean;
}

/** The smallest window the UI lays out in. */
export const MIN_WINDOW_SIZE = { width: 800, height: 560 } as const;

/** Size of a first-start window. */
export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;

/** How much of the window (title bar area) must be on a display to count as visible. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a rectangle from untrusted JSON, or null. */
function parseRect(v: unknown): Rect | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  const { x, y, width, height } = r;
  if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(width) || !isFiniteNumber(height)) return null;
  return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) };
}

/** Area shared by two rectangles (0 when disjoint). */
function overlap(a: Rect, b: Rect): Rect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - x);
  const height = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - y);
  return { x, y, width, height };
}

/**
 * Turns a saved state (any JSON) into one safe to restore on the current displays: bounds
 * are dropped when malformed or when the window's top strip is not on any display's work
 * area enough to grab it; sizes are raised to the minimum and clipped to the largest display.
 */
export function sanitizeWindowState(saved: unknown, workAreas: readonly Rect[]): WindowState {
  const raw = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const maximized = raw['maximized'] === true;
  const rect = parseRect(raw['bounds']);
  if (rect === null || workAreas.length === 0) return { bounds: null, maximized };
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const bounds: Rect = {
    x: rect.x,
    y: rect.y,
    width: Math.min(Math.max(rect.width, MIN_WINDOW_SIZE.width), Math.max(maxWidth, MIN_WINDOW_SIZE.width)),
    height: Math.min(Math.max(rect.height, MIN_WINDOW_SIZE.height), Math.max(maxHeight, MIN_WINDOW_SIZE.height)),
  };
  const titleStrip: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: MIN_VISIBLE.height };
  const visible = workAreas.some((area) => {
    const o = overlap(titleStrip, area);
    return o.width >= Math.min(MIN_VISIBLE.width, bounds.width) && o.height >= MIN_VISIBLE.height;
  });
  return { bounds: visible ? bounds : null, maximized };
}
