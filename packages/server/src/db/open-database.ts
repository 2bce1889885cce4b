import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './migrations.js';

/**
 * Opens (creating if needed) the server's SQLite database and brings its schema up to date.
 *
 * WAL lets readers (`GET /queue`, `/history`) run while the worker writes. `synchronous = FULL` fsyncs the WAL on
 * every commit: a `200` from `POST /prompt` promises the job survives, and NORMAL would only keep that promise
 * across a process crash (kill -9), not across a power cut or OS crash. A job costs three short transactions, so
 * the fsyncs are noise next to a diffusion run (the load benchmark prints the rate).
 */
export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Another process (a second `serve` on the same data dir) holding a write lock makes us wait, not fail at once.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
