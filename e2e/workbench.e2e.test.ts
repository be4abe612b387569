// Browser journeys: the real renderer in Debian's Chromium against a real `flowbench serve` on
// a fresh SQLite workspace, driven by playwright-core. Every journey starts its own server, so
// none depends on another's order; each saves screenshots under e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { corpusDir, readTruth } from '../test/corpus-paths.js';
import { buildReplayCapture } from '../test/replay-capture.js';
import { browserSkipReason, journey, screenshot, type Served } from './harness.js';

const skip = browserSkipReason() ?? false;
/** One TLS flow: the dashboard journey. */
const CAPTURE = 'ndpi__443-firefox.pcap';
/** 65 flows over 90 s (HTTP, TLS, DNS): the brush and filter journeys. */
const MANY_FLOWS = 'ndpi__netflix.pcap';

interface Truth {
  readonly packets: number;
  readonly wire_bytes: number;
}

/** Opens a capture through the page's file input (the upload path of "Open a capture…"). */
async function openThroughUi(page: Page, path: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(path);
}

/** Waits until the sidebar lists a source with the given status, and returns its id. */
async function sourceWithStatus(page: Page, status: string, timeout = 30_000): Promise<number> {
  const item = page.locator(`[data-testid="source-item"][data-status="${status}"]`).first();
  await item.waitFor({ timeout });
  return Number(await item.getAttribute('data-source-id'));
}

/** Reads one number from the workspace file the server writes (a second, independent reader). */
function sql(served: Served, query: string, ...args: unknown[]): number {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare(query).raw(true).get(...args) as unknown[] | undefined;
    return Number(row?.[0]);
  } finally {
    db.close();
  }
}

async function dataValue(page: Page, testId: string): Promise<number> {
  const v = await page.getByTestId(testId).getAttribute('data-value');
  return v === null || v === '' ? Number.NaN : Number(v);
}

async function waitForDataValue(page: Page, testId: string, predicate: (v: number) => boolean, timeout = 15_000): Promise<number> {
  const deadline = Date.now() + timeout;
  let v = Number.NaN;
  while (Date.now() < deadline) {
    v = await dataValue(page, testId);
    if (predicate(v)) return v;
    await page.waitForTimeout(100);
  }
  throw new Error(`${testId} never reached the expected value (last: ${v})`);
}

test('open a corpus capture: progress, then a dashboard whose totals equal the truth', { skip, timeout: 90_000 }, async () => {
  const truth = readTruth(CAPTURE) as Truth;
  await journey(async (page) => {
    await page.getByTestId('empty-state').waitFor();
    await screenshot(page, 'open-1-empty-state');
    await openThroughUi(page, join(corpusDir, 'pcap', CAPTURE));
    await page.getByTestId('job-row').first().waitFor();
    // A done row lingers 5 s: wait for it before anything else can use up that time.
    await page.locator('[data-testid="job-row"][data-phase="done"]').first().waitFor();
    await sourceWithStatus(page, 'complete');
    assert.equal(await waitForDataValue(page, 'total-packets', (v) => v > 0), truth.packets);
    assert.equal(await dataValue(page, 'total-bytes'), truth.wire_bytes);
    await page.getByTestId('volume-chart').locator('svg').first().waitFor();
    await page.getByTestId('conversation-row').first().waitFor();
    await page.getByTestId('talker-ip-row').first().waitFor();
    await screenshot(page, 'open-2-dashboard');
  });
});

