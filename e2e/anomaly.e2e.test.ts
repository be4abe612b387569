// Anomaly and drift journeys: the real renderer in Debian's Chromium against a real
// `flowbench serve` on a fresh workspace. The NAB series ec2_network_in_257a54 is opened through
// the file input (a .csv becomes a series source), detection runs from the Overview, rows and
// chart markers appear, and a click on a row moves the shared brush to that window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { corpusDir } from '../test/corpus-paths.js';
import { browserSkipReason, journey, screenshot, waitAttr } from './harness.js';

const skip = browserSkipReason() ?? false;
const NAB_NAME = 'realAWSCloudwatch/ec2_network_in_257a54.csv';

/** Opens a file through the page's file input and waits for its source to be complete; returns its id. */
async function openThroughUi(page: Page, path: string, count: number): Promise<number> {
  await page.getByTestId('file-input').setInputFiles(path);
  const items = page.locator('[data-testid="source-item"][data-status="complete"]');
  await items.nth(count - 1).waitFor({ timeout: 30_000 });
  const ids = await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-source-id'))));
  return Math.max(...ids);
}

async function selectSource(page: Page, id: number): Promise<void> {
  await page.locator(`[data-testid="source-item"][data-source-id="${id}"]`).click();
  await page.locator(`[data-testid="source-item"][data-source-id="${id}"][aria-selected="true"]`).waitFor();
}

function labelledWindows(): [number, number][] {
  const labels = JSON.parse(readFileSync(join(corpusDir, 'timeseries', 'labels.json'), 'utf8')) as { windows: Record<string, [string, string][]> };
  const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T').replace(/\.\d+$/, '')}Z`) / 1000;
  return (labels.windows[NAB_NAME] ?? []).map(([a, b]) => [utc(a), utc(b)]);
}

test('detect anomalies on the NAB series: rows, markers, and a click moves the brush to the window', { skip, timeout: 120_000 }, async () => {
  await journey(async (page) => {
    await page.getByTestId('empty-state').waitFor();
    const id = await openThroughUi(page, join(corpusDir, 'timeseries', NAB_NAME), 1);
    await selectSource(page, id);
    // A series source draws its value column.
    await waitAttr(page, '[data-testid="volume-chart"]', 'data-points', (v) => Number(v) > 100);

    await page.getByTestId('anomaly-contamination').fill('0.05');
    await page.getByTestId('detect-anomalies').click();
    const count = Number(await waitAttr(page, '[data-testid="anomalies-count"]', 'data-value', (v) => Number(v) > 0, 60_000));
    // 5 % of the 4 032 five-minute windows.
    assert.ok(count >= 180 && count <= 230, `${count} flagged`);
    const rows = page.getByTestId('anomaly-row');
    assert.equal(await rows.count(), count);
    const ts = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-t'))));
    const severities = new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-severity'))));
    assert.ok([...severities].every((s) => s === 'low' || s === 'medium' || s === 'high'));
    assert.ok(severities.has('high'));
    const [win] = labelledWindows();
    assert.ok(win !== undefined);
    const inside = ts.filter((t) => t >= win[0] && t <= win[1]);
    assert.ok(inside.length > 0, 'a flag inside the labelled window');

    // Markers on the volume chart at flagged windows (capped at 400 per chart; here all fit).
    const volumeMarkers = page.getByTestId('volume-chart').getByTestId('anomaly-marker');
    await volumeMarkers.first().waitFor();
    assert.equal(await volumeMarkers.count(), count);
    const markerTs = new Set(await volumeMarkers.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-t')))));
    assert.ok(ts.every((t) => markerTs.has(t)));
    await page.getByTestId('volume-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'anomaly-1-detected');

    // Click the flag inside the labelled window: the brush range now holds it.
    const t = inside[0]!;
    await page.locator(`[data-testid="anomaly-row"][data-t="${t}"]`).click();
    await waitAttr(page, '[data-testid="brush"]', 'data-from', (v) => v !== '');
    const brush = page.getByTestId('brush');
    const from = Number(await brush.getAttribute('data-from'));
    const to = Number(await brush.getAttribute('data-to'));
    assert.ok(from <= t && t < to, `brush [${from}, ${to}) holds ${t}`);
    assert.ok(to - from <= 49 * 300 + 1e-6, `zoomed to the window's neighbourhood, got ${to - from} s`);
    // The zoomed chart still marks that window, and the row shows as in view.
    await page.locator(`[data-testid="volume-chart"] [data-testid="anomaly-marker"][data-t="${t}"]`).waitFor();
    assert.equal(await page.locator(`[data-testid="anomaly-row"][data-t="${t}"]`).getAttribute('aria-selected'), 'true');
    await page.getByTestId('volume-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'anomaly-2-row-clicked');
  });
});

test('drift between corpus captures: a capture against itself is stable, against another capture it shifts', { skip, timeout: 120_000 }, async () => {
  await journey(async (page) => {
    await page.getByTestId('empty-state').waitFor();
    const firefox = await openThroughUi(page, join(corpusDir, 'pcap', 'ndpi__443-firefox.pcap'), 1);
    const kakao = await openThroughUi(page, join(corpusDir, 'pcap', 'ndpi__KakaoTalk_talk.pcap'), 2);
    await selectSource(page, firefox);

    await page.getByTestId('drift-reference').selectOption(`source:${firefox}`);
    await page.getByTestId('drift-compared').selectOption(`source:${firefox}`);
    await page.getByTestId('drift-run').click();
    await page.locator('[data-testid="drift-verdict"][data-verdict="stable"]').waitFor();
    const selfPsi = await page.getByTestId('drift-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-psi'))));
    assert.ok(selfPsi.length === 5 && selfPsi.every((p) => p === 0), JSON.stringify(selfPsi));

    await page.getByTestId('drift-compared').selectOption(`source:${kakao}`);
    await page.getByTestId('drift-run').click();
    await waitAttr(page, '[data-testid="drift-verdict"]', 'data-verdict', (v) => v !== '' && v !== 'stable');
    const psi = await page.getByTestId('drift-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-psi'))));
    assert.ok(psi.some((p) => p > 0));
    // Rows sorted by contribution (PSI), largest first, among the dimensions with data.
    const verdicts = await page.getByTestId('drift-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
    const withData = psi.filter((_, i) => verdicts[i] !== 'no data');
    assert.ok(withData.every((p, i) => i === 0 || p <= withData[i - 1]!));
    await page.getByTestId('drift-panel').scrollIntoViewIfNeeded();
    await screenshot(page, 'anomaly-3-drift');
  });
});
