// Classification journeys: the real renderer in Debian's Chromium against a real `flowbench
// serve` on a fresh workspace. The corpus's Netflix capture is opened through the file input;
// a label rule is added in the Classification view (a bad pattern first, refused at the field),
// and the flows table's label filter and chips are checked against the workspace file read
// independently; a label CSV is uploaded and imported, and a label is set from the flow detail;
// a classifier is trained on two captures and its figures are the ones the workspace stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import type { ClassifyEvaluation } from '../src-shared/models-api.js';
import { corpusDir } from '../test/corpus-paths.js';
import { browserSkipReason, journey, screenshot, waitAttr, type Served } from './harness.js';

const skip = browserSkipReason() ?? false;
/** 65 flows: TLS with Netflix SNIs, DNS, HTTP. */
const NETFLIX = join(corpusDir, 'pcap', 'ndpi__netflix.pcap');
/** 38 flows, mostly DNS and services on their standard ports: the second file of the grouped split. */
const SERVICES = join(corpusDir, 'pcap', 'zeek__var-services-std-ports.pcap');

/** One row of the workspace file the server writes (a second, independent reader). */
function sqlRow<T>(served: Served, query: string, ...args: unknown[]): T | undefined {
  const db = new Database(served.dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).get(...args) as T | undefined;
  } finally {
    db.close();
  }
}

function sqlCount(served: Served, query: string, ...args: unknown[]): number {
  return sqlRow<{ n: number }>(served, query, ...args)?.n ?? Number.NaN;
}

/** Opens the Netflix capture through the file input; resolves with its source id once complete. */
async function openNetflix(page: Page): Promise<number> {
  await page.getByTestId('empty-state').waitFor();
  await page.getByTestId('file-input').setInputFiles(NETFLIX);
  const item = page.locator('[data-testid="source-item"][data-status="complete"]').first();
  await item.waitFor({ timeout: 30_000 });
  const id = Number(await item.getAttribute('data-source-id'));
  await page.locator(`[data-testid="source-item"][data-source-id="${id}"][aria-selected="true"]`).waitFor();
  return id;
}

/** Flows view with the label filter set; waits until the total is `expected`. */
async function flowsWithLabel(page: Page, label: string, expected: number): Promise<void> {
  await page.getByTestId('view-flows').click();
  await page.getByTestId('flows-view').waitFor();
  await page.getByTestId('flow-filter-label').selectOption(label);
  await waitAttr(page, '[data-testid="flows-total"]', 'data-value', (v) => v === String(expected));
  if (expected > 0) await page.getByTestId('flow-row').first().waitFor();
}

/** The label chips of the loaded rows: [label, source] each. */
async function rowLabels(page: Page): Promise<[string, string][]> {
  const chips = page.locator('[data-testid="flow-row"] [data-testid="flow-label"]');
  const out: [string, string][] = [];
  for (let i = 0; i < (await chips.count()); i++) {
    const c = chips.nth(i);
    out.push([(await c.getAttribute('data-label')) ?? '', (await c.getAttribute('data-source')) ?? '']);
  }
  return out;
}

