// Forecasting journeys: the real renderer in Debian's Chromium against a real `flowbench serve`
// on a fresh workspace. The NAB series ec2_network_in_257a54 is opened through the file input
// (a .csv becomes a series source), a short seeded training run is started from the Models
// view's advanced form, and what the view shows (loss chart, metrics, forecast and residual
// charts, rename, delete, cancel) is checked against the workspace file read independently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import type { ForecastEvaluation, ForecastScores } from '../src-shared/models-api.js';
import { corpusDir } from '../test/corpus-paths.js';
import { browserSkipReason, journey, screenshot, waitAttr, type Served } from './harness.js';

const skip = browserSkipReason() ?? false;
const NAB = join(corpusDir, 'timeseries', 'realAWSCloudwatch', 'ec2_network_in_257a54.csv');

/** Opens the NAB series through the file input, selects its source, and returns its id. */
async function openSeries(page: Page): Promise<number> {
  await page.getByTestId('empty-state').waitFor();
  await page.getByTestId('file-input').setInputFiles(NAB);
  const item = page.locator('[data-testid="source-item"][data-status="complete"]').first();
  await item.waitFor({ timeout: 30_000 });
  const id = Number(await item.getAttribute('data-source-id'));
  await item.click();
  await page.locator(`[data-testid="source-item"][data-source-id="${id}"][aria-selected="true"]`).waitFor();
  return id;
}

/** Opens the Models view's advanced form, sets epochs and seed, and submits. */
async function trainAdvanced(page: Page, epochs: number, seed: number): Promise<void> {
  await page.getByTestId('view-models').click();
  await page.getByTestId('models-view').waitFor();
  await page.getByTestId('train-advanced').click();
  await page.locator('[data-testid="train-advanced"][aria-expanded="true"]').waitFor();
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-seed').fill(String(seed));
  await page.getByTestId('train-submit').click();
}

interface StoredModel {
  readonly name: string;
  readonly status: string;
  readonly evaluation: ForecastEvaluation | null;
  readonly history: readonly { epoch: number }[];
}

/** The model's row in the workspace file the server writes (a second, independent reader). */
/** The forecast models of a source, oldest first, with status and series name (report.json's series, once written). */
function perTypeModels(served: Served, sourceId: number): { id: number; status: string; series: string | null }[] {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT id, status, report FROM models WHERE source_id = ? AND task = 'forecast' ORDER BY id").all(sourceId) as { id: number; status: string; report: string | null }[];
    return rows.map((r) => ({ id: r.id, status: r.status, series: (JSON.parse(r.report ?? '{}') as { series?: { name?: string } }).series?.name ?? null }));
  } finally {
    db.close();
  }
}

function storedModel(served: Served, modelId: number): StoredModel | undefined {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT name, status, evaluation, history FROM models WHERE id = ?').get(modelId) as
      | { name: string; status: string; evaluation: string | null; history: string }
      | undefined;
    if (row === undefined) return undefined;
    return {
      name: row.name,
      status: row.status,
      evaluation: row.evaluation === null ? null : (JSON.parse(row.evaluation) as ForecastEvaluation),
      history: JSON.parse(row.history) as { epoch: number }[],
    };
  } finally {
    db.close();
  }
}