test('brushing a time range narrows the totals and the flows table; reset restores them', { skip, timeout: 90_000 }, async () => {
  const truth = readTruth(MANY_FLOWS) as Truth;
  await journey(async (page, served) => {
    await openThroughUi(page, join(corpusDir, 'pcap', MANY_FLOWS));
    const sourceId = await sourceWithStatus(page, 'complete');
    await waitForDataValue(page, 'total-packets', (v) => v === truth.packets);

    const brush = page.getByTestId('brush');
    await brush.locator('svg').first().waitFor();
    const box = await brush.boundingBox();
    assert.ok(box !== null, 'the brush is on screen');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 8 });
    await page.mouse.up();
    const from = Number(await brush.getAttribute('data-from'));
    const to = Number(await brush.getAttribute('data-to'));
    assert.ok(Number.isFinite(from) && Number.isFinite(to) && from < to, `the brush set a range (${from}..${to})`);

    // Headline packets for the range equal the 1 s windows inside it, read independently.
    const expected = sql(served, 'SELECT coalesce(sum(packets), 0) FROM windows WHERE source_id = ? AND resolution = 1 AND t >= ? AND t < ?', sourceId, Math.floor(from), Math.ceil(to));
    const shown = await waitForDataValue(page, 'total-packets', (v) => v < truth.packets);
    assert.ok(shown > 0 && shown < truth.packets, `a strict subset of the packets is shown (${shown})`);
    const lo = sql(served, 'SELECT coalesce(sum(packets), 0) FROM windows WHERE source_id = ? AND resolution = 1 AND t >= ? AND t < ?', sourceId, Math.ceil(from), Math.floor(to));
    assert.ok(shown >= lo && shown <= expected, `range total ${shown} lies between the windows fully inside (${lo}) and touching (${expected}) the range`);
    await screenshot(page, 'brush-1-overview-zoomed');

    await page.getByTestId('view-flows').click();
    const allFlows = sql(served, 'SELECT count(*) FROM flows WHERE source_id = ?', sourceId);
    const inRange = await waitForDataValue(page, 'flows-total', (v) => Number.isFinite(v));
    assert.equal(inRange, sql(served, 'SELECT count(*) FROM flows WHERE source_id = ? AND last_ts >= ? AND first_ts < ?', sourceId, from, to));
    assert.ok(inRange < allFlows, `the flows table follows the range (${inRange} of ${allFlows})`);
    await screenshot(page, 'brush-2-flows-zoomed');

    await page.getByTestId('flows-reset-zoom').click();
    assert.equal(await waitForDataValue(page, 'flows-total', (v) => v === allFlows), allFlows);
    await page.getByTestId('view-overview').click();
    assert.equal(await waitForDataValue(page, 'total-packets', (v) => v === truth.packets), truth.packets);
  });
});

test('filtering flows by port, protocol and name matches the workspace', { skip, timeout: 90_000 }, async () => {
  await journey(async (page, served) => {
    await openThroughUi(page, join(corpusDir, 'pcap', MANY_FLOWS));
    const sourceId = await sourceWithStatus(page, 'complete');
    await page.getByTestId('view-flows').click();
    const all = sql(served, 'SELECT count(*) FROM flows WHERE source_id = ?', sourceId);
    await waitForDataValue(page, 'flows-total', (v) => v === all);
    await page.getByTestId('flow-row').first().waitFor();

    await page.getByTestId('flow-filter-port').fill('443');
    const port443 = sql(served, 'SELECT count(*) FROM flows WHERE source_id = ? AND (client_port = 443 OR server_port = 443)', sourceId);
    assert.ok(port443 > 0 && port443 < all, 'the port filter is a real subset');
    assert.equal(await waitForDataValue(page, 'flows-total', (v) => v === port443), port443);
    for (const text of await page.getByTestId('flow-row').allInnerTexts()) assert.match(text, /443/);
    await screenshot(page, 'filter-1-port-443');

    await page.getByTestId('flow-filter-port').fill('');
    await page.getByTestId('flow-filter-proto').selectOption({ label: 'UDP' });
    const udp = sql(served, 'SELECT count(*) FROM flows WHERE source_id = ? AND proto = 17', sourceId);
    assert.equal(await waitForDataValue(page, 'flows-total', (v) => v === udp), udp);

    await page.getByTestId('flow-filter-proto').selectOption({ index: 0 });
    const sni = sql(served, "SELECT count(*) FROM flows WHERE source_id = ? AND (instr(sni, 'netflix') > 0 OR instr(dns_query, 'netflix') > 0)", sourceId);
    assert.ok(sni > 0, 'the capture has flows naming netflix');
    await page.getByTestId('flow-filter-name').fill('netflix');
    assert.equal(await waitForDataValue(page, 'flows-total', (v) => v === sni), sni);
    const row = page.getByTestId('flow-row').first();
    const flowId = Number(await row.getAttribute('data-id'));
    await row.click();
    await page.getByTestId('flow-detail').waitFor();
    const chart = page.getByTestId('early-packets-chart');
    await chart.waitFor();
    const packets = sql(served, 'SELECT fwd_packets + bwd_packets FROM flows WHERE id = ?', flowId);
    assert.equal(await chart.locator('rect').count(), Math.min(30, packets), 'one bar per early packet');
    await screenshot(page, 'filter-2-name-and-detail');
  });
});

