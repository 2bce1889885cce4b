import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const TSX_LOADER = require.resolve('tsx');
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
/** graph-core's test nodes, loaded with `--pack` by spawned servers. */
export const TEST_NODES_PACK = fileURLToPath(new URL('../../../graph-core/test/fixtures/test-nodes.ts', import.meta.url));

/** A `piagraph` child process (tsx on the sources) and what it printed so far. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

const started: ChildProcess[] = [];

/** Runs `piagraph <args>` in a child process. */
export function spawnCli(args: readonly string[], options: { cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX_LOADER, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => output, exited };
}

/** Starts `piagraph serve --port 0 --pack <test nodes>` on `dataDir`, resolving once it listens. */
export async function spawnServer(dataDir: string, extraArgs: readonly string[] = []): Promise<CliProcess & { url: string }> {
  const proc = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--pack', TEST_NODES_PACK, ...extraArgs]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${proc.output()}`)), 30_000);
    const check = () => {
      const m = /listening on (\S+)/.exec(proc.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${proc.output()}`));
    });
  });
  return { ...proc, url };
}

/** Kills every child this helper started that is still running (call from `afterEach`). */
export function killSpawned(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Resolves with the code, or rejects if the process is still running after `ms`. */
export async function exitWithin(proc: CliProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms: ${proc.output()}`)), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
