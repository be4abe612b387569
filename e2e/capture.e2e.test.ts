// Live-capture journeys: the real renderer in Debian's Chromium against a real `flowbench serve`
// capturing on the loopback interface. The only traffic captured is UDP the test sends itself
// to 127.0.0.1 on a port it owns, bounded in count (300 datagrams) and time (~3 s of sending, a
// 60 s capture limit). Needs root or the capture capabilities (CI runs as root); skipped with
// the reason when lo cannot be opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { LO, loopbackSkipReason } from '../test/loopback-probe.js';
import { browserSkipReason, journey, screenshot, type Served } from './harness.js';

const skip = browserSkipReason() ?? (await loopbackSkipReason());
const DATAGRAMS = 300;
const BURST = 30;
const BURST_GAP_MS = 300;
/** Ethernet (DLT_EN10MB on Linux lo) + IPv4 + UDP headers. */
const UDP_OVERHEAD = 14 + 20 + 8;

/** A UDP receiver on 127.0.0.1 at a free port (so the datagrams are delivered, no ICMP); closed by the caller. */
async function udpReceiver(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', () => {
    n++;
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    port: sock.address().port,
    received: () => n,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}

/** Sends DATAGRAMS datagrams to 127.0.0.1:port in bursts of BURST, BURST_GAP_MS apart; payloads 20..69 bytes. Returns the wire bytes. */
async function sendBursts(port: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  let bytes = 0;
  try {
    for (let i = 0; i < DATAGRAMS; i++) {
      const size = 20 + (i % 50);
      bytes += size + UDP_OVERHEAD;
      await new Promise<void>((resolve, reject) => sock.send(Buffer.alloc(size, i & 0xff), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      if ((i + 1) % BURST === 0 && i + 1 < DATAGRAMS) await new Promise((r) => setTimeout(r, BURST_GAP_MS));
    }
  } finally {
    sock.close();
  }
  return bytes;
}

/** The packets figure of the capture status line. */
async function statusPackets(page: Page): Promise<number> {
  const text = (await page.getByTestId('capture-status').textContent()) ?? '';
  const m = /([\d,]+)\s*packets/.exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1].replace(/,/g, ''));
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen in ${timeout} ms`);
}

/** Opens the Capture view and picks lo from the interface list. */
async function chooseLoopback(page: Page): Promise<void> {
  await page.getByTestId('view-capture').click();
  await page.getByTestId('capture-view').waitFor();
  const loRow = page.getByTestId('capture-interface-row').filter({ has: page.locator('td:first-child', { hasText: /^lo(\s|$)/ }) });
  await loRow.first().waitFor({ timeout: 15_000 });
  assert.match((await loRow.first().textContent()) ?? '', /loopback/);
  await page.getByTestId('capture-interface').selectOption(LO);
  assert.equal(await page.getByTestId('capture-interface').inputValue(), LO);
}

function sql(served: Served, query: string, ...args: unknown[]): number {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare(query).raw(true).get(...args) as unknown[] | undefined;
    return Number(row?.[0]);
  } finally {
    db.close();
  }
}

test('capture on lo with a port filter: the status line counts exactly the datagrams sent, loss is a number, the capture becomes a source with the same totals', { skip, timeout: 90_000 }, async () => {
  const receiver = await udpReceiver();
  try {
    await journey(async (page, served) => {
      await chooseLoopback(page);
      const filter = `udp port ${receiver.port}`;
      await page.getByTestId('capture-filter').fill(filter);
      // A bound on the capture's time whatever happens to the Stop button.
      await page.getByTestId('capture-duration').fill('60');
      await page.getByTestId('capture-start').click();
      await page.locator('[data-testid="capture-status"][data-running="true"]').waitFor({ timeout: 15_000 });
      assert.equal(await statusPackets(page), 0, 'nothing matched the filter before the test sent');
      const text = (await page.getByTestId('capture-status').textContent()) ?? '';
      assert.ok(text.includes(`on ${LO}`) && text.includes(filter), `the status line names lo and the filter: ${text}`);

      // The capture's source is listed while it runs.
      const item = page.getByTestId('source-item').first();
      await item.waitFor();
      const sourceId = Number(await item.getAttribute('data-source-id'));
      assert.ok(sourceId > 0);
      assert.match((await item.textContent()) ?? '', new RegExp(`capture ${LO}`));

      const wireBytes = await sendBursts(receiver.port);
      await waitFor('the status line to count every datagram', async () => (await statusPackets(page)) === DATAGRAMS);
      assert.equal(receiver.received(), DATAGRAMS, 'every datagram was delivered');
      // libpcap's drop count is known on Linux: a number (0 here), never "unknown".
      const lost = ((await page.getByTestId('capture-dropped').textContent()) ?? '').trim();
      assert.match(lost, /^lost\s*0$/, `loss is libpcap's count: "${lost}"`);
      // The live view below the status line catches up within seconds, while still capturing.
      await waitFor('the live headline totals to hold every datagram', async () => (await page.getByTestId('total-packets').getAttribute('data-value')) === String(DATAGRAMS), 10_000);
      assert.equal(await page.getByTestId('capture-status').getAttribute('data-running'), 'true');
      assert.ok(Number(await page.getByTestId('volume-chart').getAttribute('data-points')) >= 3, 'the live volume chart has a point per second of sending');
      await page.mouse.move(0, 0);
      await screenshot(page, 'capture-1-running');

      // Nothing else matches the filter: the count has not moved meanwhile.
      assert.equal(await statusPackets(page), DATAGRAMS);

      await page.getByTestId('capture-stop').click();
      await page.locator('[data-testid="capture-status"][data-running="false"]').waitFor({ timeout: 15_000 });
      assert.equal(await statusPackets(page), DATAGRAMS);
      await page.locator(`[data-testid="source-item"][data-source-id="${sourceId}"][data-status="complete"]`).waitFor({ timeout: 15_000 });

      // The source's totals equal what was sent, in the view and in the workspace file.
      await page.locator(`[data-testid="source-item"][data-source-id="${sourceId}"]`).click();
      await page.getByTestId('view-overview').click();
      await waitFor('the headline totals of the capture', async () => (await page.getByTestId('total-packets').getAttribute('data-value')) === String(DATAGRAMS));
      assert.equal(Number(await page.getByTestId('total-bytes').getAttribute('data-value')), wireBytes);
      assert.equal(sql(served, 'SELECT packets FROM sources WHERE id = ?', sourceId), DATAGRAMS);
      assert.equal(sql(served, 'SELECT bytes FROM sources WHERE id = ?', sourceId), wireBytes);
      assert.equal(sql(served, 'SELECT coalesce(sum(packets), 0) FROM windows WHERE source_id = ? AND resolution = 1', sourceId), DATAGRAMS);
      assert.equal(sql(served, 'SELECT count(*) FROM flows WHERE source_id = ?', sourceId), 1, 'one UDP flow');
      await page.getByTestId('volume-chart').locator('svg').first().waitFor();
      await screenshot(page, 'capture-2-source');
    });
  } finally {
    await receiver.close();
  }
});

