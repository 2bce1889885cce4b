import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SchemaTooNewError, migrate } from '../../src/db/migrations.js';

describe('migrate', () => {
  it('brings an empty database to the latest schema version', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: MIGRATIONS.at(-1)!.version });
  });

  it('is a no-op on a database already at the latest version', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    expect(() => migrate(db)).not.toThrow();
  });

  it('refuses a database written by a newer schema', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    db.prepare('UPDATE schema_version SET version = 999').run();
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    expect(() => migrate(db)).toThrow('Database schema version 999 is newer than this piagraph supports');
  });
});
