// Explore journey: the real renderer in Debian's Chromium against a real `flowbench serve` on a
// fresh workspace. The Netflix corpus capture is opened through the file input, the Explore view
// shows its 1 s window features: the heat map has p × p cells, a hovered cell reads the value
// features.explore answers over the WebSocket API, the Spearman toggle switches to Spearman's
// values, the downloaded CSVs (correlation, statistics) and PNG hold what the API says; after an
// anomaly detection in the Overview the projection is coloured by the stored flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import type { FeatureExploreResult } from '../src-shared/explore-api.js';
import { corpusDir } from '../test/corpus-paths.js';
import { browserSkipReason, journey, screenshot, waitAttr } from './harness.js';

const skip = browserSkipReason() ?? false;

/** One call over the server's WebSocket API, as the renderer makes it. */
async function apiCall<T>(url: string, method: string, req: unknown): Promise<T> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/ws`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s`)), 30_000);
      ws.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as { type: string; id?: number; ok?: boolean; value?: T; error?: { message: string } };
        if (f.type !== 'result' || f.id !== 1) return;
        clearTimeout(timer);
        if (f.ok === true) resolve(f.value as T);
        else reject(new Error(f.error?.message ?? 'error'));
      });
      ws.send(JSON.stringify({ type: 'call', id: 1, method, req }));
    });
  } finally {
    ws.close();
  }
}

/** Clicks a button that saves a file and returns the file's bytes. */
async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId(testId).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

function parseCsv(text: string): string[][] {
  return text.trimEnd().split('\n').map((l) => l.split(','));
}

