// Browser journey: the Simulate dialog in the real renderer (Debian's Chromium) against a real
// `flowbench serve`: generate a short DoS scenario, see it open as a source whose totals equal
// the workspace file, with its labelled events listed and drawn on the volume chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { browserSkipReason, journey, screenshot, waitAttr, type Served } from './harness.js';

const skip = browserSkipReason() ?? false;

function row(served: Served, query: string, ...args: unknown[]): unknown[] {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(query).raw(true).get(...args) as unknown[] | undefined) ?? [];
  } finally {
    db.close();
  }
}

test('simulate a DoS scenario from the dialog: it opens as a source with its events shown', { skip, timeout: 90_000 }, async () => {
  await journey(async (page, served) => {
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('open-simulate').click();
    const dialog = page.getByTestId('simulate-dialog');
    await dialog.waitFor();
    await page.getByTestId('simulate-scenario').selectOption('dos');
    await page.getByTestId('simulate-duration').fill('45');
    await page.getByTestId('simulate-rate').fill('200');
    await page.getByTestId('simulate-shape').selectOption('flat');
    await page.getByTestId('simulate-seed').fill('7');
    // A bad name is refused at the field, before anything runs.
    await page.getByTestId('simulate-name').fill('../dos');
    await page.getByTestId('simulate-start').click();
    await page.getByTestId('simulate-error').waitFor();
    assert.equal(await page.getByTestId('simulate-name').getAttribute('aria-invalid'), 'true');
    await page.getByTestId('simulate-name').fill('journey-dos');
    await screenshot(page, 'simulate-1-dialog');
    await page.getByTestId('simulate-start').click();
    await dialog.waitFor({ state: 'detached' });
    // The simulate job's done row lingers 5 s: wait for it at once.
    await page.locator('[data-testid="job-row"][data-kind="simulate"][data-phase="done"]').first().waitFor({ timeout: 60_000 });
    const item = page.locator('[data-testid="source-item"][data-status="complete"]').first();
    await item.waitFor({ timeout: 30_000 });
    const sourceId = Number(await item.getAttribute('data-source-id'));

    // The capture and its labels sit beside the workspace; the source is that file.
    const pcap = join(served.dir, 'simulated', 'journey-dos.pcapng');
    assert.ok(existsSync(pcap), `${pcap} written`);
    const labels = JSON.parse(readFileSync(join(served.dir, 'simulated', 'journey-dos.labels.json'), 'utf8')) as { kind: string; from: number; to: number }[];
    assert.deepEqual(labels.map((e) => e.kind).sort(), ['syn_flood', 'udp_flood']);
    const [path, packets, bytes] = row(served, 'SELECT path, packets, bytes FROM sources WHERE id = ?', sourceId);
    assert.equal(path, pcap);

    // Headline totals equal what the workspace file says.
    await waitAttr(page, '[data-testid="total-packets"]', 'data-value', (v) => v !== '' && Number(v) === Number(packets));
    assert.equal(Number(await page.getByTestId('total-bytes').getAttribute('data-value')), Number(bytes));
    const [flows] = row(served, 'SELECT count(*) FROM flows WHERE source_id = ?', sourceId);
    await waitAttr(page, '[data-testid="total-flows"]', 'data-value', (v) => v !== '' && Number(v) === Number(flows));

    // The events: listed, and drawn as bands on the volume chart, at the label file's times.
    await page.getByTestId('source-events').waitFor();
    const rows = page.getByTestId('event-row');
    assert.equal(await rows.count(), labels.length);
    const shown = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}@${e.getAttribute('data-from')}-${e.getAttribute('data-to')}`));
    assert.deepEqual(shown.sort(), labels.map((e) => `${e.kind}@${e.from}-${e.to}`).sort());
    await page.locator('[data-testid="volume-chart"] [data-testid="event-band"]').first().waitFor();
    const bands = await page.locator('[data-testid="volume-chart"] [data-testid="event-band"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    assert.deepEqual(bands.sort(), ['syn_flood', 'udp_flood']);
    await screenshot(page, 'simulate-2-overview-events');

    // A row zooms the dashboard to its event: the totals become the event's windows.
    const syn = labels.find((e) => e.kind === 'syn_flood')!;
    await page.locator(`[data-testid="event-row"][data-kind="syn_flood"]`).click();
    const [inEvent] = row(served, 'SELECT coalesce(sum(packets), 0) FROM windows WHERE source_id = ? AND resolution = 1 AND t >= ? AND t < ?', sourceId, syn.from, syn.to);
    await waitAttr(page, '[data-testid="total-packets"]', 'data-value', (v) => v !== '' && Number(v) === Number(inEvent));
    await screenshot(page, 'simulate-3-zoomed-to-syn-flood');
  });
});
