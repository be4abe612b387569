import type Database from 'better-sqlite3';
import { FLIGHT_METRICS, PACKET_LENGTH_BUCKETS, WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import { err, ok, type Result } from '../../src-shared/result.js';
import { ConversationsRepo } from '../store/conversations-repo.js';
import type { ConversationProto } from '../store/conversations-repo.js';
import { FlowsRepo } from '../store/flows-repo.js';
import { SourcesRepo } from '../store/sources-repo.js';
import { StatsRepo, STAT_NAMES } from '../store/stats-repo.js';
import { TalkerQueries } from '../store/talker-queries.js';
import { windowRows, WINDOW_ROW_COLUMNS } from '../store/window-rows.js';
import { openWorkspace } from '../store/workspace.js';
import { ExitCode, type CliCommand, type CliIo } from './cli-command.js';
import { parseOptions } from './parse-options.js';
import { formatRows, type Cell, type OutputFormat, type RowSet } from './query-output.js';

const WHATS = ['windows', 'flows', 'conversations', 'talkers', 'sizes', 'protocols', 'stats', 'sources'] as const;
type What = (typeof WHATS)[number];

const HELP = `Usage: flowbench query WHAT --db PATH --source N [options] [--json|--csv]

Reads what \`flowbench ingest\` stored. WHAT is one of:
  windows        one row per non-empty window: t (window start, epoch s), packets, bytes,
                 captured_bytes, the window metrics (${WINDOW_METRICS.join(', ')})
                 and bytes in flight with gradients (${FLIGHT_METRICS.join(', ')})
  flows          flow records, by first packet time
  conversations  Wireshark's conversations table (per direction packets/bytes, start, duration)
  talkers        top talkers by IP address (--by ip) or by port (--by port)
  sizes          packet-length buckets (tshark -z plen,tree ranges)
  protocols      packets and bytes per transport class (tcp, udp, icmp, other)
  stats          whole-source ack_rtt, handshake_rtt, dns_latency (count, mean, p50, p99, max,
                 seconds), packet_length_buckets, sni, dns_names
  sources        the sources in the workspace (no --source needed)

Options:
  --db PATH             the workspace file (required)
  --source N            source id (as \`ingest --json\` prints it; see \`query sources\`)
  --from T, --to T      time range [from, to): epoch seconds or an ISO 8601 date
                        (windows, flows, talkers, sizes, protocols)
  --resolution R        windows: 1s, 10s, 60s or auto (default auto: the finest whose row
                        count fits --limit)
  --limit N             most rows (windows: all by default; flows, conversations: 100;
                        talkers: 10)
  --fill                windows: also list empty windows in the range (zero counts)
  --by ip|port          talkers: rank addresses or ports (default ip)
  --proto tcp|udp       conversations: one table only
  --json                JSON (an array of rows; stats: one object)
  --csv                 CSV with a header row
  -h, --help            show this help
`;

/** `flowbench query WHAT --db PATH --source N …`. */
export const queryCommand: CliCommand = {
  name: 'query',
  synopsis: `${WHATS.join('|')} --db PATH --source N [--json|--csv]`,
  description: 'read windows, flows, conversations, talkers, sizes, protocols or stats of a source',
  help: HELP,
  run: runQuery,
};

/** Parsed query arguments. */
interface QueryArgs {
  readonly what: What;
  readonly sourceId: number;
  readonly from: number | undefined;
  readonly to: number | undefined;
  readonly resolution: number | 'auto';
  readonly limit: number | undefined;
  readonly fill: boolean;
  readonly by: 'ip' | 'port';
  readonly proto: ConversationProto | undefined;
  readonly format: OutputFormat;
}

async function runQuery(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, {
    db: { type: 'string' },
    source: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    resolution: { type: 'string' },
    limit: { type: 'string' },
    fill: { type: 'boolean' },
    by: { type: 'string' },
    proto: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(io, parsed.error.message);
  const { values, positionals } = parsed.value;
  if (values['help'] === true) {
    io.out(HELP);
    return ExitCode.OK;
  }
  const dbPath = values['db'];
  if (typeof dbPath !== 'string' || dbPath === '') return usageError(io, 'missing --db PATH');
  const q = checkArgs(values, positionals);
  if (!q.ok) return usageError(io, q.error.message);

  const ws = openWorkspace(dbPath, { readonly: true });
  if (!ws.ok) {
    io.err(`flowbench: ${ws.error.message}\n`);
    return ExitCode.FAILED;
  }
  try {
    const db = ws.value.db;
    if (q.value.what !== 'sources' && new SourcesRepo(db).get(q.value.sourceId) === undefined) {
      io.err(`flowbench: no source ${q.value.sourceId} in ${ws.value.path} (see \`flowbench query sources --db ${dbPath}\`)\n`);
      return ExitCode.FAILED;
    }
    const out = runWhat(db, q.value);
    if (!out.ok) {
      io.err(`flowbench query: ${out.error.message}\n`);
      return ExitCode.FAILED;
    }
    io.out(out.value);
    return ExitCode.OK;
  } finally {
    ws.value.close();
  }
}

function checkArgs(values: Readonly<Record<string, string | boolean | undefined>>, positionals: readonly string[]): Result<QueryArgs> {
  const invalid = (message: string): Result<QueryArgs> => err({ code: 'invalid_argument', message });
  if (positionals.length === 0) return invalid(`missing WHAT (${WHATS.join(', ')})`);
  if (positionals.length > 1) return invalid(`expected one WHAT, got ${positionals.join(' ')}`);
  const what = positionals[0] as What;
  if (!WHATS.includes(what)) return invalid(`unknown WHAT "${positionals[0]}" (${WHATS.join(', ')})`);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);

  let sourceId = 0;
  if (what !== 'sources') {
    const s = str('source');
    if (s === undefined) return invalid('missing --source N');
    if (!/^\d+$/.test(s)) return invalid(`--source must be a source id (a whole number), got "${s}"`);
    sourceId = Number(s);
  }
  const from = parseTime(str('from'));
  if (from === null) return invalid(`--from: not a time: "${str('from')}" (epoch seconds or ISO 8601)`);
  const to = parseTime(str('to'));
  if (to === null) return invalid(`--to: not a time: "${str('to')}" (epoch seconds or ISO 8601)`);
  if (from !== undefined && to !== undefined && !(from < to)) return invalid(`empty range: --from ${from} is not before --to ${to}`);

  const resText = str('resolution') ?? 'auto';
  const resMatch = /^(1|10|60)s?$/.exec(resText);
  if (resText !== 'auto' && resMatch === null) return invalid(`--resolution must be 1s, 10s, 60s or auto, got "${resText}"`);
  const resolution = resMatch === null ? 'auto' : Number(resMatch[1]);

  const limitText = str('limit');
  if (limitText !== undefined && !/^[1-9]\d*$/.test(limitText)) return invalid(`--limit must be a positive whole number, got "${limitText}"`);
  const limit = limitText === undefined ? undefined : Number(limitText);

  const by = str('by') ?? 'ip';
  if (by !== 'ip' && by !== 'port') return invalid(`--by must be ip or port, got "${by}"`);
  const protoText = str('proto');
  if (protoText !== undefined && !['tcp', 'udp', 'ipv4', 'ipv6'].includes(protoText)) return invalid(`--proto must be tcp or udp, got "${protoText}"`);
  if (values['json'] === true && values['csv'] === true) return invalid('--json and --csv exclude each other');
  if (what === 'conversations' && (from !== undefined || to !== undefined)) {
    return invalid('conversations cover the whole source: --from/--to do not apply');
  }
  const format: OutputFormat = values['json'] === true ? 'json' : values['csv'] === true ? 'csv' : 'table';
  return ok({
    what, sourceId, from, to, resolution, limit, fill: values['fill'] === true, by,
    proto: protoText as ConversationProto | undefined, format,
  });
}

/** Epoch seconds ("1581109488", "1581109488.5") or an ISO 8601 date; undefined when absent, null when bad. */
export function parseTime(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms / 1000;
}

function runWhat(db: Database.Database, q: QueryArgs): Result<string> {
  switch (q.what) {
    case 'windows': return windowsOutput(db, q);
    case 'stats': return ok(statsOutput(db, q));
    case 'sources': {
      const rows = new SourcesRepo(db).list().map((s) => ({
        id: s.id, name: s.displayName, kind: s.kind, status: s.status, packets: s.packets, bytes: s.bytes,
        first_ts: s.firstTimestamp, last_ts: s.lastTimestamp, path: s.path, error: s.error,
      }));
      return ok(formatRows({ columns: ['id', 'name', 'kind', 'status', 'packets', 'bytes', 'first_ts', 'last_ts', 'error'], rows }, q.format));
    }
    case 'flows': {
      const flows = new FlowsRepo(db).page(q.sourceId, range(q), { limit: q.limit ?? 100 });
      const columns = ['id', 'proto', 'client_addr', 'client_port', 'server_addr', 'server_port', 'first_ts', 'duration',
        'fwd_packets', 'bwd_packets', 'fwd_bytes', 'bwd_bytes', 'handshake_rtt', 'sni', 'dns_query', 'end_reason'];
      const rows = flows as unknown as Record<string, Cell>[];
      return ok(q.format === 'json' ? formatRows({ columns, rows }, 'json') : formatRows({ columns, rows }, q.format));
    }
    case 'conversations': {
      const rows = new ConversationsRepo(db).page(q.sourceId, { limit: q.limit ?? 100, ...(q.proto === undefined ? {} : { proto: q.proto }) });
      const columns = ['proto', 'addr_a', 'port_a', 'addr_b', 'port_b', 'packets_ab', 'bytes_ab', 'packets_ba', 'bytes_ba',
        'packets', 'bytes', 'start', 'rel_start', 'duration', 'bps_ab', 'bps_ba'];
      return ok(formatRows({ columns, rows: rows as unknown as Record<string, Cell>[] }, q.format));
    }
    case 'talkers': {
      const t = new TalkerQueries(db);
      const req = { sourceId: q.sourceId, limit: q.limit ?? 10, ...range(q) };
      const set: RowSet = q.by === 'ip'
        ? { columns: ['addr', 'packets', 'bytes', 'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'flows'], rows: t.byIp(req) as unknown as Record<string, Cell>[] }
        : { columns: ['proto', 'port', 'packets', 'bytes', 'flows'], rows: t.byPort(req) as unknown as Record<string, Cell>[] };
      return ok(formatRows(set, q.format));
    }
    case 'sizes': {
      const sums = windowSums(db, q, PACKET_LENGTH_BUCKETS.map((b) => b.column));
      const rows = PACKET_LENGTH_BUCKETS.map((b) => ({ range: b.range, count: sums[b.column] ?? 0 }));
      return ok(formatRows({ columns: ['range', 'count'], rows }, q.format));
    }
    case 'protocols': {
      const classes = ['tcp', 'udp', 'icmp', 'other'] as const;
      const sums = windowSums(db, q, ['packets', ...classes.flatMap((c) => [`${c}_packets`, `${c}_bytes`])]);
      const total = sums['packets'] ?? 0;
      const rows = classes.map((c) => ({
        protocol: c,
        packets: sums[`${c}_packets`] ?? 0,
        bytes: sums[`${c}_bytes`] ?? 0,
        packet_percent: total > 0 ? (100 * (sums[`${c}_packets`] ?? 0)) / total : null,
      }));
      return ok(formatRows({ columns: ['protocol', 'packets', 'bytes', 'packet_percent'], rows }, q.format));
    }
  }
}

function range(q: QueryArgs): { from?: number; to?: number } {
  return { ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }) };
}

/** Sums of window columns over the range, from the 1 s rows (they partition the packets). */
function windowSums(db: Database.Database, q: QueryArgs, columns: readonly string[]): Record<string, number> {
  const sql = `SELECT ${columns.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(', ')} FROM windows
    WHERE source_id = ? AND resolution = 1 AND t >= ? AND t < ?`;
  return db.prepare<unknown[], Record<string, number>>(sql).get(q.sourceId, q.from ?? -1e300, q.to ?? 1e300) ?? {};
}

function windowsOutput(db: Database.Database, q: QueryArgs): Result<string> {
  const read = windowRows(db, {
    sourceId: q.sourceId, ...range(q), resolution: q.resolution, fill: q.fill, ...(q.limit === undefined ? {} : { limit: q.limit }),
  });
  if (!read.ok) return err({ code: read.error.code, message: read.error.message.replace('from/to', '--from/--to').replace('filling would give', '--fill would print') });
  return ok(formatRows({ columns: WINDOW_ROW_COLUMNS, rows: read.value.rows }, q.format));
}

function statsOutput(db: Database.Database, q: QueryArgs): string {
  const s = new StatsRepo(db).read(q.sourceId);
  if (q.format === 'json') return `${JSON.stringify(s, null, 2)}\n`;
  if (s === null) return '(no stats: the ingest of this source did not finish)\n';
  const statRows = STAT_NAMES.map((n) => ({ name: n, ...s[n] }));
  const statSet: RowSet = { columns: ['name', 'count', 'mean', 'p50', 'p99', 'max'], rows: statRows };
  if (q.format === 'csv') return formatRows(statSet, 'csv');
  return [
    'Latency (seconds):\n',
    formatRows(statSet, 'table'),
    '\nPacket lengths:\n',
    formatRows({ columns: ['range', 'count'], rows: s.packet_length_buckets }, 'table'),
    `\nTLS SNI (${s.sni.length}):${s.sni.length === 0 ? ' -' : ''}\n`,
    ...s.sni.map((n) => `  ${n}\n`),
    `\nDNS names (${s.dns_names.length}):${s.dns_names.length === 0 ? ' -' : ''}\n`,
    ...s.dns_names.map((n) => `  ${n}\n`),
  ].join('');
}

function usageError(io: CliIo, reason: string): number {
  io.err(`flowbench query: ${reason} (see \`flowbench query --help\`)\n`);
  return ExitCode.FAILED;
}
