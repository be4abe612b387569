/**
 * The `windows` table (1 s, 10 s, 60 s rows, sparse: only windows that saw packets) and
 * `window_values` (extra named series of imported sources). Writes are upserts that merge a
 * late part of a window into the stored row.
 */
import type Database from 'better-sqlite3';
import { metricSql, WINDOW_SUMS_FIELDS, WINDOW_VALUE_COLUMNS } from './window-columns.js';
import type { WindowSums } from './window-columns.js';

/** One stored window: `t` plus every value column (null where unknown, e.g. series imports). */
export type StoredWindow = { readonly t: number } & { readonly [column: string]: number | null };

/** A page request over one source and resolution; `from` inclusive, `to` exclusive. */
export interface WindowRange {
  readonly from?: number;
  readonly to?: number;
  /** Keyset paging: only windows with t > after. */
  readonly after?: number;
  readonly limit?: number;
}

/** Values of one upsert, in the order `upsert` fills them. */
const PARAMS = ['source_id', 'resolution', 't', ...WINDOW_SUMS_FIELDS] as const;
const paramIndex = new Map<string, number>(PARAMS.map((p, i) => [p, i]));

/** Columns merged by taking the larger value: a documented approximation of a merged p99. */
const MAX_MERGED = new Set(['tcp_rtt_p99_ms', 'latency_p99_ms', 'bif_max']);
/** Gradients: the stored value stays (a late part's neighbour window is not known). */
const FIRST_KEPT = new Set(['rtt_gradient', 'bif_gradient']);
/** Nullable counts: the sum when both are known, else the known one. */
const NULLABLE_ADDED = new Set(['active_connections', 'new_connections']);
const mergedValue = (c: string): string =>
  FIRST_KEPT.has(c)
    ? `coalesce(windows.${c}, excluded.${c})`
    : MAX_MERGED.has(c)
    ? `max(coalesce(windows.${c}, excluded.${c}), coalesce(excluded.${c}, windows.${c}))`
    : NULLABLE_ADDED.has(c)
      ? `coalesce(windows.${c} + excluded.${c}, windows.${c}, excluded.${c})`
      : `(windows.${c} + excluded.${c})`;

/**
 * The upsert statement and, for each `?` in it, the PARAMS index it binds: better-sqlite3 has
 * no numbered `?NNN` parameters and some parameters appear more than once, so the SQL is
 * written with `{name}` markers that are then replaced in order.
 */
function buildUpsert(): { sql: string; order: number[] } {
  const marker = (name: string): string => `{${name}}`;
  const insertExpr: Record<string, string> = metricSql(marker, marker('resolution'));
  const mergeExpr: Record<string, string> = metricSql(mergedValue, 'excluded.resolution');
  const values = WINDOW_VALUE_COLUMNS.map((c) => insertExpr[c] ?? marker(c));
  const updates = WINDOW_VALUE_COLUMNS.map((c) => `${c} = ${mergeExpr[c] ?? mergedValue(c)}`);
  const order: number[] = [];
  const valuesSql = `${marker('source_id')}, ${marker('resolution')}, ${marker('t')}, ${values.join(', ')}`.replace(
    /\{(\w+)\}/g,
    (_m, name: string) => {
      const i = paramIndex.get(name);
      if (i === undefined) throw new Error(`windows upsert: no parameter ${name}`);
      order.push(i);
      return '?';
    },
  );
  const sql = `INSERT INTO windows (source_id, resolution, t, ${WINDOW_VALUE_COLUMNS.join(', ')})
    VALUES (${valuesSql})
    ON CONFLICT (source_id, resolution, t) DO UPDATE SET ${updates.join(', ')}`;
  return { sql, order };
}

