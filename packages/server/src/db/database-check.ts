import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import { StartupError } from '../startup-error.js';
import { MIGRATIONS } from './migrations.js';

/** The database file is damaged or not piagraph's: the server refuses to start on it rather than lose what is left. */
export class DatabaseDamagedError extends StartupError {
  override readonly name = 'DatabaseDamagedError';
  constructor(readonly file: string, readonly problem: string) {
    const name = basename(file);
    super(
      `The database ${file} ${problem}. piagraph did not start, so as not to lose or overwrite what is left of the ` +
        'queue and the history. To go on: stop every piagraph using this data folder, then restore the file from a ' +
        `backup; or try to salvage its rows with "sqlite3 ${name} .recover | sqlite3 recovered.db" and put ` +
        `recovered.db in its place; or move ${name} (with any ${name}-wal and ${name}-shm) aside to start with an ` +
        'empty queue and history. The files in input/ and output/ are not affected.',
    );
  }
}

/** Size of a file, or undefined when there is none. */
function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * What can be said about the database file before SQLite opens it: `missing` (a new data folder, or one whose
 * database was removed on purpose, so a fresh one is created) or `present`. A file that is there but empty, or a
 * write-ahead log without its database, is damage: SQLite would treat either as a new, empty database.
 */
export function inspectDatabaseFile(file: string): 'missing' | 'present' {
  const size = sizeOf(file);
  const walSize = sizeOf(`${file}-wal`) ?? 0;
  if (size === undefined) {
    if (walSize > 0) {
      throw new DatabaseDamagedError(file, `is missing, but its write-ahead log ${basename(file)}-wal (${walSize} bytes) is still there`);
    }
    return 'missing';
  }
  // piagraph creates its database whole (see `openDatabase`), so an existing one always has at least its first page.
  if (size === 0) throw new DatabaseDamagedError(file, 'is empty (0 bytes): it was truncated, or replaced by an empty file');
  return 'present';
}

/** The tables a database at `version` must have: those its migrations created. */
export function tablesAtVersion(version: number): string[] {
  return MIGRATIONS.filter((m) => m.version <= version).flatMap((m) =>
    [...m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map((match) => match[1]!),
  );
}

/**
 * Checks an existing database before anything is written to it: SQLite's `quick_check` (every page and record is
 * well formed; the full `integrity_check` also cross-checks indexes, which costs far more on a long history and
 * finds nothing a start-up needs to refuse on), then piagraph's schema: the version table with its one row, and
 * every table the migrations up to that version created.
 */
export function checkExistingDatabase(db: Database, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(10)') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') throw new DatabaseDamagedError(file, 'is not an SQLite database (its header is damaged or it is another kind of file)');
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_IOERR')) {
      throw new DatabaseDamagedError(file, `is damaged: ${(err as Error).message}`);
    }
    throw err;
  }
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new DatabaseDamagedError(file, `is damaged; SQLite's quick_check found: ${problems.join('; ')}`);
  }
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  if (!tables.has('schema_version')) {
    throw new DatabaseDamagedError(
      file,
      tables.size === 0 ? 'has no tables at all (emptied, or replaced by a new database)' : 'is not a piagraph database (it has no schema_version table)',
    );
  }
  const rows = db.prepare('SELECT version FROM schema_version').all() as { version: unknown }[];
  const version = rows[0]?.version;
  if (rows.length !== 1 || typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new DatabaseDamagedError(file, `has a damaged schema_version table (${rows.length} rows, version ${JSON.stringify(version)})`);
  }
  const missing = tablesAtVersion(version).filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new DatabaseDamagedError(file, `is at schema version ${version} but lacks the table(s) ${missing.join(', ')}`);
  }
}
