import type { Database } from 'better-sqlite3';
import { StartupError } from '../startup-error.js';

/**
 * The schema, as an ordered list of migrations. `schema_version` holds the number of the last one applied; opening a
 * database applies the rest in one transaction each. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'jobs (queue and history in one table), settings, graph library with revisions',
    sql: `
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        number REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'success', 'error', 'interrupted')),
        prompt TEXT NOT NULL,
        extra_data TEXT NOT NULL,
        outputs_to_execute TEXT NOT NULL,
        client_id TEXT,
        workflow_id TEXT,
        create_time INTEGER NOT NULL,
        start_time INTEGER,
        end_time INTEGER,
        finish_seq INTEGER,
        outputs TEXT,
        messages TEXT,
        meta TEXT,
        error TEXT,
        timings TEXT
      );
      CREATE INDEX jobs_by_status_order ON jobs (status, number, seq);
      CREATE INDEX jobs_by_finish ON jobs (finish_seq);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE graphs (
        name TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        document TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE graph_revisions (
        name TEXT NOT NULL,
        revision INTEGER NOT NULL,
        document TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (name, revision)
      );
    `,
  },
];

/** Thrown when the database was written by a newer piagraph than this one. */
export class SchemaTooNewError extends StartupError {
  override readonly name = 'SchemaTooNewError';
  constructor(readonly found: number, readonly supported: number) {
    super(`Database schema version ${found} is newer than this piagraph supports (${supported}); upgrade piagraph`);
  }
}

/** Applies every migration newer than the stored version; returns the version the database is at afterwards. */
export function migrate(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let current = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) throw new SchemaTooNewError(current, latest);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('UPDATE schema_version SET version = ?').run(m.version);
    })();
    current = m.version;
  }
  return current;
}