test('explore the Netflix capture: heat map cells, hovered values equal the API, Spearman toggle, CSV and PNG exports, anomaly colours', { skip, timeout: 90_000 }, async () => {
  await journey(async (page, served) => {
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('file-input').setInputFiles(join(corpusDir, 'pcap', 'ndpi__netflix.pcap'));
    const item = page.locator('[data-testid="source-item"][data-status="complete"]').first();
    await item.waitFor({ timeout: 30_000 });
    const sourceId = Number(await item.getAttribute('data-source-id'));
    await item.click();

    await page.getByTestId('view-explore').click();
    await page.getByTestId('explore-resolution').selectOption('1');
    await waitAttr(page, '[data-testid="explore-summary"]', 'data-resolution', (v) => v === '1');
    const api = await apiCall<FeatureExploreResult>(served.url, 'features.explore', { sourceId, resolution: 1 });
    const p = api.features.length;
    assert.equal(await page.getByTestId('explore-summary').getAttribute('data-windows'), String(api.windows));
    assert.equal(await page.getByTestId('explore-summary').getAttribute('data-features'), String(p));

    // The heat map: p × p cells, each carrying the API's value.
    const heat = page.getByTestId('corr-heatmap');
    assert.equal(await heat.getAttribute('data-method'), 'pearson');
    assert.equal(await heat.getAttribute('data-cells'), String(p * p));
    assert.equal(await heat.getByTestId('corr-cell').count(), p * p);
    const i = api.features.indexOf('bytes_per_second');
    const j = api.features.indexOf('packets_per_second');
    assert.ok(i >= 0 && j >= 0);
    const cell = heat.locator(`[data-testid="corr-cell"][data-i="${i}"][data-j="${j}"]`);
    await cell.hover();
    const pearson = api.pearson.values[i]![j]!;
    await waitAttr(page, '[data-testid="corr-hover"]', 'data-value', (v) => v === String(pearson));
    assert.match(await page.getByTestId('corr-hover').innerText(), new RegExp(`Pearson r = ${pearson.toFixed(3).replace('.', '\\.')} over ${api.pearson.n[i]![j]} windows`));
    await heat.scrollIntoViewIfNeeded();
    await screenshot(page, 'explore-1-pearson');

    // Spearman: the same cell now reads Spearman's value.
    await page.getByTestId('corr-method-spearman').click();
    await waitAttr(page, '[data-testid="corr-heatmap"]', 'data-method', (v) => v === 'spearman');
    const spearman = api.spearman.values[i]![j]!;
    assert.notEqual(spearman, pearson);
    await page.locator(`[data-testid="corr-cell"][data-i="${j}"][data-j="${i}"]`).hover();
    await waitAttr(page, '[data-testid="corr-hover"]', 'data-value', (v) => v === String(spearman));
    assert.match(await page.getByTestId('corr-hover').innerText(), /Spearman r = /);

    // The correlation CSV is the Spearman matrix, number for number.
    const corr = await download(page, 'export-corr-csv');
    assert.equal(corr.name, `correlation-spearman-source-${sourceId}-1s.csv`);
    const rows = parseCsv(corr.bytes.toString('utf8'));
    assert.deepEqual(rows[0], ['feature', ...api.features]);
    assert.equal(rows.length, p + 1);
    rows.slice(1).forEach((row, a) => {
      assert.equal(row[0], api.features[a]);
      row.slice(1).forEach((v, b) => {
        const want = api.spearman.values[a]![b]!;
        assert.equal(v === '' ? null : Number(v), want, `${api.features[a]} × ${api.features[b]}`);
      });
    });
    // The statistics CSV: one row per feature, means as the API has them.
    const stats = parseCsv((await download(page, 'export-stats-csv')).bytes.toString('utf8'));
    assert.equal(stats[0]?.join(','), 'feature,count,missing,mean,std,min,p5,p25,median,p75,p95,max,skew');
    assert.equal(stats.length, p + 1);
    const bps = stats.find((r) => r[0] === 'bytes_per_second');
    assert.equal(Number(bps?.[3]), api.stats[i]!.mean);
    assert.equal(Number(bps?.[1]), api.windows);

    // The heat map as PNG (the SVG drawn on a canvas at 2×).
    const png = await download(page, 'export-heatmap-png');
    assert.equal(png.name, `correlation-spearman-source-${sourceId}-1s.png`);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.bytes.readUInt32BE(16);
    assert.equal(width, 2 * Number(await heat.getAttribute('width')));

    // PCA: scatter points and scree bars as the API computed them; coloured by time (no detection stored).
    assert.ok(api.pca !== null);
    assert.equal(await page.getByTestId('pca-scatter').getAttribute('data-points'), String(api.pca.projection.t.length));
    assert.equal(await page.getByTestId('pca-scatter').getAttribute('data-colour'), 'time');
    assert.equal(await page.getByTestId('scree-bar').count(), api.pca.eigenvalues.length);
    assert.match(await page.getByTestId('anomaly-note').innerText(), /coloured by time only/);
    assert.equal(await page.getByTestId('suggestion').count(), api.suggestions.drop.length);
    await page.getByTestId('explore-pca').scrollIntoViewIfNeeded();
    await screenshot(page, 'explore-2-pca');

    // Detect anomalies in the Overview (flags are stored): back in Explore the projection is
    // coloured by them, and the projection CSV carries the flag column.
    await page.getByTestId('view-overview').click();
    await page.getByTestId('anomaly-contamination').fill('0.1');
    await page.getByTestId('detect-anomalies').click();
    const flags = Number(await waitAttr(page, '[data-testid="anomalies-count"]', 'data-value', (v) => Number(v) > 0, 60_000));
    await page.getByTestId('view-explore').click();
    await page.getByTestId('explore-resolution').selectOption('1');
    await waitAttr(page, '[data-testid="pca-scatter"]', 'data-colour', (v) => v === 'anomaly');
    const coloured = await apiCall<FeatureExploreResult>(served.url, 'features.explore', { sourceId, resolution: 1 });
    assert.ok(coloured.anomalies !== null && coloured.pca !== null);
    assert.equal(coloured.anomalies.stored, flags);
    assert.match(await page.getByTestId('anomaly-note').innerText(), new RegExp(`${flags} flagged windows\\): ${coloured.anomalies.flagged.filter(Boolean).length} of ${coloured.pca.projection.t.length}`));
    const proj = parseCsv((await download(page, 'export-pca-csv')).bytes.toString('utf8'));
    assert.deepEqual(proj[0], ['t', 'pc1', 'pc2', 'anomaly']);
    assert.equal(proj.length - 1, coloured.pca.projection.t.length);
    proj.slice(1).forEach((row, k) => {
      assert.equal(Number(row[0]), coloured.pca!.projection.t[k]);
      assert.equal(Number(row[1]), coloured.pca!.projection.pc1[k]);
      assert.equal(row[3], coloured.anomalies!.flagged[k] === true ? '1' : '0');
    });
    const scatter = await download(page, 'export-scatter-png');
    assert.equal(scatter.bytes.readUInt32BE(16), 2 * Number(await page.getByTestId('pca-scatter').getAttribute('width')));
    await page.getByTestId('explore-pca').scrollIntoViewIfNeeded();
    await screenshot(page, 'explore-3-anomaly');
  });
});