test('switching the theme changes the page colours and survives a reload', { skip, timeout: 60_000 }, async () => {
  await journey(async (page) => {
    const html = page.locator('html');
    const before = await html.getAttribute('data-theme');
    const bg = (): Promise<string> => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const bgBefore = await bg();
    await screenshot(page, `theme-1-${before ?? 'default'}`);
    await page.getByTestId('theme-toggle').click();
    const after = await html.getAttribute('data-theme');
    assert.notEqual(after, before, 'the theme attribute changed');
    assert.notEqual(await bg(), bgBefore, 'the background colour changed');
    await screenshot(page, `theme-2-${after ?? 'toggled'}`);
    await page.reload();
    assert.equal(await html.getAttribute('data-theme'), after, 'the choice is remembered');
  });
});

test('cancelling the ingest of a large capture keeps a partial source', { skip, timeout: 180_000 }, async () => {
  await journey(async (page, served) => {
    // ~10 M packets: a few seconds of ingest here, so the cancel lands mid-file.
    const big = buildReplayCapture(join(served.dir, 'big-replay.pcap'), 10_000_000);
    await openThroughUi(page, big.path);
    const running = page.locator('[data-testid="job-row"][data-phase="running"]').first();
    await running.waitFor({ timeout: 120_000 });
    await running.getByTestId('job-cancel').click();
    await page.locator('[data-testid="job-row"][data-phase="cancelled"]').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'cancel-1-cancelled');
    const id = await sourceWithStatus(page, 'partial');
    const kept = sql(served, 'SELECT packets FROM sources WHERE id = ?', id);
    assert.ok(kept < big.packets, `the source holds what was read before the cancel (${kept} of ${big.packets})`);
    await screenshot(page, 'cancel-2-partial');
  });
});

test('a damaged capture and a non-capture show readable errors, never a stack', { skip, timeout: 90_000 }, async () => {
  await journey(async (page) => {
    await openThroughUi(page, join(corpusDir, 'malformed', 'made__truncated_mid_record.pcap'));
    await sourceWithStatus(page, 'partial');
    const warning = page.getByTestId('error-message').first();
    await warning.waitFor();
    const text = await page.getByTestId('error-message').allInnerTexts();
    assert.ok(text.some((t) => /offset \d+/.test(t)), `a message names the byte offset: ${text.join(' | ')}`);
    await screenshot(page, 'errors-1-damaged');

    await openThroughUi(page, join(corpusDir, 'malformed', 'made__bad_magic.pcap'));
    await page.locator('[data-testid="job-row"][data-phase="failed"]').first().waitFor({ timeout: 30_000 });
    const failed = await page.locator('[data-testid="job-row"][data-phase="failed"] [data-testid="error-message"]').first().innerText();
    assert.match(failed, /made__bad_magic\.pcap|not a (pcap|capture)/i);
    for (const t of await page.getByTestId('error-message').allInnerTexts()) {
      assert.doesNotMatch(t, /\n\s+at |Error: /, 'no stack trace reaches the page');
    }
    await screenshot(page, 'errors-2-not-a-capture');
  });
});
