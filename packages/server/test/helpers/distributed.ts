import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNodePackModules } from '../../src/cli/load-packs.js';
import { startDistributedServer, type DistributedServer, type DistributedServerOptions } from '../../src/distributed/start-distributed.js';
import { prepareDataDirs } from '../../src/files/data-dirs.js';
import { spawnCli, type CliProcess } from './spawn-cli.js';

/** The pack every distributed test loads on both sides. */
export const DISTRIBUTED_PACK = fileURLToPath(new URL('../fixtures/distributed-pack.ts', import.meta.url));
export const DISTRIBUTED_PACK_V2 = fileURLToPath(new URL('../fixtures/distributed-pack-v2.ts', import.meta.url));
export const TOKEN = 'distributed-test-token';
/** Short locks, so a killed worker's job is re-run within seconds. */
export const LOCK_MS = 2000;

export function tempDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** An in-process server of the distributed mode with the test pack, a fresh data dir and the test token. */
export async function startTestDistributedServer(
  redisUrl: string,
  options: Partial<DistributedServerOptions> = {},
): Promise<DistributedServer & { fetch(path: string, init?: RequestInit): Promise<Response>; postJson(path: string, body: unknown): Promise<Response> }> {
  const dataDir = options.dataDir ?? tempDir('piagraph-dist-server-');
  const packs = await loadNodePackModules([DISTRIBUTED_PACK], process.cwd(), prepareDataDirs(dataDir));
  const server = await startDistributedServer({
    port: 0,
    editorDir: null,
    keepaliveMs: 0,
    token: TOKEN,
    packs,
    ...options,
    dataDir,
    redisUrl,
  });
  const headers = { Authorization: `Bearer ${TOKEN}` };
  return Object.assign(server, {
    fetch: (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } }),
    postJson: (path: string, body: unknown) =>
      fetch(server.url + path, { method: 'POST', body: JSON.stringify(body), headers: { ...headers, 'Content-Type': 'application/json' } }),
  });
}

export interface WorkerProcess extends CliProcess {
  dataDir: string;
  pid: number;
}

/** Spawns `piagraph worker` (a real child process) and resolves once it is ready to take jobs. */
export async function spawnWorker(
  redisUrl: string,
  serverUrl: string,
  options: { dataDir?: string; pack?: string; token?: string; extra?: string[]; waitReady?: boolean } = {},
): Promise<WorkerProcess> {
  const dataDir = options.dataDir ?? tempDir('piagraph-dist-worker-');
  const proc = spawnCli([
    'worker',
    '--redis', redisUrl,
    '--server', serverUrl,
    '--token', options.token ?? TOKEN,
    '--data-dir', dataDir,
    '--pack', options.pack ?? DISTRIBUTED_PACK,
    '--lock-ms', String(LOCK_MS),
    ...(options.extra ?? []),
  ]);
  const worker = { ...proc, dataDir, pid: proc.child.pid! };
  if (options.waitReady === false) return worker;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${proc.output()}`)), 120_000);
    const check = () => {
      if (/piagraph worker .* ready/.test(proc.output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${proc.output()}`));
    });
  });
  return worker;
}

/** Polls `check` until it returns a value that is not undefined (or throws after `ms`). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A prompt whose result says which process ran it: "pid <n> value <v>", saved to a file. */
export function whoPrompt(value: number, ms = 0): Record<string, unknown> {
  return {
    '1': { class_type: 'TestSlow', inputs: { value, ms } },
    '2': { class_type: 'TestWhoAmI', inputs: { value: ['1', 0] } },
    '3': { class_type: 'TestSaveFile', inputs: { text: ['2', 0], filename_prefix: 'who' } },
  };
}
