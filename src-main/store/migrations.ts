/**
 * Numbered schema migrations. The schema version is SQLite's `PRAGMA user_version`; each
 * migration runs in its own transaction together with the version bump, so a crash leaves the
 * workspace at the previous version or the next, never between. Never edit a released
 * migration: add the next number (docs/decisions/0001-workspace-schema.md).
 */
import type Database from 'better-sqlite3';
import { WINDOW_METRICS } from '../../src-shared/window-metrics.js';
import { err, ok } from '../../src-shared/result.js';
import type { Result } from '../../src-shared/result.js';
import { defaultRuleList } from '../ml/classify/traffic-rules.js';
import { PLEN_COLUMNS, PROTO_COLUMNS } from './window-columns.js';

/** One schema step: `up` runs inside a transaction that also sets user_version = version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

const seriesStatsColumns = (prefix: string): string =>
  ['min', 'mean', 'max', 'std'].map((s) => `${prefix}_${s} REAL NOT NULL`).join(',\n  ');

const statColumns = (prefix: string): string =>
  [`${prefix}_count INTEGER NOT NULL DEFAULT 0`, ...['mean', 'p50', 'p99', 'max'].map((s) => `${prefix}_${s} REAL`)].join(
    ',\n  ',
  );

const v1Sql = `
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'capture', 'series')),
  path TEXT,
  display_name TEXT NOT NULL,
  size INTEGER,
  mtime_ms REAL,
  head_sha256 TEXT,
  analyzer TEXT,
  format TEXT,
  link_types TEXT NOT NULL DEFAULT '[]',
  series_step REAL,
  status TEXT NOT NULL CHECK (status IN ('ingesting', 'complete', 'partial', 'failed')),
  packets INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  captured_bytes INTEGER NOT NULL DEFAULT 0,
  first_ts TEXT,
  last_ts TEXT,
  error TEXT,
  ingest_pid INTEGER,
  ingest_host TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sources_identity ON sources (path, size, mtime_ms);
CREATE INDEX sources_status ON sources (status);

CREATE TABLE source_warnings (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  byte_offset INTEGER,
  record INTEGER,
  message TEXT NOT NULL,
  PRIMARY KEY (source_id, seq)
) WITHOUT ROWID;

CREATE TABLE windows (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  resolution INTEGER NOT NULL,
  t INTEGER NOT NULL,
  packets INTEGER,
  bytes INTEGER,
  captured_bytes INTEGER,
  ${WINDOW_METRICS.map((m) => `${m} REAL`).join(',\n  ')},
  ${PLEN_COLUMNS.map((c) => `${c} INTEGER`).join(',\n  ')},
  ${PROTO_COLUMNS.map((c) => `${c} INTEGER`).join(',\n  ')},
  rtt_sum REAL,
  rtt_count INTEGER,
  latency_sum REAL,
  latency_count INTEGER,
  PRIMARY KEY (source_id, resolution, t)
) WITHOUT ROWID;

CREATE TABLE window_values (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  resolution INTEGER NOT NULL,
  t INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY (source_id, name, resolution, t)
) WITHOUT ROWID;

CREATE TABLE flows (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  proto INTEGER NOT NULL,
  ip_version INTEGER NOT NULL,
  client_addr TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_addr TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  first_ts REAL NOT NULL,
  last_ts REAL NOT NULL,
  duration REAL NOT NULL,
  fwd_packets INTEGER NOT NULL,
  bwd_packets INTEGER NOT NULL,
  fwd_bytes INTEGER NOT NULL,
  bwd_bytes INTEGER NOT NULL,
  fwd_header_bytes INTEGER NOT NULL,
  bwd_header_bytes INTEGER NOT NULL,
  ${seriesStatsColumns('pkt_len')},
  ${seriesStatsColumns('fwd_pkt_len')},
  ${seriesStatsColumns('bwd_pkt_len')},
  ${seriesStatsColumns('iat')},
  ${seriesStatsColumns('fwd_iat')},
  ${seriesStatsColumns('bwd_iat')},
  syn_count INTEGER NOT NULL,
  fin_count INTEGER NOT NULL,
  rst_count INTEGER NOT NULL,
  psh_count INTEGER NOT NULL,
  ack_count INTEGER NOT NULL,
  urg_count INTEGER NOT NULL,
  handshake_rtt REAL,
  sni TEXT,
  dns_query TEXT,
  dns_answers TEXT,
  end_reason TEXT NOT NULL,
  segment INTEGER NOT NULL,
  early_packets BLOB NOT NULL
);
CREATE INDEX flows_time ON flows (source_id, first_ts);
CREATE INDEX flows_client ON flows (source_id, client_addr);
CREATE INDEX flows_server ON flows (source_id, server_addr);
CREATE INDEX flows_server_port ON flows (source_id, server_port);
CREATE INDEX flows_proto ON flows (source_id, proto, server_port);
CREATE INDEX flows_sni ON flows (source_id, sni) WHERE sni IS NOT NULL;
CREATE INDEX flows_dns ON flows (source_id, dns_query) WHERE dns_query IS NOT NULL;

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  proto TEXT NOT NULL CHECK (proto IN ('tcp', 'udp', 'ipv4', 'ipv6')),
  addr_a TEXT NOT NULL,
  port_a INTEGER,
  addr_b TEXT NOT NULL,
  port_b INTEGER,
  packets_ab INTEGER NOT NULL,
  bytes_ab INTEGER NOT NULL,
  packets_ba INTEGER NOT NULL,
  bytes_ba INTEGER NOT NULL,
  start REAL NOT NULL,
  duration REAL NOT NULL,
  packets INTEGER GENERATED ALWAYS AS (packets_ab + packets_ba) STORED,
  bytes INTEGER GENERATED ALWAYS AS (bytes_ab + bytes_ba) STORED
);
CREATE INDEX conversations_bytes ON conversations (source_id, proto, bytes DESC);
CREATE INDEX conversations_all_bytes ON conversations (source_id, bytes DESC);

CREATE TABLE source_stats (
  source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
  ${statColumns('ack_rtt')},
  ${statColumns('handshake_rtt')},
  ${statColumns('dns_latency')},
  ${PLEN_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')}
);

CREATE TABLE source_names (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('sni', 'dns')),
  name TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (source_id, kind, name)
) WITHOUT ROWID;
`;

/**
 * Indexes of the flows view (`flows.page`): every sortable column and the client port, so a
 * sorted first page of 100k+ flows reads an index instead of sorting the table. The packet
 * and byte expressions must match flow-queries.ts's SORT_SQL exactly for SQLite to use them.
 */
