/** The `source_events` table (migration 6): labelled time ranges of a source, e.g. a simulated capture's events. */
import type Database from 'better-sqlite3';
import type { SourceEvent } from '../../src-shared/api.js';

/** Reads and replaces a source's labelled events. */
export class SourceEventsRepo {
  constructor(private readonly db: Database.Database) {}

  /** The source's events in time order. */
  list(sourceId: number): SourceEvent[] {
    return this.db
      .prepare<[number], SourceEvent>('SELECT kind, t_from AS "from", t_to AS "to" FROM source_events WHERE source_id = ? ORDER BY t_from, seq')
      .all(sourceId);
  }

  /** Replaces the source's events with `events` (one transaction). */
  replace(sourceId: number, events: readonly SourceEvent[]): void {
    const del = this.db.prepare('DELETE FROM source_events WHERE source_id = ?');
    const ins = this.db.prepare('INSERT INTO source_events (source_id, seq, kind, t_from, t_to) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      del.run(sourceId);
      events.forEach((e, i) => ins.run(sourceId, i, e.kind, e.from, e.to));
    })();
  }
}
