/**
 * Labelled-flow CSV (issue 6, labels from an imported table): a header row, then one row per
 * flow named by its flow id (`flow_id`) or by its 5-tuple (`src,dst,sport,dport,proto`,
 * either direction), and a `label` column holding a traffic class. Pure: text in, rows or the
 * first fault (line and column) out. RFC 4180 quoting; CRLF or LF.
 */
import { isIP } from 'node:net';
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import type { TrafficClass } from '../../../src-shared/classify-api.js';
import { err, ok } from '../../../src-shared/result.js';
import type { Result } from '../../../src-shared/result.js';

/** How a CSV row names its flow. */
export type LabelTarget =
  | { readonly kind: 'id'; readonly flowId: number }
  | { readonly kind: 'tuple'; readonly src: string; readonly dst: string; readonly sport: number; readonly dport: number; readonly proto: number };

/** One data row: its line number (1 = header), the flow it names, the label. */
export interface LabelCsvRow {
  readonly line: number;
  readonly target: LabelTarget;
  readonly label: TrafficClass;
}

/** Header names accepted for each column (lower case, spaces and dashes read as '_'). */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  flow_id: ['flow_id', 'flow', 'id', 'flow_key'],
  src: ['src', 'src_addr', 'src_ip', 'source', 'client_addr', 'saddr'],
  dst: ['dst', 'dst_addr', 'dst_ip', 'destination', 'server_addr', 'daddr'],
  sport: ['sport', 'src_port', 'source_port', 'client_port'],
  dport: ['dport', 'dst_port', 'destination_port', 'server_port'],
  proto: ['proto', 'protocol'],
  label: ['label', 'class', 'traffic_class', 'traffic_type'],
};

const PROTO_NAMES: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 };

/** Splits CSV text into records of fields with the line each record starts on. */
function records(text: string): { line: number; fields: string[] }[] | { line: number; message: string } {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) return { line: start, message: 'a quoted field is not closed' };
  endRecord();
  return out;
}

function columnIndex(header: readonly string[], name: string): number {
  const names = ALIASES[name] ?? [name];
  return header.findIndex((h) => names.includes(h));
}

/** An address as the workspace stores it: IPv6 in RFC 5952 form (IPv4-mapped with a dotted tail). */
export function canonicalAddr(v: string): string {
  if (isIP(v) !== 6) return v;
  const host = new URL(`http://[${v}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped === null) return host;
  const hi = parseInt(mapped[1] ?? '0', 16);
  const lo = parseInt(mapped[2] ?? '0', 16);
  return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function port(v: string): number | null {
  return /^\d{1,5}$/.test(v) && Number(v) <= 65535 ? Number(v) : null;
}

function proto(v: string): number | null {
  const named = PROTO_NAMES[v.toLowerCase()];
  if (named !== undefined) return named;
  return /^\d{1,3}$/.test(v) && Number(v) <= 255 ? Number(v) : null;
}

/**
 * Parses a labelled-flow CSV. The first fault ends the parse with a message naming the line and
 * the column (number and header name), e.g. `line 4, column 2 (dst): "10.0.0" is not an IP address`.
 */
export function parseLabelCsv(text: string): Result<LabelCsvRow[]> {
  const recs = records(text);
  if (!Array.isArray(recs)) return err({ code: 'invalid_argument', message: `line ${recs.line}: ${recs.message}` });
  const head = recs[0];
  if (head === undefined) return err({ code: 'invalid_argument', message: 'line 1: the file is empty (a header row is required)' });
  const header = head.fields.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const col = (name: string): number => columnIndex(header, name);
  const labelCol = col('label');
  const idCol = col('flow_id');
  const tuple = ['src', 'dst', 'sport', 'dport', 'proto'].map(col);
  const where = (line: number, c: number): string => `line ${line}, column ${c + 1} (${head.fields[c]?.trim() ?? ''})`;
  if (labelCol < 0) return err({ code: 'invalid_argument', message: `line 1: no label column (header: ${head.fields.join(',')})` });
  if (idCol < 0 && tuple.some((c) => c < 0)) {
    const missing = ['src', 'dst', 'sport', 'dport', 'proto'].filter((_, k) => (tuple[k] ?? -1) < 0);
    return err({ code: 'invalid_argument', message: `line 1: needs a flow_id column or all of src,dst,sport,dport,proto (missing ${missing.join(',')})` });
  }
  const rows: LabelCsvRow[] = [];
  for (const r of recs.slice(1)) {
    const cell = (c: number): string => (r.fields[c] ?? '').trim();
    if (r.fields.length !== head.fields.length) {
      return err({ code: 'invalid_argument', message: `line ${r.line}: ${r.fields.length} columns, the header has ${head.fields.length}` });
    }
    const l = cell(labelCol).toLowerCase().replace(/[\s-]+/g, '_');
    if (!(TRAFFIC_CLASSES as readonly string[]).includes(l)) {
      return err({ code: 'invalid_argument', message: `${where(r.line, labelCol)}: "${cell(labelCol)}" is not one of ${TRAFFIC_CLASSES.join(', ')}` });
    }
    const label = l as TrafficClass;
    if (idCol >= 0 && cell(idCol) !== '') {
      const v = cell(idCol);
      if (!/^\d{1,15}$/.test(v) || Number(v) < 1) return err({ code: 'invalid_argument', message: `${where(r.line, idCol)}: "${v}" is not a flow id` });
      rows.push({ line: r.line, target: { kind: 'id', flowId: Number(v) }, label });
      continue;
    }
    const [srcC, dstC, sportC, dportC, protoC] = tuple as [number, number, number, number, number];
    if (srcC < 0) return err({ code: 'invalid_argument', message: `${where(r.line, idCol)}: empty flow id and no 5-tuple columns` });
    for (const c of [srcC, dstC]) if (isIP(cell(c)) === 0) return err({ code: 'invalid_argument', message: `${where(r.line, c)}: "${cell(c)}" is not an IP address` });
    const sport = port(cell(sportC));
    const dport = port(cell(dportC));
    const p = proto(cell(protoC));
    if (sport === null) return err({ code: 'invalid_argument', message: `${where(r.line, sportC)}: "${cell(sportC)}" is not a port (0–65535)` });
    if (dport === null) return err({ code: 'invalid_argument', message: `${where(r.line, dportC)}: "${cell(dportC)}" is not a port (0–65535)` });
    if (p === null) return err({ code: 'invalid_argument', message: `${where(r.line, protoC)}: "${cell(protoC)}" is not a protocol (tcp, udp, icmp or 0–255)` });
    rows.push({ line: r.line, target: { kind: 'tuple', src: canonicalAddr(cell(srcC)), dst: canonicalAddr(cell(dstC)), sport, dport, proto: p }, label });
  }
  return ok(rows);
}
