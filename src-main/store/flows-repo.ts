/**
 * The `flows` table: one row per FlowRecord (interim records of long flows are rows too), with
 * SeriesStats flattened to `<name>_min|mean|max|std` and the early-packet sequence as a BLOB.
 */
import type Database from 'better-sqlite3';
import type { EarlyPacket, FlowEndReason, FlowRecord, SeriesStats } from '../../src-shared/flow-record.js';

/** SeriesStats fields of FlowRecord, flattened as `<field>_<stat>` columns. */
export const FLOW_SERIES_FIELDS = ['pkt_len', 'fwd_pkt_len', 'bwd_pkt_len', 'iat', 'fwd_iat', 'bwd_iat'] as const;
const STATS = ['min', 'mean', 'max', 'std'] as const;

const SCALAR_HEAD = [
  'proto',
  'ip_version',
  'client_addr',
  'client_port',
  'server_addr',
  'server_port',
  'first_ts',
  'last_ts',
  'duration',
  'fwd_packets',
  'bwd_packets',
  'fwd_bytes',
  'bwd_bytes',
  'fwd_header_bytes',
  'bwd_header_bytes',
] as const;
const SCALAR_TAIL = [
  'syn_count',
  'fin_count',
  'rst_count',
  'psh_count',
  'ack_count',
  'urg_count',
  'handshake_rtt',
  'sni',
  'dns_query',
  'dns_answers',
  'end_reason',
  'segment',
  'early_packets',
] as const;

/** Every data column of `flows` after id and source_id, in insert order. */
export const FLOW_COLUMNS: readonly string[] = [
  ...SCALAR_HEAD,
  ...FLOW_SERIES_FIELDS.flatMap((f) => STATS.map((s) => `${f}_${s}`)),
  ...SCALAR_TAIL,
];

/** Bytes per early packet in the BLOB: u32 (bit 31 = server→client, bits 0–30 = size) + f32 iat. */
const EARLY_STRIDE = 8;

/**
 * Packs an early-packet sequence, little-endian: 8 bytes a packet (240 bytes for 30). The
 * inter-arrival is a float32 (about 7 significant digits), enough for a feature.
 */