test('a label rule added in the Classification view relabels the flows table as the workspace says; disabling it undoes that', { skip, timeout: 120_000 }, async () => {
  await journey(async (page, served) => {
    const sourceId = await openNetflix(page);
    const netflixSni = sqlCount(served, "SELECT count(*) AS n FROM flows WHERE source_id = ? AND sni LIKE '%.netflix.%'", sourceId);
    assert.ok(netflixSni >= 5, `Netflix SNI flows: ${netflixSni}`);
    // No flow of this capture is VPN traffic by the default rules.
    await flowsWithLabel(page, 'vpn_tunnel', 0);

    await page.getByTestId('view-classification').click();
    await page.getByTestId('classification-view').waitFor();
    await waitAttr(page, '[data-testid="rules-count"]', 'data-value', (v) => v !== '' && Number(v) === sqlCount(served, 'SELECT count(*) AS n FROM label_rules'));
    // A reversed port range is refused, at the pattern field.
    await page.getByTestId('rule-add-kind').selectOption('port');
    await page.getByTestId('rule-add-pattern').fill('90-80');
    await page.getByTestId('rule-add').click();
    await page.locator('[data-testid="rule-add-pattern"][aria-invalid="true"]').waitFor();
    assert.match(await page.locator('[data-testid="rules-editor"] [data-testid="error-message"]').innerText(), /^pattern: "90-80" is not a port/);

    await page.getByTestId('rule-add-kind').selectOption('sni');
    await page.getByTestId('rule-add-pattern').fill('*.NETFLIX.*');
    await page.getByTestId('rule-add-label').selectOption('vpn_tunnel');
    await page.getByTestId('rule-add-priority').fill('1');
    await page.getByTestId('rule-add').click();
    const row = page.locator('[data-testid="rule-row"][data-pattern="*.netflix.*"]');
    await row.waitFor();
    assert.equal(await page.locator('[data-testid="rule-add-pattern"][aria-invalid="true"]').count(), 0);
    const ruleId = Number(await row.getAttribute('data-rule-id'));
    assert.deepEqual(
      sqlRow(served, 'SELECT kind, pattern, label, priority, enabled FROM label_rules WHERE id = ?', ruleId),
      { kind: 'sni', pattern: '*.netflix.*', label: 'vpn_tunnel', priority: 1, enabled: 1 },
    );
    await screenshot(page, 'classification-rule-added');

    // Exactly the flows whose SNI the glob matches now show vpn_tunnel, from the rule.
    await flowsWithLabel(page, 'vpn_tunnel', netflixSni);
    const labels = await rowLabels(page);
    assert.equal(labels.length, netflixSni);
    for (const l of labels) assert.deepEqual(l, ['vpn_tunnel', 'rule']);
    for (const text of await page.getByTestId('flow-row').allInnerTexts()) assert.match(text, /\.netflix\./);
    await screenshot(page, 'classification-flows-relabelled');

    // Disabled, the rule labels nothing.
    await page.getByTestId('view-classification').click();
    await page.getByTestId('rule-search').fill('netflix.*');
    await page.locator(`[data-testid="rule-row"][data-rule-id="${ruleId}"] [data-testid="rule-enabled"]`).click();
    await waitAttr(page, `[data-testid="rule-row"][data-rule-id="${ruleId}"]`, 'data-enabled', (v) => v === 'false');
    assert.equal(sqlCount(served, 'SELECT enabled AS n FROM label_rules WHERE id = ?', ruleId), 0);
    await flowsWithLabel(page, 'vpn_tunnel', 0);
  });
});