const v2Sql = `
CREATE INDEX flows_client_port ON flows (source_id, client_port);
CREATE INDEX flows_sort_bytes ON flows (source_id, (fwd_bytes + bwd_bytes));
CREATE INDEX flows_sort_packets ON flows (source_id, (fwd_packets + bwd_packets));
CREATE INDEX flows_sort_duration ON flows (source_id, duration);
CREATE INDEX flows_sort_handshake_rtt ON flows (source_id, handshake_rtt IS NULL, handshake_rtt);
`;

/**
 * Models (forecast now; anomaly and classify later) and their stored predictions. A model's
 * files live in `<workspace dir>/models/<id>/` (`dir`); evaluation, report and history are
 * JSON documents of the model (docs/decisions/0002-model-files.md). Predictions are one-step-
 * ahead values per (model, source, window start t); removing a model or a source removes them.
 */
const v3Sql = `
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  task TEXT NOT NULL CHECK (task IN ('forecast', 'anomaly', 'classify')),
  status TEXT NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
  source_id INTEGER REFERENCES sources (id) ON DELETE SET NULL,
  target TEXT,
  resolution REAL,
  backend TEXT,
  created_at INTEGER NOT NULL,
  evaluation TEXT,
  report TEXT,
  history TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  dir TEXT
);
CREATE INDEX models_source ON models (source_id);

CREATE TABLE predictions (
  model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  t REAL NOT NULL,
  actual REAL,
  predicted REAL,
  PRIMARY KEY (model_id, source_id, t)
) WITHOUT ROWID;
CREATE INDEX predictions_source ON predictions (source_id);
`;

/**
 * Flow classification: the user-editable label rules (seeded with the defaults of
 * src-main/ml/classify/traffic-rules.ts as they were when this migration ran) and labels set
 * on flows by the user or by a classifier (one per flow and label source).
 */