export function encodeEarlyPackets(packets: readonly EarlyPacket[]): Buffer {
  const buf = Buffer.alloc(packets.length * EARLY_STRIDE);
  writeEarlyPackets(packets, new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  return buf;
}

/** Writes the packed sequence into `view` (large enough); returns the bytes written. */
function writeEarlyPackets(packets: readonly EarlyPacket[], view: DataView): number {
  let o = 0;
  for (const p of packets) {
    view.setUint32(o, (Math.min(p[0], 0x7fffffff) | (p[1] === -1 ? 0x80000000 : 0)) >>> 0, true);
    view.setFloat32(o + 4, p[2], true);
    o += EARLY_STRIDE;
  }
  return o;
}

/** Unpacks what `encodeEarlyPackets` wrote; a trailing partial entry is ignored. */
export function decodeEarlyPackets(buf: Uint8Array): EarlyPacket[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: EarlyPacket[] = [];
  for (let o = 0; o + EARLY_STRIDE <= buf.byteLength; o += EARLY_STRIDE) {
    const word = view.getUint32(o, true);
    out.push([word & 0x7fffffff, word >>> 31 === 1 ? -1 : 1, view.getFloat32(o + 4, true)]);
  }
  return out;
}

/** A stored flow: the record plus its row id and source. */
export interface StoredFlow extends FlowRecord {
  readonly id: number;
  readonly source_id: number;
}

/** Filters of the flows view (all optional, combined with AND). */
export interface FlowFilter {
  readonly from?: number;
  readonly to?: number;
  /** Either endpoint's address. */
  readonly addr?: string;
  /** Either endpoint's port. */
  readonly port?: number;
  readonly proto?: number;
  readonly sni?: string;
  readonly dnsQuery?: string;
}

/** Reads and writes flows. */
export class FlowsRepo {
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly args: unknown[] = new Array<unknown>(FLOW_COLUMNS.length + 1).fill(null);
  /** Scratch for the early-packet BLOB: SQLite copies a bound blob, so one buffer serves every row. */
  private scratch = Buffer.alloc(64 * EARLY_STRIDE);
  private scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.byteLength);

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO flows (source_id, ${FLOW_COLUMNS.join(', ')}) VALUES (${FLOW_COLUMNS.map(() => '?').join(', ')}, ?)`,
    );
  }

  /** Inserts one flow record; call inside the writer's transaction for speed. */
  insert(sourceId: number, f: FlowRecord): void {
    const a = this.args;
    let i = 0;
    a[i++] = sourceId;
    for (const c of SCALAR_HEAD) a[i++] = f[c];
    for (const field of FLOW_SERIES_FIELDS) {
      const s: SeriesStats = f[field];
      a[i++] = s.min;
      a[i++] = s.mean;
      a[i++] = s.max;
      a[i++] = s.std;
    }
    a[i++] = f.syn_count;
    a[i++] = f.fin_count;
    a[i++] = f.rst_count;
    a[i++] = f.psh_count;
    a[i++] = f.ack_count;
    a[i++] = f.urg_count;
    a[i++] = f.handshake_rtt;
    a[i++] = f.sni;
    a[i++] = f.dns_query;
    a[i++] = f.dns_answers.length === 0 ? null : JSON.stringify(f.dns_answers);
    a[i++] = f.end_reason;
    a[i++] = f.segment;
    a[i++] = this.earlyBlob(f.early_packets);
    this.insertStmt.run(a);
  }

  private earlyBlob(packets: readonly EarlyPacket[]): Buffer {
    if (packets.length * EARLY_STRIDE > this.scratch.length) {
      this.scratch = Buffer.alloc(packets.length * EARLY_STRIDE * 2);
      this.scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.byteLength);
    }
    return this.scratch.subarray(0, writeEarlyPackets(packets, this.scratchView));
  }

  /** Inserts many flow records in one transaction (nested in the caller's, if any). */
  insertMany(sourceId: number, flows: readonly FlowRecord[]): void {
    this.db.transaction(() => {
      for (const f of flows) this.insert(sourceId, f);
    })();
  }

  /** Flows ordered by first packet time, keyset-paged by (first_ts, id). */
  page(
    sourceId: number,
    filter: FlowFilter = {},
    page: { limit?: number; after?: { first_ts: number; id: number } } = {},
  ): StoredFlow[] {
    const where = ['source_id = ?'];
    const args: unknown[] = [sourceId];
    if (filter.from !== undefined) {
      // Flows overlapping [from, to): they may start before `from`.
      where.push('last_ts >= ?');
      args.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('first_ts < ?');
      args.push(filter.to);
    }
    if (filter.addr !== undefined) {
      where.push('(client_addr = ? OR server_addr = ?)');
      args.push(filter.addr, filter.addr);
    }
    if (filter.port !== undefined) {
      where.push('(client_port = ? OR server_port = ?)');
      args.push(filter.port, filter.port);
    }
    if (filter.proto !== undefined) {
      where.push('proto = ?');
      args.push(filter.proto);
    }
    if (filter.sni !== undefined) {
      where.push('sni = ?');
      args.push(filter.sni);
    }
    if (filter.dnsQuery !== undefined) {
      where.push('dns_query = ?');
      args.push(filter.dnsQuery);
    }
    if (page.after !== undefined) {
      where.push('(first_ts, id) > (?, ?)');
      args.push(page.after.first_ts, page.after.id);
    }
    args.push(page.limit ?? 100);
    const rows = this.db
      .prepare<unknown[], Record<string, unknown>>(
        `SELECT * FROM flows WHERE ${where.join(' AND ')} ORDER BY first_ts, id LIMIT ?`,
      )
      .all(...args);
    return rows.map(toFlow);
  }

  /** One flow record by id. */
  get(id: number): StoredFlow | undefined {
    const r = this.db.prepare<[number], Record<string, unknown>>('SELECT * FROM flows WHERE id = ?').get(id);
    return r === undefined ? undefined : toFlow(r);
  }

  /** Number of flow records of a source. */
  count(sourceId: number): number {
    return this.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM flows WHERE source_id = ?').get(sourceId)?.n ?? 0;
  }
}

function toFlow(r: Record<string, unknown>): StoredFlow {
  const num = (k: string): number => r[k] as number;
  const stats = (f: string): SeriesStats => ({
    min: num(`${f}_min`),
    mean: num(`${f}_mean`),
    max: num(`${f}_max`),
    std: num(`${f}_std`),
  });
  const answers = r['dns_answers'];
  return {
    id: num('id'),
    source_id: num('source_id'),
    proto: num('proto'),
    ip_version: num('ip_version') === 6 ? 6 : 4,
    client_addr: r['client_addr'] as string,
    client_port: num('client_port'),
    server_addr: r['server_addr'] as string,
    server_port: num('server_port'),
    first_ts: num('first_ts'),
    last_ts: num('last_ts'),
    duration: num('duration'),
    fwd_packets: num('fwd_packets'),
    bwd_packets: num('bwd_packets'),
    fwd_bytes: num('fwd_bytes'),
    bwd_bytes: num('bwd_bytes'),
    fwd_header_bytes: num('fwd_header_bytes'),
    bwd_header_bytes: num('bwd_header_bytes'),
    pkt_len: stats('pkt_len'),
    fwd_pkt_len: stats('fwd_pkt_len'),
    bwd_pkt_len: stats('bwd_pkt_len'),
    iat: stats('iat'),
    fwd_iat: stats('fwd_iat'),
    bwd_iat: stats('bwd_iat'),
    syn_count: num('syn_count'),
    fin_count: num('fin_count'),
    rst_count: num('rst_count'),
    psh_count: num('psh_count'),
    ack_count: num('ack_count'),
    urg_count: num('urg_count'),
    handshake_rtt: r['handshake_rtt'] as number | null,
    sni: r['sni'] as string | null,
    dns_query: r['dns_query'] as string | null,
    dns_answers: typeof answers === 'string' ? (JSON.parse(answers) as string[]) : [],
    end_reason: r['end_reason'] as FlowEndReason,
    segment: num('segment'),
    early_packets: decodeEarlyPackets(r['early_packets'] as Buffer),
  };
}
