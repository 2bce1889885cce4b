import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseDamagedError } from '../../src/db/database-check.js';
import { exitWithin, killSpawned, spawnCli } from '../helpers/spawn-cli.js';
import { makeDataDir, numberPrompt, startTestServer } from '../helpers/test-server.js';

afterEach(killSpawned);

const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** A data folder whose database holds `jobs` finished prompts (and so spans many pages), with the server stopped. */
async function folderWithHistory(jobs: number): Promise<{ dataDir: string; db: string; ids: string[] }> {
  const dataDir = makeDataDir();
  const server = await startTestServer({ dataDir, startGraceMs: 0 });
  const ids: string[] = [];
  for (let i = 0; i < jobs; i++) {
    const res = await server.postJson('/prompt', { prompt: numberPrompt(i), extra_data: { note: `job ${i} `.repeat(20) } });
    ids.push(((await res.json()) as { prompt_id: string }).prompt_id);
  }
  await server.server.worker.idle();
  await server.close();
  return { dataDir, db: join(dataDir, 'piagraph.db'), ids };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** xorshift32: the same garbage on every run, so a failure can be replayed. */
function garbage(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('a damaged database', () => {
  it('refuses to start on a database truncated to 0 bytes, says what to do, and leaves the file as it was', async () => {
    const { dataDir, db } = await folderWithHistory(5);
    truncateSync(db, 0);

    const proc = spawnCli(['serve', '--port', '0', '--data-dir', dataDir]);
    expect(await exitWithin(proc, 30_000)).toBe(1);
    expect(proc.output()).toContain(`The database ${db} is empty (0 bytes)`);
    expect(proc.output()).toContain('restore the file from a backup');
    expect(proc.output()).toContain('move piagraph.db (with any piagraph.db-wal and piagraph.db-shm) aside');
    expect(proc.output()).not.toMatch(STACK_LINE);
    expect(proc.output()).not.toContain('listening on');
    expect(statSync(db).size).toBe(0);

    await expect(startTestServer({ dataDir })).rejects.toThrow(DatabaseDamagedError);
    expect(statSync(db).size).toBe(0);
  }, 60_000);

  it('refuses a database with a page overwritten in the middle, without writing to it', async () => {
    const { dataDir, db } = await folderWithHistory(150);
    const pageSize = 4096;
    const pages = statSync(db).size / pageSize;
    expect(pages).toBeGreaterThan(20);
    const victim = Math.floor(pages / 2);
    const fd = openSync(db, 'r+');
    writeSync(fd, garbage(pageSize, 12345), 0, pageSize, victim * pageSize);
    closeSync(fd);
    const before = sha256(db);

    const err = await startTestServer({ dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    expect((err as Error).message).toMatch(/is damaged/);
    expect(sha256(db)).toBe(before);
    expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
  }, 60_000);

  it('refuses an SQLite file without piagraph\'s schema, and one that lacks a table of its version', async () => {
    const dataDir = makeDataDir();
    const db = join(dataDir, 'piagraph.db');
    const other = new BetterSqlite3(db);
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    await expect(startTestServer({ dataDir })).rejects.toThrow('is not a piagraph database');

    const { dataDir: dir2, db: db2 } = await folderWithHistory(1);
    const edit = new BetterSqlite3(db2);
    edit.exec('DROP TABLE graph_revisions');
    edit.close();
    await expect(startTestServer({ dataDir: dir2 })).rejects.toThrow('lacks the table(s) graph_revisions');
  }, 60_000);

  it('refuses a file that is not a database at all, and a write-ahead log whose database is gone', async () => {
    const dataDir = makeDataDir();
    writeFileSync(join(dataDir, 'piagraph.db'), 'this is not a database '.repeat(300));
    await expect(startTestServer({ dataDir })).rejects.toThrow(/is not an SQLite database|is damaged/);

    const dir2 = makeDataDir();
    writeFileSync(join(dir2, 'piagraph.db-wal'), garbage(8192, 7));
    await expect(startTestServer({ dataDir: dir2 })).rejects.toThrow('is missing, but its write-ahead log');
    expect(existsSync(join(dir2, 'piagraph.db'))).toBe(false);
  });

  it('starts afresh once the damaged file is moved aside, and keeps a healthy history across restarts', async () => {
    const { dataDir, db, ids } = await folderWithHistory(3);
    const healthy = await startTestServer({ dataDir });
    const history = (await (await healthy.fetch('/history')).json()) as Record<string, unknown>;
    expect(Object.keys(history).sort()).toEqual([...ids].sort());
    await healthy.close();

    truncateSync(db, 0);
    await expect(startTestServer({ dataDir })).rejects.toThrow(DatabaseDamagedError);
    renameSync(db, `${db}.damaged`);
    // A leftover of a start that died while building a new database is not mistaken for one.
    writeFileSync(`${db}.creating`, 'half-built');
    const fresh = await startTestServer({ dataDir });
    expect(await (await fresh.fetch('/history')).json()).toEqual({});
    await fresh.close();
    expect(existsSync(`${db}.creating`)).toBe(false);
  }, 60_000);
});
