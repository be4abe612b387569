import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_WINDOW_SIZE, sanitizeWindowState, type Rect } from './window-bounds.js';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const monitorRight: Rect = { x: 1440, y: 0, width: 2560, height: 1415 };

test('bounds on an attached display are restored as saved', () => {
  const saved = { bounds: { x: 100, y: 80, width: 1200, height: 760 }, maximized: false };
  assert.deepEqual(sanitizeWindowState(saved, [laptop]), saved);
  const onMonitor = { bounds: { x: 2000, y: 100, width: 1600, height: 1000 }, maximized: true };
  assert.deepEqual(sanitizeWindowState(onMonitor, [laptop, monitorRight]), onMonitor);
});

test('a window left on a monitor that is gone opens at the default place', () => {
  const saved = { bounds: { x: 2000, y: 100, width: 1600, height: 1000 }, maximized: true };
  assert.deepEqual(sanitizeWindowState(saved, [laptop]), { bounds: null, maximized: true });
});

test('a title bar above the screen or barely on it does not count as visible', () => {
  assert.equal(sanitizeWindowState({ bounds: { x: 100, y: -500, width: 1000, height: 700 } }, [laptop]).bounds, null);
  assert.equal(sanitizeWindowState({ bounds: { x: 1400, y: 100, width: 1000, height: 700 } }, [laptop]).bounds, null, '40 px visible');
  assert.notEqual(sanitizeWindowState({ bounds: { x: 1300, y: 100, width: 1000, height: 700 } }, [laptop]).bounds, null, '140 px visible');
});

test('sizes are raised to the minimum and clipped to the largest display', () => {
  const tiny = sanitizeWindowState({ bounds: { x: 10, y: 10, width: 50, height: 20 } }, [laptop]).bounds;
  assert.deepEqual(tiny, { x: 10, y: 10, width: MIN_WINDOW_SIZE.width, height: MIN_WINDOW_SIZE.height });
  const huge = sanitizeWindowState({ bounds: { x: 0, y: 0, width: 9000, height: 9000 } }, [laptop]).bounds;
  assert.deepEqual(huge, { x: 0, y: 0, width: 1440, height: 875 });
});

test('malformed or missing state falls back to defaults', () => {
  for (const saved of [null, 'x', 42, [], {}, { bounds: { x: 'a', y: 0, width: 1, height: 1 } }, { bounds: { x: Number.NaN, y: 0, width: 900, height: 600 } }]) {
    assert.deepEqual(sanitizeWindowState(saved, [laptop]), { bounds: null, maximized: false }, JSON.stringify(saved));
  }
  assert.deepEqual(sanitizeWindowState({ bounds: { x: 0, y: 0, width: 900, height: 600 } }, []), { bounds: null, maximized: false }, 'no displays');
});