test('a bad capture filter gives an error naming the filter field, not a stack', { skip, timeout: 60_000 }, async () => {
  await journey(async (page, served) => {
    await chooseLoopback(page);
    await page.getByTestId('capture-filter').fill('udp port');
    await page.getByTestId('capture-duration').fill('5');
    await page.getByTestId('capture-start').click();
    // Libpcap rejects the filter when the device opens; the error is shown at the filter field.
    const error = page.locator('[data-testid="capture-view"] .capture-form [data-testid="error-message"]');
    await error.first().waitFor({ timeout: 15_000 });
    const message = ((await error.first().textContent()) ?? '').trim();
    assert.match(message, /^filter: /, `the error names the field first: "${message}"`);
    assert.match(message, /udp port/, 'and quotes the filter');
    assert.doesNotMatch(message, /\n\s+at |\.js:\d+|\.ts:\d+/, 'no stack trace');
    assert.equal(await page.getByTestId('capture-filter').getAttribute('aria-invalid'), 'true');
    // Nothing is capturing, and no capture source was made.
    assert.equal(await page.locator('[data-testid="capture-status"][data-running="true"]').count(), 0);
    assert.equal(sql(served, "SELECT count(*) FROM sources WHERE kind = 'capture'"), 0);
    await page.mouse.move(0, 0);
    await screenshot(page, 'capture-3-bad-filter');
  });
});