test('a label CSV uploaded in the Classification view labels the flows it names; a label set in the flow detail is stored', { skip, timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'flowbench-e2e-labels-'));
  try {
    await journey(async (page, served) => {
      const sourceId = await openNetflix(page);
      type Flow = { id: number; client_addr: string; server_addr: string; client_port: number; server_port: number };
      const tcp = sqlRow<Flow>(served, 'SELECT id, client_addr, server_addr, client_port, server_port FROM flows WHERE source_id = ? AND proto = 6 ORDER BY id LIMIT 1', sourceId);
      const udp = sqlRow<Flow>(served, 'SELECT id, client_addr, server_addr, client_port, server_port FROM flows WHERE source_id = ? AND proto = 17 ORDER BY id LIMIT 1', sourceId);
      assert.ok(tcp !== undefined && udp !== undefined);
      const tupleFlows = sqlCount(
        served,
        'SELECT count(*) AS n FROM flows WHERE source_id = ? AND proto = 6 AND client_addr = ? AND server_addr = ? AND client_port = ? AND server_port = ?',
        sourceId, tcp.client_addr, tcp.server_addr, tcp.client_port, tcp.server_port,
      );
      const csv = join(tmp, 'my labels.csv');
      writeFileSync(csv, [
        'src,dst,sport,dport,proto,flow_id,label',
        // The server side first: either direction matches.
        `${tcp.server_addr},${tcp.client_addr},${tcp.server_port},${tcp.client_port},tcp,,messaging`,
        `,,,,,${udp.id},messaging`,
        '192.0.2.1,192.0.2.2,1111,2222,udp,,web',
      ].join('\n'));

      await page.getByTestId('view-classification').click();
      await page.getByTestId('label-import-file').setInputFiles(csv);
      const result = page.getByTestId('label-import-result');
      await result.waitFor({ timeout: 30_000 });
      const expected = tupleFlows + 1;
      assert.deepEqual(
        await Promise.all(['rows', 'matched', 'unmatched', 'flows'].map((a) => result.getAttribute(`data-${a}`))),
        ['3', '2', '1', String(expected)],
      );
      assert.equal(sqlCount(served, "SELECT count(*) AS n FROM flow_labels WHERE source = 'user' AND label = 'messaging'"), expected);
      await screenshot(page, 'classification-labels-imported');

      // A faulty file: the error names the line and the column.
      const bad = join(tmp, 'bad.csv');
      writeFileSync(bad, `flow_id,label\n${udp.id},web\n${udp.id},gaming\n`);
      await page.getByTestId('label-import-file').setInputFiles(bad);
      const error = page.locator('[data-testid="label-import"] [data-testid="error-message"]');
      await error.waitFor({ timeout: 30_000 });
      assert.match(await error.innerText(), /bad\.csv line 3, column 2 \(label\): "gaming" is not one of/);
      assert.equal(sqlCount(served, "SELECT count(*) AS n FROM flow_labels WHERE label = 'web'"), 0);

      await flowsWithLabel(page, 'messaging', expected);
      for (const l of await rowLabels(page)) assert.deepEqual(l, ['messaging', 'user']);

      // The detail relabels one of them: stored as the user's label, and the filtered total drops.
      const first = page.getByTestId('flow-row').first();
      const flowId = Number(await first.getAttribute('data-id'));
      await first.click();
      await page.locator(`[data-testid="flow-detail"][data-flow-id="${flowId}"] [data-testid="flow-label"][data-label="messaging"]`).waitFor();
      await page.getByTestId('flow-label-select').selectOption('mail');
      await page.locator(`[data-testid="flow-detail"] [data-testid="flow-label"][data-label="mail"][data-source="user"]`).waitFor();
      assert.deepEqual(sqlRow(served, "SELECT label FROM flow_labels WHERE flow_id = ? AND source = 'user'", flowId), { label: 'mail' });
      await waitAttr(page, '[data-testid="flows-total"]', 'data-value', (v) => v === String(expected - 1));
      await screenshot(page, 'classification-detail-label');
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a classifier trained in the Classification view shows the figures the workspace stored; applied, it labels the flows the rules left unknown', { skip, timeout: 180_000 }, async () => {
  await journey(async (page, served) => {
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('file-input').setInputFiles([NETFLIX, SERVICES]);
    await page.locator('[data-testid="source-item"][data-status="complete"]').nth(1).waitFor({ timeout: 60_000 });
    const netflix = page.locator('[data-testid="source-item"]', { hasText: 'ndpi__netflix' });
    const sourceId = Number(await netflix.getAttribute('data-source-id'));
    await netflix.click();
    await page.locator(`[data-testid="source-item"][data-source-id="${sourceId}"][aria-selected="true"]`).waitFor();
    // Before any model, some flows (not all) are unknown to the rules.
    const flows = sqlCount(served, 'SELECT count(*) AS n FROM flows WHERE source_id = ?', sourceId);
    await page.getByTestId('view-flows').click();
    await waitAttr(page, '[data-testid="flows-total"]', 'data-value', (v) => v === String(flows));
    await page.getByTestId('flow-filter-label').selectOption('unknown');
    const unknown = Number(await waitAttr(page, '[data-testid="flows-total"]', 'data-value', (v) => v !== '' && Number(v) > 0 && Number(v) < flows));

    await page.getByTestId('view-classification').click();
    const options = page.getByTestId('classify-source-option');
    await options.nth(1).waitFor();
    for (let i = 0; i < (await options.count()); i++) await options.nth(i).locator('input').check();
    await page.getByTestId('classify-epochs').fill('5');
    await page.getByTestId('classify-train').click();
    const modelId = Number(await waitAttr(page, '[data-testid="classify-progress"]', 'data-model-id', (v) => v !== ''));
    await waitAttr(page, '[data-testid="classify-progress"]', 'data-phase', (v) => v === 'done' || v === 'failed', 150_000);
    assert.equal(await page.getByTestId('classify-progress').getAttribute('data-phase'), 'done');
    // Progress was reported: the furthest epoch is within the run's planned epochs.
    const epoch = Number(await page.getByTestId('classify-progress').getAttribute('data-epoch'));
    const epochs = Number(await page.getByTestId('classify-progress').getAttribute('data-epochs'));
    assert.ok(epoch > 0 && epoch <= epochs, `epoch ${epoch} of ${epochs}`);

    // The figures shown are the stored report's (exact numbers on the data attributes).
    const metrics = page.getByTestId('classify-metrics');
    await metrics.waitFor({ timeout: 30_000 });
    const stored = sqlRow<{ report: string }>(served, 'SELECT report FROM models WHERE id = ?', modelId);
    assert.ok(stored !== undefined);
    const e = (JSON.parse(stored.report) as { evaluation: ClassifyEvaluation }).evaluation;
    assert.equal(e.folds, 2, 'one fold per source file');
    const attr = async (a: string): Promise<string> => (await metrics.getAttribute(`data-${a}`)) ?? '';
    assert.deepEqual(
      [await attr('flows'), await attr('folds'), await attr('macro-f1'), await attr('accuracy'), await attr('rules-baseline')],
      [String(e.flows), String(e.folds), String(e.macroF1), String(e.accuracy), String(e.rulesBaselineMacroF1)],
    );
    const rows = page.getByTestId('class-row');
    const shown = e.perClass.filter((c) => c.support > 0);
    assert.equal(await rows.count(), shown.length);
    for (const c of shown) {
      const row = page.locator(`[data-testid="class-row"][data-label="${c.label}"]`);
      assert.deepEqual(
        await Promise.all(['support', 'precision', 'recall', 'f1'].map((a) => row.getAttribute(`data-${a}`))),
        [String(c.support), String(c.precision), String(c.recall), String(c.f1)],
      );
    }
    const cells = page.getByTestId('confusion-cell');
    let total = 0;
    for (let i = 0; i < (await cells.count()); i++) {
      const cell = cells.nth(i);
      const t = e.classes.indexOf((await cell.getAttribute('data-truth')) ?? '');
      const p = e.classes.indexOf((await cell.getAttribute('data-predicted')) ?? '');
      const n = Number(await cell.getAttribute('data-count'));
      assert.equal(n, e.confusion[t]?.[p], `confusion ${t} ${p}`);
      total += n;
    }
    assert.equal(total, e.flows, 'every evaluated flow is in one cell');
    const bars = page.getByTestId('importance-bar');
    assert.equal(await bars.count(), Math.min(20, e.importance.length));
    assert.equal(await bars.first().getAttribute('data-feature'), e.importance[0]?.feature);
    assert.equal(Number(await bars.first().getAttribute('data-drop')), e.importance[0]?.drop);
    await screenshot(page, 'classification-trained');

    // Apply to the selected source: every flow gets a stored model label; the unknown ones show it.
    await page.getByTestId('classify-apply').click();
    await waitAttr(page, '[data-testid="classify-applied"]', 'data-flows', (v) => v === String(flows), 60_000);
    assert.equal(sqlCount(served, "SELECT count(*) AS n FROM flow_labels l JOIN flows f ON f.id = l.flow_id WHERE f.source_id = ? AND l.source = 'model' AND l.model_id = ?", sourceId, modelId), flows);
    await flowsWithLabel(page, 'unknown', 0);
    await page.getByTestId('flow-filter-label').selectOption('');
    await waitAttr(page, '[data-testid="flows-total"]', 'data-value', (v) => v === String(flows));
    const modelChips = page.locator('[data-testid="flow-row"] [data-testid="flow-label"][data-source="model"]');
    await modelChips.first().waitFor();
    assert.equal(await modelChips.count(), unknown);
    const chipRow = page.locator('[data-testid="flow-row"]:has([data-testid="flow-label"][data-source="model"])').first();
    const flowId = Number(await chipRow.getAttribute('data-id'));
    const label = sqlRow<{ label: string; confidence: number }>(served, "SELECT label, confidence FROM flow_labels WHERE flow_id = ? AND source = 'model'", flowId);
    assert.deepEqual(
      [await modelChips.first().getAttribute('data-label'), Number(await modelChips.first().getAttribute('data-confidence'))],
      [label?.label, label?.confidence],
    );
    await screenshot(page, 'classification-applied');
  });
});
