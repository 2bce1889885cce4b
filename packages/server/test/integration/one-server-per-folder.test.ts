import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../src/db/data-dir-lock.js';
import { PortUnavailableError } from '../../src/http/listen.js';
import { exitWithin, killSpawned, spawnCli, spawnServer, TEST_NODES_PACK } from '../helpers/spawn-cli.js';
import { makeDataDir, numberPrompt, slowPrompt, startTestServer } from '../helpers/test-server.js';

afterEach(killSpawned);

type History = Record<string, { status: { status_str: string }; outputs: Record<string, { text?: string[] }> }>;

async function post(url: string, prompt: unknown): Promise<string> {
  const res = await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A stack trace line, which a user-facing start-up refusal must not print. */
const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('one server per data folder', () => {
  it('refuses a second serve and a run on a folder in use, naming the folder and the holder, and the first finishes its job', async () => {
    const dataDir = makeDataDir();
    const first = await spawnServer(dataDir);
    const running = await post(first.url, slowPrompt(2500, 7));
    await waitUntil('the slow job runs', async () => {
      const q = (await (await fetch(`${first.url}/queue`)).json()) as { queue_running: unknown[][] };
      return q.queue_running.some((item) => item[1] === running);
    });

    const second = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--pack', TEST_NODES_PACK]);
    expect(await exitWithin(second, 20_000)).toBe(1);
    expect(second.output()).toContain(`The data folder ${dataDir} is in use`);
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    expect(second.output()).toContain('piagraph serve');
    expect(second.output()).not.toMatch(STACK_LINE);
    expect(second.output()).not.toContain('listening on');

    const graphFile = join(dataDir, 'graph.json');
    writeFileSync(graphFile, JSON.stringify(numberPrompt(3)));
    const run = spawnCli(['run', graphFile, '--data-dir', dataDir, '--pack', TEST_NODES_PACK]);
    expect(await exitWithin(run, 20_000)).toBe(1);
    expect(run.output()).toContain(`The data folder ${dataDir} is in use`);
    expect(run.output()).toContain(`pid ${first.child.pid}`);

    // The first server's running job was left alone: it ends as a success, with its output.
    let history: History = {};
    await waitUntil('the slow job is in the history', async () => {
      history = (await (await fetch(`${first.url}/history/${running}`)).json()) as History;
      return history[running] !== undefined;
    });
    expect(history[running]!.status.status_str).toBe('success');
    expect(history[running]!.outputs).toEqual({ '2': { text: ['7'] } });
    expect(first.child.exitCode).toBeNull();
    const after = await post(first.url, numberPrompt(5));
    await waitUntil('the server still runs jobs', async () => {
      const h = (await (await fetch(`${first.url}/history/${after}`)).json()) as History;
      return h[after]?.status.status_str === 'success';
    });
  }, 90_000);

  it('frees the folder when its holder is killed with SIGKILL: the lock cannot go stale', async () => {
    const dataDir = makeDataDir();
    const first = await spawnServer(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await spawnServer(dataDir);
    expect((await fetch(`${second.url}/prompt`)).status).toBe(200);
  }, 60_000);

  it('refuses a second in-process server on the same folder, and frees it on close', async () => {
    const dataDir = makeDataDir();
    const first = await startTestServer({ dataDir });
    await expect(startTestServer({ dataDir })).rejects.toThrow(DataDirInUseError);
    await expect(startTestServer({ dataDir })).rejects.toThrow(`pid ${process.pid}`);
    await first.close();
    const again = await startTestServer({ dataDir });
    await again.close();
  });

  it('answers a busy port with a message suggesting --port, not a stack trace, and releases the folder', async () => {
    const blocker: NetServer = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dataDir = makeDataDir();
      const proc = spawnCli(['serve', '--port', String(port), '--data-dir', dataDir]);
      expect(await exitWithin(proc, 30_000)).toBe(1);
      expect(proc.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(proc.output()).toContain('--port');
      expect(proc.output()).not.toMatch(STACK_LINE);

      // In process: the same refusal as an error, and the folder is free again afterwards.
      await expect(startTestServer({ dataDir, port })).rejects.toThrow(PortUnavailableError);
      const ok = await startTestServer({ dataDir });
      await ok.close();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 60_000);

  it('survives a job whose row another writer changed under it: logs it and goes on with the queue', async () => {
    const dataDir = makeDataDir();
    const lines: string[] = [];
    const server = await startTestServer({ dataDir, log: (line) => lines.push(line) });
    try {
      const id = ((await (await server.postJson('/prompt', { prompt: slowPrompt(600, 1) })).json()) as { prompt_id: string }).prompt_id;
      await waitUntil('the job runs', () => server.server.worker.runningId === id);
      // What a second process used to do: mark the running job failed behind the worker's back, in the same file.
      const other = new BetterSqlite3(join(dataDir, 'piagraph.db'));
      other.pragma('busy_timeout = 5000');
      other.prepare("UPDATE jobs SET status = 'error', finish_seq = 999 WHERE id = ?").run(id);
      other.close();
      await waitUntil('the job ended', () => server.server.worker.runningId === undefined);
      await waitUntil('the worker logged it', () => lines.some((l) => l.includes(id)));
      expect(lines.find((l) => l.includes(id))).toMatch(/ended success, but the database had it as error/);

      const next = ((await (await server.postJson('/prompt', { prompt: numberPrompt(4) })).json()) as { prompt_id: string }).prompt_id;
      await server.server.worker.idle();
      await waitUntil('the next job succeeded', () => server.server.store.get(next)?.status === 'success');
    } finally {
      await server.close();
    }
  });
});
