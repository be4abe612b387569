import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiClient, FlowRow } from '../../src-shared/api.js';
import { corpusDir } from '../../test/corpus-paths.js';
import { value } from '../../test/workbench-client.js';
import { ingestFile } from '../analysis/ingest-pipeline.js';
import { defaultRuleList } from '../ml/classify/traffic-rules.js';
import { openWorkspace } from '../store/workspace.js';
import { createDirectClient } from './direct-client.js';
import { Workbench } from './workbench.js';

interface Bench {
  readonly dir: string;
  readonly path: string;
  readonly sourceId: number;
  open(): Workbench;
}

/** A workspace holding the corpus's Netflix capture (SNI, DNS and port-labelled flows). */
async function netflixWorkspace(t: TestContext): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-labels-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'w.flowbench');
  const ws = openWorkspace(path);
  assert.ok(ws.ok);
  const ing = await ingestFile(ws.value.db, join(corpusDir, 'pcap', 'ndpi__netflix.pcap'));
  ws.value.close();
  assert.ok(ing.ok);
  return {
    dir, path, sourceId: ing.value.sourceId,
    open: () => {
      const r = Workbench.open({ workspacePath: path, host: 'server' });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
  };
}

async function allRows(api: ApiClient, sourceId: number): Promise<readonly FlowRow[]> {
  const p = await value(api.call('flows.page', { sourceId, limit: 5000, offset: 0 }));
  assert.equal(p.rows.length, p.total);
  return p.rows;
}

/** Flow ids per shown label, from whole-source rows. */
function byLabel(rows: readonly FlowRow[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.label ?? '', [...(out.get(r.label ?? '') ?? []), r.id]);
  return out;
}

test('flows.page rows carry rule labels; flows.label sets a user label that wins and persists', async (t) => {
  const b = await netflixWorkspace(t);
  let wb = b.open();
  let api = createDirectClient(wb);
  const page = await value(api.call('flows.page', { sourceId: b.sourceId, filter: { port: 53 }, limit: 5, offset: 0 }));
  const first = page.rows[0];
  assert.ok(first !== undefined);
  for (const r of page.rows) assert.deepEqual([r.label, r.label_source], ['dns', 'rule']);
  const bad = await api.call('flows.label', { flowId: first.id, label: 'nonsense' as 'web' });
  assert.ok(!bad.ok && bad.error.code === 'invalid_argument' && bad.error.message.includes('label'));
  const events: (number | null)[] = [];
  wb.onEvent((e, p) => { if (e === 'labels.changed') events.push((p as { sourceId: number | null }).sourceId); });
  assert.ok((await api.call('flows.label', { flowId: first.id, label: 'mail' })).ok);
  assert.deepEqual(events, [b.sourceId]);
  await wb.close();
  wb = b.open();
  api = createDirectClient(wb);
  t.after(() => wb.close());
  const again = await value(api.call('flows.page', { sourceId: b.sourceId, filter: { port: 53 }, limit: 5, offset: 0 }));
  const row = again.rows.find((r) => r.id === first.id);
  assert.deepEqual([row?.label, row?.label_source], ['mail', 'user']);
  const detail = await value(api.call('flows.get', { flowId: first.id }));
  assert.deepEqual([detail.label, detail.label_source, detail.early_packets.length > 0], ['mail', 'user', true]);
  assert.ok((await api.call('flows.label', { flowId: first.id, label: null })).ok);
  const cleared = await value(api.call('flows.get', { flowId: first.id }));
  assert.deepEqual([cleared.label, cleared.label_source], ['dns', 'rule']);
});