const v4Sql = `
CREATE TABLE label_rules (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('port', 'sni', 'dns')),
  pattern TEXT NOT NULL,
  label TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 100,
  enabled INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE flow_labels (
  flow_id INTEGER NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK (source IN ('user', 'model')),
  label TEXT NOT NULL,
  confidence REAL,
  model_id INTEGER REFERENCES models (id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (flow_id, source)
) WITHOUT ROWID;
`;

function seedLabelRules(db: Database.Database): void {
  const ins = db.prepare('INSERT INTO label_rules (id, kind, pattern, label, priority, enabled) VALUES (?, ?, ?, ?, ?, 1)');
  for (const r of defaultRuleList()) ins.run(r.id, r.kind, r.pattern, r.label, r.priority);
}

/**
 * Bytes in flight and gradients per window (src-shared/window-metrics.ts FLIGHT_METRICS):
 * bif_sum / bif_count (bif_mean derives from them), bif_max, and the window-to-window
 * rtt_gradient and bif_gradient. Rows written before this version keep NULL there.
 */
const v5Sql = `
ALTER TABLE windows ADD COLUMN bif_sum REAL;
ALTER TABLE windows ADD COLUMN bif_count INTEGER;
ALTER TABLE windows ADD COLUMN bif_mean REAL;
ALTER TABLE windows ADD COLUMN bif_max REAL;
ALTER TABLE windows ADD COLUMN rtt_gradient REAL;
ALTER TABLE windows ADD COLUMN bif_gradient REAL;
`;

/**
 * Labelled events of a source (a simulated capture's label file: kind and [t_from, t_to) in
 * epoch seconds), drawn as bands on the Overview's time charts.
 */
const v6Sql = `
CREATE TABLE source_events (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  t_from REAL NOT NULL,
  t_to REAL NOT NULL,
  PRIMARY KEY (source_id, seq)
) WITHOUT ROWID;
`;

/**
 * Stored anomaly flags: the flagged windows of the latest `anomalies.detect` per source and
 * model (model_id 0: a forest fitted on the fly), so they export like the other tables. A new
 * detection of the same source and model replaces its rows; removing the source removes them,
 * removing the model is done by models.remove. drivers is JSON (the contract's AnomalyDriverInfo[]).
 */
const v7Sql = `
CREATE TABLE anomalies (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL DEFAULT 0,
  t REAL NOT NULL,
  resolution REAL NOT NULL,
  score REAL NOT NULL,
  probability REAL NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  message TEXT NOT NULL,
  drivers TEXT NOT NULL,
  detected_at INTEGER NOT NULL,
  PRIMARY KEY (source_id, model_id, t)
) WITHOUT ROWID;
`;

/** Every migration, in order; the last version is the schema this code reads and writes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'sources, windows, flows, conversations, stats', up: (db) => db.exec(v1Sql) },
  { version: 2, name: 'flows view sort and client-port indexes', up: (db) => db.exec(v2Sql) },
  { version: 3, name: 'models and predictions', up: (db) => db.exec(v3Sql) },
  { version: 4, name: 'label rules and flow labels', up: (db) => { db.exec(v4Sql); seedLabelRules(db); } },
  { version: 5, name: 'windows: bytes in flight and RTT/BIF gradients', up: (db) => db.exec(v5Sql) },
  { version: 6, name: 'source events (labelled time ranges of simulated captures)', up: (db) => db.exec(v6Sql) },
  { version: 7, name: 'anomalies: stored flags per source and model', up: (db) => db.exec(v7Sql) },
];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** What `applyMigrations` did. */
export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/** Brings the database to SCHEMA_VERSION; refuses a workspace written by a newer Flowbench. */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Result<MigrationOutcome> {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (from > latest) {
    return err({
      code: 'unsupported',
      message: `workspace schema version ${from} is newer than this Flowbench understands (${latest}); update Flowbench`,
    });
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock up front, so two processes opening one new workspace
    // cannot both run the same migration.
    const step = db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (e) {
      return err({ code: 'internal', message: `migration ${m.version} (${m.name}) failed: ${(e as Error).message}` });
    }
  }
  return ok({ from, to: Math.max(from, latest) });
}