function countModels(served: Served): number {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM models').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The exact scores a metrics row carries on its data attributes. */
async function rowScores(page: Page, predictor: string): Promise<{ mae: number; rmse: number; smape: number; skill: number }> {
  const row = page.locator(`[data-testid="metrics-row"][data-predictor="${predictor}"]`);
  const num = async (a: string) => {
    const v = await row.getAttribute(`data-${a}`);
    return v === null || v === '' ? Number.NaN : Number(v);
  };
  return { mae: await num('mae'), rmse: await num('rmse'), smape: await num('smape'), skill: await num('skill') };
}

test('train a seeded 2-epoch forecast on the NAB series: loss chart, metrics equal the workspace, charts, rename survives a reload, delete', { skip, timeout: 120_000 }, async () => {
  await journey(async (page, served) => {
    const sourceId = await openSeries(page);
    const EPOCHS = 2;
    await trainAdvanced(page, EPOCHS, 7);

    // The loss chart follows the run epoch by epoch.
    const chart = page.getByTestId('training-loss-chart');
    await chart.waitFor({ timeout: 15_000 });
    const modelId = Number(await chart.getAttribute('data-model-id'));
    assert.ok(modelId > 0);
    const seen = new Set<number>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const epoch = Number((await page.getByTestId('training-epoch').getAttribute('data-epoch')) ?? 0);
      if (epoch > 0) seen.add(epoch);
      if (epoch === EPOCHS) break;
      await page.waitForTimeout(50);
    }
    assert.ok(seen.has(EPOCHS), `the epoch line reached ${EPOCHS} (saw ${[...seen].join(', ')})`);
    assert.equal(await page.getByTestId('training-epoch').getAttribute('data-epochs'), String(EPOCHS));
    // One point per epoch on each of the loss and validation-loss lines.
    await chart.locator('.recharts-line-dots').first().waitFor();
    const dots = await chart.locator('.recharts-line-dots').evaluateAll((els) => els.map((e) => e.querySelectorAll('circle').length));
    assert.deepEqual(dots, [EPOCHS, EPOCHS], 'loss and val loss each have a point per epoch');
    await chart.scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await screenshot(page, 'models-1-training');

    // The model row turns ready; the run is no longer active.
    await page.locator(`[data-testid="model-row"][data-model-id="${modelId}"][data-status="ready"]`).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="training-loss-chart"][data-active="false"]').waitFor();
    const stored = storedModel(served, modelId);
    assert.ok(stored !== undefined && stored.status === 'ready' && stored.evaluation !== null, 'the workspace holds a ready model with an evaluation');
    assert.equal(stored.history.length, EPOCHS, 'the stored history has one entry per epoch');

    // Metrics: finite, and exactly what the workspace stores; persistence's skill is 0.
    await page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`).click();
    await page.locator(`[data-testid="model-detail"][data-model-id="${modelId}"]`).waitFor();
    const metrics = page.getByTestId('model-metrics');
    await metrics.waitFor();
    assert.equal(Number(await metrics.getAttribute('data-points')), stored.evaluation.points);
    assert.ok(stored.evaluation.points > 0);
    for (const predictor of ['model', 'persistence'] as const) {
      const shown = await rowScores(page, predictor);
      const want: ForecastScores = stored.evaluation[predictor];
      for (const k of ['mae', 'rmse', 'smape', 'skill'] as const) {
        assert.ok(Number.isFinite(shown[k]), `${predictor} ${k} is a finite number (${shown[k]})`);
        assert.equal(shown[k], want[k], `${predictor} ${k} equals the stored evaluation`);
      }
    }
    assert.equal((await rowScores(page, 'persistence')).skill, 0, 'persistence has skill 0 by definition');
    const modelScores = await rowScores(page, 'model');
    assert.ok(modelScores.rmse > 0 && modelScores.mae > 0 && modelScores.mae <= modelScores.rmse, 'MAE ≤ RMSE');
    const persistence = stored.evaluation.persistence;
    assert.ok(Math.abs(modelScores.skill - (1 - modelScores.rmse / persistence.rmse)) < 1e-9, 'skill = 1 − RMSE/RMSE_persistence');

    // The forecast chart draws actual vs predicted with H windows ahead; the residual chart its band.
    const forecast = page.getByTestId('forecast-chart');
    const points = Number(await waitAttr(page, '[data-testid="forecast-chart"]', 'data-points', (v) => Number(v) > 100));
    assert.ok(points <= 1000, `at most 1000 points drawn (${points})`);
    assert.ok(Number(await forecast.getAttribute('data-ahead')) >= 1);
    await forecast.locator('path.recharts-line-curve').first().waitFor();
    assert.ok((await forecast.locator('path.recharts-line-curve').count()) >= 3, 'actual, predicted and ahead lines');
    const residual = page.getByTestId('residual-chart');
    await residual.locator('path.recharts-line-curve').first().waitFor();
    const low = Number(await residual.getAttribute('data-band-low'));
    const high = Number(await residual.getAttribute('data-band-high'));
    assert.ok(Number.isFinite(low) && Number.isFinite(high) && low < high, `a validation band [${low}, ${high}]`);
    // Red dots where the residual leaves the band, one per out-of-band window drawn; the largest
    // residual (the 245 M spike of 2014-04-15, far above the band) is among them.
    const outOfBand = Number(await residual.getAttribute('data-out-of-band'));
    assert.ok(outOfBand > 0, 'some residuals leave the validation band');
    const dotYs = await residual.locator('.recharts-line-dots circle').evaluateAll((els) => els.map((e) => Number(e.getAttribute('cy'))));
    assert.equal(dotYs.length, outOfBand, 'one dot per out-of-band window');
    const residualTop = await residual.locator('.recharts-line').first().locator('path.recharts-line-curve').evaluate((e) => (e as unknown as { getBBox(): { y: number } }).getBBox().y);
    assert.ok(Math.abs(Math.min(...dotYs) - residualTop) < 1.5, `the highest residual is marked (top dot at y=${Math.min(...dotYs)}, line top at y=${residualTop})`);
    await forecast.scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await screenshot(page, 'models-2-ready');

    // Rename; the new name is in the workspace and still shown after a reload.
    const NAME = `NAB 257a54 seed 7 · ${sourceId}`;
    const row = page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`);
    await row.getByTestId('model-rename').click();
    await row.getByTestId('model-name-input').fill(NAME);
    await row.getByTestId('model-name-input').press('Enter');
    await row.getByTestId('model-name-input').waitFor({ state: 'detached' });
    assert.equal((await row.locator('.model-name').textContent())?.trim(), NAME);
    assert.equal(storedModel(served, modelId)?.name, NAME);
    await page.reload();
    await page.getByTestId('view-models').click();
    const reloaded = page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`);
    await reloaded.waitFor();
    assert.equal((await reloaded.locator('.model-name').textContent())?.trim(), NAME);
    await page.mouse.move(0, 0);
    await screenshot(page, 'models-3-renamed');

    // Delete (confirmed): the row and the stored model are gone.
    await reloaded.getByTestId('model-delete').click();
    await reloaded.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('model-row').count(), 0);
    assert.equal(countModels(served), 0);
  });
});

test('cancel a training run after its first epoch: the job ends cancelled and the best model so far is ready', { skip, timeout: 120_000 }, async () => {
  await journey(async (page, served) => {
    await openSeries(page);
    // Far more epochs than the journey waits for, so the run is still going when cancelled.
    const EPOCHS = 200;
    await trainAdvanced(page, EPOCHS, 11);
    const chart = page.getByTestId('training-loss-chart');
    await chart.waitFor({ timeout: 15_000 });
    const modelId = Number(await chart.getAttribute('data-model-id'));
    const jobId = (await chart.getAttribute('data-job-id')) ?? '';
    await waitAttr(page, '[data-testid="training-epoch"]', 'data-epoch', (v) => Number(v) >= 1, 60_000);
    assert.equal(await chart.getAttribute('data-active'), 'true', 'still training after the first epoch');
    await page.mouse.move(0, 0);
    await screenshot(page, 'models-4-before-cancel');
    await page.getByTestId('training-cancel').click();

    // The job ends cancelled, with the note that the best model was kept.
    const jobRow = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await page.locator(`[data-testid="job-row"][data-job-id="${jobId}"][data-phase="cancelled"]`).waitFor({ timeout: 30_000 });
    assert.match((await jobRow.textContent()) ?? '', /best model so far was kept/);
    await page.locator('[data-testid="training-loss-chart"][data-active="false"]').waitFor();
    await page.getByTestId('training-cancel').waitFor({ state: 'detached' });
    const epochsRun = Number(await page.getByTestId('training-epoch').getAttribute('data-epoch'));
    assert.ok(epochsRun >= 1 && epochsRun < EPOCHS, `stopped early (${epochsRun} of ${EPOCHS} epochs)`);

    // A usable model remains: ready, with finite metrics equal to the stored ones and a forecast.
    await page.locator(`[data-testid="model-row"][data-model-id="${modelId}"][data-status="ready"]`).waitFor({ timeout: 30_000 });
    const stored = storedModel(served, modelId);
    assert.ok(stored !== undefined && stored.status === 'ready' && stored.evaluation !== null);
    assert.equal(stored.history.length, epochsRun, 'the stored history holds the epochs run');
    await page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`).click();
    await page.getByTestId('model-metrics').waitFor();
    const shown = await rowScores(page, 'model');
    assert.ok(Number.isFinite(shown.rmse) && Number.isFinite(shown.skill));
    assert.equal(shown.rmse, stored.evaluation.model.rmse);
    assert.equal(shown.skill, stored.evaluation.model.skill);
    await waitAttr(page, '[data-testid="forecast-chart"]', 'data-points', (v) => Number(v) > 100);
    await page.getByTestId('forecast-chart').scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await screenshot(page, 'models-5-cancelled');
  });
});