test('labels.rules.*: edits validate by field, relabel flows at once, and reset restores the defaults', async (t) => {
  const b = await netflixWorkspace(t);
  const wb = b.open();
  t.after(() => wb.close());
  const api = createDirectClient(wb);
  const defaults = await value(api.call('labels.rules.list', {}));
  assert.deepEqual(defaults, defaultRuleList());

  const before = await allRows(api, b.sourceId);
  const video = before.filter((r) => r.sni?.includes('.netflix.') === true);
  assert.ok(video.length >= 5, `the capture has Netflix API flows by SNI (${video.length})`);
  for (const r of video) assert.deepEqual([r.label, r.label_source], ['streaming', 'rule']);

  // A glob SNI rule ahead of the defaults relabels exactly the flows whose SNI it matches.
  const rule = await value(api.call('labels.rules.save', { kind: 'sni', pattern: '*.NETFLIX.*', label: 'file_transfer', priority: 1 }));
  assert.deepEqual([rule.pattern, rule.priority, rule.enabled], ['*.netflix.*', 1, true]);
  const after = await allRows(api, b.sourceId);
  const changed = after.filter((r, i) => r.label !== before[i]?.label).map((r) => r.id);
  assert.deepEqual(changed, video.map((r) => r.id));
  for (const r of after.filter((x) => changed.includes(x.id))) assert.deepEqual([r.label, r.label_source], ['file_transfer', 'rule']);

  // The label filter answers exactly the flows showing the label, paged in the asked order.
  const groups = byLabel(after);
  for (const [label, ids] of groups) {
    const p = await value(api.call('flows.page', { sourceId: b.sourceId, filter: { label: label as 'web' }, sort: { column: 'first_ts', desc: false }, limit: 3, offset: 1 }));
    assert.equal(p.total, ids.length, label);
    assert.deepEqual(p.rows.map((r) => r.id), after.filter((r) => r.label === label).slice(1, 4).map((r) => r.id), label);
  }
  const combined = await value(api.call('flows.page', { sourceId: b.sourceId, filter: { label: 'dns', port: 53 }, limit: 5000, offset: 0 }));
  assert.equal(combined.total, after.filter((r) => r.label === 'dns' && (r.server_port === 53 || r.client_port === 53)).length);

  // Disabling it restores the default labels; a port range rule takes ports the defaults leave open.
  await value(api.call('labels.rules.save', { ...rule, enabled: false }));
  // An edit that does not name priority or on/off keeps them.
  const edited = await value(api.call('labels.rules.save', { id: rule.id, kind: 'sni', pattern: '*.netflix.*', label: 'file_transfer' }));
  assert.deepEqual([edited.id, edited.priority, edited.enabled], [rule.id, 1, false]);
  assert.deepEqual((await allRows(api, b.sourceId)).map((r) => r.label), before.map((r) => r.label));
  const unknown = before.filter((r) => r.label === 'unknown');
  if (unknown.length > 0) {
    const port = unknown[0]!.server_port;
    await value(api.call('labels.rules.save', { kind: 'port', pattern: ` ${port} - ${port} `, label: 'other', priority: 5 }));
    const relabelled = (await allRows(api, b.sourceId)).filter((r) => unknown.some((u) => u.id === r.id) && r.label === 'other');
    assert.ok(relabelled.some((r) => r.id === unknown[0]!.id));
  }

  // Faults name their field.
  const fault = async (req: object, field: string, text: string): Promise<void> => {
    const r = await api.call('labels.rules.save', req as never);
    assert.ok(!r.ok, JSON.stringify(req));
    assert.equal(r.error.code, 'invalid_argument');
    assert.match(r.error.message, new RegExp(`^labels\\.rules\\.save: ${field}: .*${text}`), r.error.message);
  };
  await fault({ kind: 'ip', pattern: '1', label: 'web' }, 'kind', 'must be one of port, sni, dns');
  await fault({ kind: 'port', pattern: '70000', label: 'web' }, 'pattern', 'not a port');
  await fault({ kind: 'port', pattern: '90-80', label: 'web' }, 'pattern', 'range');
  await fault({ kind: 'port', pattern: 'http', label: 'web' }, 'pattern', 'not a port');
  await fault({ kind: 'sni', pattern: 'a..b', label: 'web' }, 'pattern', 'empty label');
  await fault({ kind: 'dns', pattern: '*.*', label: 'web' }, 'pattern', "only '\\*'");
  await fault({ kind: 'sni', pattern: 'ex ample.com', label: 'web' }, 'pattern', 'may hold only');
  await fault({ kind: 'sni', pattern: 'example.com', label: 'unknown' }, 'label', 'must be one of');
  await fault({ kind: 'sni', pattern: 'example.com', label: 'web', priority: -1 }, 'priority', 'between');
  const missing = await api.call('labels.rules.save', { id: 999999, kind: 'sni', pattern: 'example.com', label: 'web' });
  assert.ok(!missing.ok && missing.error.code === 'not_found' && missing.error.message.startsWith('id: '));
  const gone = await api.call('labels.rules.remove', { ruleId: 999999 });
  assert.ok(!gone.ok && gone.error.code === 'not_found' && gone.error.message.startsWith('ruleId: '));

  // Remove a default port rule: its flows lose the label.
  const https = defaults.find((r) => r.kind === 'port' && r.pattern === '443');
  assert.ok(https !== undefined);
  await value(api.call('labels.rules.remove', { ruleId: https.id }));
  assert.ok(!(await value(api.call('labels.rules.list', {}))).some((r) => r.id === https.id));
  const noHttps = await allRows(api, b.sourceId);
  const web443 = before.filter((r) => r.label === 'web' && r.server_port === 443 && r.sni === null);
  for (const r of web443) assert.notEqual(noHttps.find((x) => x.id === r.id)?.label, 'web');

  const reset = await value(api.call('labels.rules.reset', {}));
  assert.deepEqual(reset, defaultRuleList());
  assert.deepEqual((await allRows(api, b.sourceId)).map((r) => r.label), before.map((r) => r.label));
});

