#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CudaProviderError, WebGpuProviderError } from '@piagraph/nodes-pia';
import { CliUsageError, type CliIo } from './cli/cli-io.js';
import { RUN_USAGE, runCommand, type RunCommandContext } from './cli/run-command.js';
import { SERVE_USAGE, serveCommand } from './cli/serve-command.js';
import { WORKER_USAGE, workerCommand } from './cli/worker-command.js';
import { StartupError } from './startup-error.js';

const USAGE = `Usage: piagraph <command> [options]

Commands:
  serve              start the server (HTTP + WebSocket API, queue, editor)
  run <graph.json>   run a graph headless, in this process
  worker             run jobs of a "serve --redis" server (distributed mode)

"piagraph <command> --help" describes a command's options.`;

/** Options of `runCli` for in-process use (tests, embedding). */
export interface CliOptions {
  io?: CliIo;
  cwd?: string;
  /** Extra node definitions for `run`, given the folders they should use (in-process `serve`: use `startServer`). */
  nodes?: RunCommandContext['nodes'];
  signal?: AbortSignal;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and resolves with the exit code. `serve` resolves
 * once the server has stopped (SIGINT/SIGTERM).
 */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const io: CliIo = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const cwd = options.cwd ?? process.cwd();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, { io, cwd, ...(options.nodes ? { nodes: options.nodes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      case 'serve': {
        const server = await serveCommand(rest, io, cwd);
        if (!server) return 0;
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            io.stdout.write('stopping…\n');
            void server.close().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          options.signal?.addEventListener('abort', stop, { once: true });
        });
        return 0;
      }
      case 'worker': {
        const worker = await workerCommand(rest, io, cwd);
        if (!worker) return 0;
        // The first signal lets the running job finish; a second stops at once, and the job's lock expires so
        // another worker runs it again.
        return await new Promise<number>((resolve) => {
          let signals = 0;
          const stop = () => {
            signals += 1;
            if (signals > 1) {
              io.stdout.write('stopping now: the running job will run again on another worker\n');
              process.exit(130);
            }
            io.stdout.write('stopping after the running job (again to stop now)…\n');
            void worker.close().then(() => {
              process.off('SIGINT', stop);
              process.off('SIGTERM', stop);
              resolve(0);
            });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          options.signal?.addEventListener('abort', stop, { once: true });
          void worker.stopped.then((reason) => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            io.stderr.write(`piagraph: the server refused this worker: ${reason}\n`);
            resolve(1);
          });
        });
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new CliUsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof CliUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`piagraph: ${(err as Error).message}\n\n${command === 'run' ? RUN_USAGE : command === 'serve' ? SERVE_USAGE : command === 'worker' ? WORKER_USAGE : USAGE}\n`);
      return 2;
    }
    // Says what to install and where; a stack trace would only bury that.
    if (err instanceof CudaProviderError || err instanceof WebGpuProviderError || err instanceof StartupError) {
      io.stderr.write(`piagraph: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`piagraph: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const controller = new AbortController();
  const argv = process.argv.slice(2);
  // `serve` handles its own signals; `run` turns the first Ctrl-C into an interrupt of the graph.
  if (argv[0] === 'run') process.once('SIGINT', () => controller.abort(new Error('interrupted by Ctrl-C')));
  void runCli(argv, { signal: controller.signal }).then((code) => {
    process.exitCode = code;
  });
}
