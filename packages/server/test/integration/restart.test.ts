import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDir, numberPrompt, slowPrompt, startTestServer } from '../helpers/test-server.js';

const require = createRequire(import.meta.url);
const TSX_LOADER = require.resolve('tsx');
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TEST_NODES = fileURLToPath(new URL('../../../graph-core/test/fixtures/test-nodes.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `piagraph serve` in a child process (tsx on the sources), resolving with its URL and its output so far. */
async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', TSX_LOADER, CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--pack', TEST_NODES],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    const check = () => {
      const m = /listening on (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

async function post(url: string, prompt: unknown): Promise<string> {
  const res = await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

type History = Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] }; outputs: unknown }>;

async function waitForHistory(url: string, ids: string[], timeoutMs = 15_000): Promise<History> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const history = (await (await fetch(`${url}/history`)).json()) as History;
    if (ids.every((id) => history[id])) return history;
    if (Date.now() > deadline) throw new Error(`jobs missing from history: ${ids.filter((id) => !history[id]).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('surviving restarts', () => {
  it('accounts for every job after kill -9 mid-run: the running one failed with a reason, the queued ones run', async () => {
    const dataDir = makeDataDir();
    const first = await spawnServer(dataDir);
    const running = await post(first.url, slowPrompt(30_000, 1));
    const queued = [await post(first.url, slowPrompt(50, 2)), await post(first.url, numberPrompt(3))];
    for (let i = 0; i < 200; i++) {
      const q = (await (await fetch(`${first.url}/queue`)).json()) as { queue_running: unknown[][] };
      if (q.queue_running.some((item) => item[1] === running)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await spawnServer(dataDir);
    const history = await waitForHistory(second.url, [running, ...queued]);
    expect(history[running]!.status.status_str).toBe('error');
    const error = history[running]!.status.messages.find(([type]) => type === 'execution_error')![1];
    expect(error.exception_message).toContain('The server stopped while this job was running');
    expect(queued.map((id) => history[id]!.status.status_str)).toEqual(['success', 'success']);
    expect(history[queued[1]!]!.outputs).toEqual({ '2': { text: ['3'] } });
    expect(second.output()).toContain(`job ${running} was running when the server stopped; marked failed`);
  }, 60_000);

  it('re-runs a job left running when started with requeueInterrupted', async () => {
    const dataDir = makeDataDir();
    const before = await startTestServer({ dataDir });
    await before.postJson('/api/queue/pause', {});
    const id = ((await (await before.postJson('/prompt', { prompt: numberPrompt(9) })).json()) as { prompt_id: string }).prompt_id;
    // What a crash leaves behind: the row says running, nobody is running it.
    expect(before.server.store.markRunning(id)).toBe(true);
    await before.postJson('/api/queue/resume', {});
    await before.close();

    const after = await startTestServer({ dataDir, requeueInterrupted: true });
    expect(after.server.recoveredJobs).toEqual([id]);
    await after.server.worker.idle();
    const history = (await (await after.fetch(`/history/${id}`)).json()) as History;
    expect(history[id]!.status.status_str).toBe('success');
    await after.close();
  });

  it('puts the running job back in the queue on a graceful stop, and runs it after the restart', async () => {
    const dataDir = makeDataDir();
    const before = await startTestServer({ dataDir });
    const id = ((await (await before.postJson('/prompt', { prompt: slowPrompt(5000, 4) })).json()) as { prompt_id: string }).prompt_id;
    for (let i = 0; i < 100 && before.server.worker.runningId !== id; i++) await new Promise((r) => setTimeout(r, 20));
    await before.close();

    const after = await startTestServer({ dataDir, startGraceMs: 0 });
    expect(after.server.store.get(id)?.status).toMatch(/pending|running/);
    await after.postJson('/interrupt', {});
    await after.close();
  });

  it('keeps the paused state across a restart', async () => {
    const dataDir = makeDataDir();
    const before = await startTestServer({ dataDir });
    await before.postJson('/api/queue/pause', {});
    await before.close();
    const after = await startTestServer({ dataDir });
    expect(((await (await after.fetch('/queue')).json()) as { paused: boolean }).paused).toBe(true);
    await after.close();
  });
});