/** Reads and writes windows of any source. */
export class WindowsRepo {
  private readonly upsertStmt: Database.Statement<unknown[]>;
  private readonly order: Int32Array;
  /** Reused arrays: the values in PARAMS order and the bind list; no allocation per row. */
  private readonly args: (number | null)[] = new Array<number | null>(PARAMS.length).fill(0);
  private readonly bind: (number | null)[];

  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    const { sql, order } = buildUpsert();
    this.upsertStmt = db.prepare(sql);
    this.order = Int32Array.from(order);
    this.bind = new Array<number | null>(order.length).fill(0);
  }

  /**
   * Writes one window, or merges it additively into the stored row of the same
   * (source, resolution, t): counts and sums add, metrics are recomputed from the merged sums,
   * connection counts add (exact for disjoint flows, an upper bound otherwise), and each p99
   * becomes the larger of the two (an approximation: the samples are not kept).
   */
  upsert(sourceId: number, resolution: number, w: WindowSums): void {
    const a = this.args;
    a[0] = sourceId;
    a[1] = resolution;
    a[2] = w.t;
    for (let i = 0; i < WINDOW_SUMS_FIELDS.length; i++) a[i + 3] = w[WINDOW_SUMS_FIELDS[i] as keyof WindowSums] ?? null;
    const b = this.bind;
    const order = this.order;
    for (let k = 0; k < order.length; k++) b[k] = a[order[k] ?? 0] ?? null;
    this.upsertStmt.run(b);
  }

  /** Upserts many windows in one transaction (nested in the caller's, if any). */
  upsertMany(sourceId: number, resolution: number, rows: readonly WindowSums[]): void {
    this.db.transaction(() => {
      for (const w of rows) this.upsert(sourceId, resolution, w);
    })();
  }

  /**
   * A writer for imported series rows carrying the given `windows` columns: a repeated `t`
   * replaces the earlier row (last one wins).
   */
  seriesWriter(sourceId: number, resolution: number, columns: readonly string[]): (t: number, values: readonly (number | null)[]) => void {
    for (const c of columns) {
      if (!WINDOW_VALUE_COLUMNS.includes(c)) throw new Error(`not a windows column: ${c}`);
    }
    const placeholders = columns.map(() => '?').join(', ');
    const stmt = this.db.prepare(
      `INSERT INTO windows (source_id, resolution, t${columns.map((c) => `, ${c}`).join('')})
       VALUES (?, ?, ?${columns.length > 0 ? `, ${placeholders}` : ''})
       ON CONFLICT (source_id, resolution, t) DO ${
         columns.length > 0 ? `UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING'
       }`,
    );
    const args: (number | null)[] = new Array<number | null>(columns.length + 3).fill(null);
    return (t, values) => {
      args[0] = sourceId;
      args[1] = resolution;
      args[2] = t;
      for (let i = 0; i < columns.length; i++) args[i + 3] = values[i] ?? null;
      stmt.run(args);
    };
  }

  /** A writer for one extra named series (`window_values`) of an imported source. */
  valuesWriter(sourceId: number, resolution: number): (name: string, t: number, value: number | null) => void {
    const stmt = this.db.prepare(
      `INSERT INTO window_values (source_id, name, resolution, t, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source_id, name, resolution, t) DO UPDATE SET value = excluded.value`,
    );
    return (name, t, value) => {
      stmt.run(sourceId, name, resolution, t, value);
    };
  }

  /** Whether a row exists at (source, resolution, t). */
  has(sourceId: number, resolution: number, t: number): boolean {
    return (
      this.stmt('SELECT 1 FROM windows WHERE source_id = ? AND resolution = ? AND t = ?').get(sourceId, resolution, t) !==
      undefined
    );
  }

  /** Windows in time order, keyset-paged; only stored (non-empty) windows. */
  page(sourceId: number, resolution: number, range: WindowRange = {}): StoredWindow[] {
    const rows = this.stmt<unknown[], StoredWindow>(
        `SELECT t, ${WINDOW_VALUE_COLUMNS.join(', ')} FROM windows
         WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ? AND t > ? ORDER BY t LIMIT ?`,
      )
      .all(sourceId, resolution, range.from ?? -1e300, range.to ?? 1e300, range.after ?? -1e300, range.limit ?? -1);
    const names = this.valueNames(sourceId);
    if (names.length === 0 || rows.length === 0) return rows;
    // Imported series: attach their extra named values to the rows of the page.
    const first = rows[0]?.t ?? 0;
    const last = rows[rows.length - 1]?.t ?? 0;
    const byT = new Map<number, Record<string, number | null>>();
    for (const r of rows) byT.set(r.t, r as Record<string, number | null>);
    const stmt = this.stmt<unknown[], { t: number; value: number | null }>(
      'SELECT t, value FROM window_values WHERE source_id = ? AND name = ? AND resolution = ? AND t >= ? AND t <= ?',
    );
    for (const name of names) {
      for (const r of rows) (r as Record<string, number | null>)[name] = null;
      for (const v of stmt.iterate(sourceId, name, resolution, first, last)) {
        const row = byT.get(v.t);
        if (row !== undefined) row[name] = v.value;
      }
    }
    return rows;
  }

  /** Names of the extra series an imported source carries (none for captures). */
  valueNames(sourceId: number): string[] {
    return this.stmt<[number], { name: string }>('SELECT DISTINCT name FROM window_values WHERE source_id = ? ORDER BY name')
      .all(sourceId)
      .map((r) => r.name);
  }

  /** Resolutions that have at least one row for the source, ascending. */
  resolutions(sourceId: number): number[] {
    const out: number[] = [];
    const next = this.stmt<[number, number], { r: number }>(
      'SELECT resolution AS r FROM windows WHERE source_id = ? AND resolution > ? ORDER BY resolution LIMIT 1',
    );
    // Skip-scan over the primary key: one probe per distinct resolution, not a scan of rows.
    let after = -1;
    for (let r = next.get(sourceId, after); r !== undefined; r = next.get(sourceId, after)) {
      out.push(r.r);
      after = r.r;
    }
    return out;
  }

  /** First and last window start at a resolution, or null without rows. */
  extent(sourceId: number, resolution: number): { first: number; last: number } | null {
    // Two ORDER BY … LIMIT 1 probes of the primary key: `SELECT min(t), max(t)` in one query
    // would scan every row of the range.
    const edge = (dir: 'ASC' | 'DESC') =>
      this.stmt<[number, number], { t: number }>(
          `SELECT t FROM windows WHERE source_id = ? AND resolution = ? ORDER BY t ${dir} LIMIT 1`,
        )
        .get(sourceId, resolution)?.t;
    const first = edge('ASC');
    const last = edge('DESC');
    return first === undefined || last === undefined ? null : { first, last };
  }

  /** Number of stored windows in [from, to). */
  count(sourceId: number, resolution: number, from: number, to: number): number {
    return (
      this.stmt<unknown[], { n: number }>(
          'SELECT count(*) AS n FROM windows WHERE source_id = ? AND resolution = ? AND t >= ? AND t < ?',
        )
        .get(sourceId, resolution, from, to)?.n ?? 0
    );
  }

  /** A prepared statement, cached per repo (read queries repeat as users page and zoom). */
  private stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let st = this.cache.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st as unknown as Database.Statement<P, R>;
  }
}