test('capacity by traffic type: per-type models of a generated mixed capture drawn stacked, adding up to the window bytes', { skip, timeout: 180_000 }, async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { simulate } = await import('../src-main/simulate/simulator.js');
  const { typeSeries } = await import('../src-main/ml/forecast-by-type.js');
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-e2e-types-'));
  try {
    const pcap = join(dir, 'mixed.pcapng');
    const sim = simulate({ scenario: 'mixed', duration: 300, out: pcap, rate: 40, seed: 9 });
    assert.ok(sim.ok, sim.ok ? '' : sim.error.message);
    await journey(async (page, served) => {
      await page.getByTestId('empty-state').waitFor();
      await page.getByTestId('file-input').setInputFiles(pcap);
      const item = page.locator('[data-testid="source-item"][data-status="complete"]').first();
      await item.waitFor({ timeout: 60_000 });
      const sourceId = Number(await item.getAttribute('data-source-id'));
      await item.click();
      // The split the server will train on, read independently from the workspace file.
      const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
      const split = typeSeries(db, sourceId, 'traffic_type', { resolution: 1 });
      db.close();
      assert.ok(split.ok, split.ok ? '' : split.error.message);
      const names = [...split.value.series].filter(([, c]) => c.some((v) => v > 0)).map(([n]) => n);
      assert.ok(names.length >= 3, names.join(', '));
      // Per-type forecasts from the Models view: short settings in Advanced…, then one click.
      await page.getByTestId('view-models').click();
      await page.getByTestId('models-view').waitFor();
      await page.getByTestId('train-advanced').click();
      await page.getByTestId('train-resolution').selectOption('1');
      await page.getByTestId('train-lookback').fill('6');
      await page.getByTestId('train-horizon').fill('2');
      await page.getByTestId('train-epochs').fill('1');
      await page.getByTestId('train-seed').fill('1');
      await page.getByTestId('capacity-by').selectOption('traffic_type');
      await page.getByTestId('train-capacity').click();
      const queued = await page.getByTestId('capacity-queued').innerText({ timeout: 60_000 });
      assert.match(queued, new RegExp(`^${names.length} forecasts queued: ${names.join(', ')}$`));
      // Trained one after another in the ML worker; the workspace file says when each is done.
      const deadline = Date.now() + 150_000;
      while (perTypeModels(served, sourceId).some((m) => m.status === 'training') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      const modelIds = perTypeModels(served, sourceId);
      for (const m of modelIds) assert.equal(m.status, 'ready', `model ${m.id}: ${JSON.stringify(storedModel(served, m.id))}`);
      assert.deepEqual(modelIds.map((m) => m.series), names, 'one model per series, in the split order');
      await page.reload();
      await page.getByTestId('view-models').click();
      await page.getByTestId('models-view').waitFor();
      const firstId = modelIds[0]?.id ?? 0;
      await page.locator(`[data-testid="model-row"][data-model-id="${firstId}"][data-status="ready"]`).waitFor({ timeout: 30_000 });
      await page.locator(`[data-testid="model-row"][data-model-id="${firstId}"]`).click();
      await waitAttr(page, '[data-testid="type-stack-chart"]', 'data-series', (v) => Number(v) === names.length, 60_000);
      const chart = page.getByTestId('type-stack-chart');
      assert.ok(Number(await chart.getAttribute('data-points')) > 10);
      await chart.locator('.recharts-area').first().waitFor();
      assert.equal(await chart.locator('.recharts-area').count(), names.length, 'one stacked area per traffic type');
      // Every window's per-type bytes add up to the window's bytes.
      const s = split.value;
      s.t.forEach((t, i) => {
        const sum = [...s.series.values()].reduce((a, c) => a + (c[i] ?? 0), 0);
        assert.ok(Math.abs(sum - (s.total[i] ?? 0)) <= 1e-9 * Math.max(1, s.total[i] ?? 0), `window ${t}`);
      });
      await chart.scrollIntoViewIfNeeded();
      await screenshot(page, 'models-capacity-by-type');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
