import { hostname } from 'node:os';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { StartupError } from '../startup-error.js';

/** Who holds a data folder, as recorded by the holder when it took the lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** What the holder is (`piagraph serve`, `piagraph run`…). */
  command: string;
  /** When it took the lock (ms since the epoch). */
  startedAt: number;
}

/** Thrown when another process already uses the data folder. The message names the folder and that process. */
export class DataDirInUseError extends StartupError {
  override readonly name = 'DataDirInUseError';
  constructor(readonly dataDir: string, readonly owner: LockOwner | undefined) {
    super(
      `The data folder ${dataDir} is in use by ${
        owner
          ? `another piagraph process (${owner.command}, pid ${owner.pid} on ${owner.host}, since ${new Date(owner.startedAt).toISOString()})`
          : 'another piagraph process'
      }. One data folder serves one process at a time: stop that one, or give this one another --data-dir.`,
    );
  }
}

/** A held data-folder lock; `release` is idempotent. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the data folder's lock (`piagraph.lock`, next to the database) or throws `DataDirInUseError`.
 *
 * The lock is a write transaction held open on a small SQLite file of its own. SQLite takes it with the operating
 * system's file locks, which the kernel drops when the process ends in any way (kill -9, a crash, a power loss
 * leaves no process), so a lock can never go stale and there is no pid-liveness guessing and no race between two
 * starters cleaning up the same stale file. The holder's pid and command are committed to the file before it holds
 * the transaction, so a refused starter can read them (readers are allowed beside one writer) and name the holder.
 * The file is never deleted: a process that removed it could leave a second starter locking a fresh file while a
 * third still holds the old one.
 */
export function acquireDataDirLock(file: string, dataDir: string, command: string): DataDirLock {
  const db: Database = new BetterSqlite3(file);
  try {
    // Fail at once instead of waiting: a second server must refuse, not queue behind the first.
    db.pragma('busy_timeout = 0');
    // A rollback journal (not WAL) so that a reader can still read the owner row while the holder's write
    // transaction is open: WAL would also work, but needs the -shm file and gains nothing here.
    db.pragma('journal_mode = DELETE');
    if (!tryBegin(db)) throw new DataDirInUseError(dataDir, readOwner(db));
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, host TEXT NOT NULL, command TEXT NOT NULL, started_at INTEGER NOT NULL)');
    db.exec('DELETE FROM owner');
    db.prepare('INSERT INTO owner (pid, host, command, started_at) VALUES (?, ?, ?, ?)').run(process.pid, hostname(), command, Date.now());
    db.exec('COMMIT');
    // Between that commit and this BEGIN another starter may have taken the lock (and written itself as owner):
    // then this one is the one refused, which is right.
    if (!tryBegin(db)) throw new DataDirInUseError(dataDir, readOwner(db));
  } catch (err) {
    db.close();
    throw err;
  }
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** `BEGIN IMMEDIATE` (the one-writer lock); false when another connection holds it. */
function tryBegin(db: Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') return false;
    throw err;
  }
}

function readOwner(db: Database): LockOwner | undefined {
  try {
    const row = db.prepare('SELECT pid, host, command, started_at FROM owner LIMIT 1').get() as
      | { pid: number; host: string; command: string; started_at: number }
      | undefined;
    return row ? { pid: row.pid, host: row.host, command: row.command, startedAt: row.started_at } : undefined;
  } catch {
    // The holder may be between creating the file and committing its row.
    return undefined;
  }
}