test('labels.import: a CSV by 5-tuple (either direction) or flow id sets user labels; faults name line and column', async (t) => {
  const b = await netflixWorkspace(t);
  const wb = b.open();
  t.after(() => wb.close());
  const api = createDirectClient(wb);
  const rows = await allRows(api, b.sourceId);
  const tcp = rows.filter((r) => r.proto === 6);
  const [a, c, d] = [tcp[0], tcp[1], rows.find((r) => r.proto === 17)];
  assert.ok(a !== undefined && c !== undefined && d !== undefined);
  // Every record of a 5-tuple gets the label (independent count from the database).
  const db = new Database(b.path, { readonly: true });
  const records = (r: FlowRow): number =>
    db.prepare<unknown[], { n: number }>(
      'SELECT count(*) AS n FROM flows WHERE proto = ? AND ((client_addr = ? AND server_addr = ? AND client_port = ? AND server_port = ?) OR (client_addr = ? AND server_addr = ? AND client_port = ? AND server_port = ?))',
    ).get(r.proto, r.client_addr, r.server_addr, r.client_port, r.server_port, r.server_addr, r.client_addr, r.server_port, r.client_port)?.n ?? 0;
  const expectFlows = records(a) + records(d) + 1;
  db.close();
  const csv = join(b.dir, 'labels.csv');
  writeFileSync(csv, [
    'src,dst,sport,dport,proto,flow_id,label',
    `${a.client_addr},${a.server_addr},${a.client_port},${a.server_port},tcp,,messaging`,
    // The server side first, the protocol as a number, the label with a space and capitals.
    `${d.server_addr},${d.client_addr},${d.server_port},${d.client_port},17,,"File Transfer"`,
    `,,,,,${c.id},mail`,
    '10.255.255.1,10.255.255.2,1,2,udp,,web',
  ].join('\r\n'));
  const result = await value(api.call('labels.import', { path: csv, sourceId: b.sourceId }));
  assert.deepEqual(result, { rows: 4, matchedRows: 3, unmatchedRows: 1, flowsLabelled: expectFlows, unmatchedLines: [5] });
  const now = await allRows(api, b.sourceId);
  const shown = (id: number): [string | undefined, string | undefined] => {
    const r = now.find((x) => x.id === id);
    return [r?.label, r?.label_source];
  };
  assert.deepEqual(shown(a.id), ['messaging', 'user']);
  assert.deepEqual(shown(d.id), ['file_transfer', 'user']);
  assert.deepEqual(shown(c.id), ['mail', 'user']);
  assert.equal(now.filter((r) => r.label_source === 'user').length, expectFlows);

  // Another source id finds none of these flows.
  const elsewhere = await api.call('labels.import', { path: csv, sourceId: b.sourceId + 1 });
  assert.ok(!elsewhere.ok && elsewhere.error.code === 'not_found');

  const fault = async (lines: readonly string[], text: string): Promise<void> => {
    writeFileSync(csv, lines.join('\n'));
    const r = await api.call('labels.import', { path: csv });
    assert.ok(!r.ok, lines.join(' | '));
    assert.equal(r.error.code, 'invalid_argument');
    assert.ok(r.error.message.startsWith(`labels.csv ${text}`), r.error.message);
  };
  await fault(['flow_id,label', `${c.id},web`, `${c.id},gaming`], 'line 3, column 2 (label): "gaming" is not one of web,');
  await fault(['src,dst,sport,dport,proto,label', '10.0.0.1,10.0.0,1,2,tcp,web'], 'line 2, column 2 (dst): "10.0.0" is not an IP address');
  await fault(['src,dst,sport,dport,proto,label', '10.0.0.1,10.0.0.2,1,65536,tcp,web'], 'line 2, column 4 (dport): "65536" is not a port');
  await fault(['src,dst,sport,dport,proto,label', '10.0.0.1,10.0.0.2,1,2,gre2,web'], 'line 2, column 5 (proto): "gre2" is not a protocol');
  await fault(['flow_id,label', '12x,web'], 'line 2, column 1 (flow_id): "12x" is not a flow id');
  await fault(['flow_id,label', '1,web,extra'], 'line 2: 3 columns, the header has 2');
  await fault(['src,dst,label', '10.0.0.1,10.0.0.2,web'], 'line 1: needs a flow_id column or all of src,dst,sport,dport,proto (missing sport,dport,proto)');
  await fault(['flow_id,class_name', '1,web'], 'line 1: no label column');
  await fault(['flow_id,label', '1,"web'], 'line 2: a quoted field is not closed');
  await fault([], 'line 1: the file is empty');
  // A faulty file stores nothing: the labels of the good import stand unchanged.
  assert.deepEqual((await allRows(api, b.sourceId)).map((r) => [r.label, r.label_source]), now.map((r) => [r.label, r.label_source]));
  const absent = await api.call('labels.import', { path: join(b.dir, 'nope.csv') });
  assert.ok(!absent.ok && absent.error.code === 'not_found' && absent.error.message.includes('nope.csv'));
});

