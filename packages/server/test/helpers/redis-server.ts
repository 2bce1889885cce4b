import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether Debian's `redis-server` is on PATH (`node scripts/test-env.mjs` installs it). */
export function hasRedisServer(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

/** A port nothing listens on right now (the kernel's pick for port 0, released again). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Options of `startRedis`. */
export interface RedisOptions {
  /** `requirepass`: clients must send it (`redis://:PASSWORD@host:port`). */
  password?: string;
  /** Append-only file on (default true), fsync'd on every write, as the README tells users to run Redis. */
  aof?: boolean;
}

/** A real `redis-server` child process on a free loopback port, with its own data folder. */
export interface TestRedis {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port`. */
  readonly url: string;
  /** The folder holding its AOF, kept across `restart`. */
  readonly dir: string;
  readonly process: ChildProcess;
  /** Kills it with `signal` (SIGKILL: no chance to write anything more) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (after `kill`): what survives is what its AOF kept. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

function launch(port: number, dir: string, options: RedisOptions): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.aof === false ? 'no' : 'yes',
    '--appendfsync', 'always',
    '--daemonize', 'no',
    // BullMQ refuses any other policy: an evicted job key would be a lost job.
    '--maxmemory-policy', 'noeviction',
    ...(options.password !== undefined ? ['--requirepass', options.password] : []),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 15 s:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `redis-server` on a free port with AOF on (unless `aof: false`); resolves once it accepts connections. */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'piagraph-redis-'));
  let child = await launch(port, dir, options);
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  const redis: TestRedis = {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    get process() {
      return child;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      child.kill(signal);
      await exited(child);
    },
    async restart() {
      child = await launch(port, dir, options);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

/** Kills every redis-server these helpers started and that still runs (for `afterAll`). */
export async function killAllRedis(): Promise<void> {
  await Promise.all([...running].map((c) => (c.kill('SIGKILL'), exited(c))));
}
