// Electron journeys: the same renderer inside the real desktop shell (preload bridge, IPC,
// app:// protocol), through playwright-core's Electron support. Where no Electron binary can
// run (offline machines such as CI here), each journey is reported as skipped with the reason
// the probe gives (the same probe `npm start` uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { readTruth } from '../test/corpus-paths.js';
import { electronAvailability, electronLaunchOptions } from './electron-launch.js';
import { screenshot } from './harness.js';

const availability = electronAvailability();
const skip = availability.available ? false : `Electron cannot run here: ${availability.reason}`;

/** Launches the shell on a fresh profile, runs `body` on its window, always closes it. */
async function desktopJourney(body: (page: Page, app: ElectronApplication) => Promise<void>): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'flowbench-electron-'));
  const options = electronLaunchOptions(profile);
  assert.ok(options !== null, 'the probe said Electron is available');
  const app = await _electron.launch(options);
  try {
    const page = await app.firstWindow();
    await body(page, app);
  } finally {
    await app.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

test('desktop: the sample capture opens from the empty state and its totals equal the truth', { skip, timeout: 90_000 }, async () => {
  // assets/sample-capture.pcap is zeek__bro.org.pcap of the corpus.
  const truth = readTruth('zeek__bro.org.pcap') as { packets: number; wire_bytes: number };
  await desktopJourney(async (page) => {
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('open-sample').click();
    await page.locator('[data-testid="source-item"][data-status="complete"]').first().waitFor({ timeout: 30_000 });
    await page.locator(`[data-testid="total-packets"][data-value="${truth.packets}"]`).waitFor();
    assert.equal(Number(await page.getByTestId('total-bytes').getAttribute('data-value')), truth.wire_bytes);
    await screenshot(page, 'electron-1-sample-dashboard');
  });
});

test('desktop: the page has no Node and only the contract bridge', { skip, timeout: 60_000 }, async () => {
  await desktopJourney(async (page) => {
    const globals = await page.evaluate<{ require: string; process: string; bridge: string[] }>(
      '({ require: typeof require, process: typeof process, bridge: Object.keys(window.flowbench ?? {}).sort() })',
    );
    assert.equal(globals.require, 'undefined');
    assert.equal(globals.process, 'undefined');
    assert.deepEqual(globals.bridge, ['call', 'on', 'onMenu', 'openCaptureDialog', 'pathForFile']);
  });
});

test('desktop: switching the theme changes the page colours', { skip, timeout: 60_000 }, async () => {
  await desktopJourney(async (page) => {
    const before = await page.locator('html').getAttribute('data-theme');
    await page.getByTestId('theme-toggle').click();
    assert.notEqual(await page.locator('html').getAttribute('data-theme'), before);
    await screenshot(page, 'electron-2-theme');
  });
});