test('drift.compare counts traffic types as the flows table shows them, and follows a rule edit and a user label', async (t) => {
  const b = await netflixWorkspace(t);
  const wb = b.open();
  t.after(() => wb.close());
  const api = createDirectClient(wb);
  const typeCounts = async (): Promise<Map<string, number>> => {
    const r = await value(api.call('drift.compare', { reference: { sourceId: b.sourceId }, compared: { sourceId: b.sourceId } }));
    const dim = r.dimensions.find((d) => d.dimension === 'traffic_type');
    assert.ok(dim !== undefined);
    assert.equal(dim.psi, 0, 'a source against itself does not drift');
    return new Map(dim.contributions.filter((c) => c.countReference > 0).map((c) => [c.category, c.countReference]));
  };
  const shown = async (): Promise<Map<string, number>> => new Map([...byLabel(await allRows(api, b.sourceId))].map(([label, ids]) => [label, ids.length]));

  assert.deepEqual(await typeCounts(), await shown());
  await value(api.call('labels.rules.save', { kind: 'sni', pattern: '*.netflix.*', label: 'file_transfer', priority: 1 }));
  const afterRule = await typeCounts();
  assert.ok((afterRule.get('file_transfer') ?? 0) >= 5, `the rule moved the Netflix flows: ${JSON.stringify([...afterRule])}`);
  assert.deepEqual(afterRule, await shown());
  const first = (await allRows(api, b.sourceId)).find((r) => r.label !== 'mail');
  assert.ok(first !== undefined);
  await value(api.call('flows.label', { flowId: first.id, label: 'mail' }));
  const afterUser = await typeCounts();
  assert.equal(afterUser.get('mail'), (afterRule.get('mail') ?? 0) + 1, 'the user label counts');
  assert.deepEqual(afterUser, await shown());
});
