import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startRemoteWorker, type RemoteWorker } from '../distributed/worker/remote-worker.js';
import { prepareDataDirs } from '../files/data-dirs.js';
import { CliUsageError, parseNumberFlag, type CliIo } from './cli-io.js';
import { DEVICE_FLAGS_USAGE, DEVICE_FLAG_OPTIONS, parseDeviceFlags } from './device-flags.js';
import { loadNodePackModules } from './load-packs.js';

export const WORKER_USAGE = `Usage: piagraph worker --redis URL --server URL [options]

Runs jobs of a "piagraph serve --redis" server: takes them from its BullMQ queue in Redis, runs them with this
machine's node packs and models, streams their events to the server and hands it their output files.

Options:
  --redis URL              the server's Redis: redis://[:PASSWORD@]HOST:PORT[/DB] (required)
  --server URL             the server's address, http://HOST:PORT (required)
  --token TOKEN            the server's token
  --data-dir DIR           this worker's data root: models/ and scratch input/ output/ temp/ (default ./piagraph-worker)
${DEVICE_FLAGS_USAGE}
  --pack MODULE            load extra node definitions from a module (repeatable; the server must load the same)
  --queue-name NAME        the BullMQ queue (default piagraph)
  --name NAME              how the server lists this worker (default host:pid)
  --lock-ms N              a job's lock lifetime: a job whose worker died runs again elsewhere about this long
                           after (default 30000)
  -h, --help               show this help`;

/** Starts `piagraph worker`; resolves with it once connected to Redis and the server (null after --help). */
export async function workerCommand(argv: readonly string[], io: CliIo, cwd: string): Promise<RemoteWorker | null> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      ...DEVICE_FLAG_OPTIONS,
      pack: { type: 'string', multiple: true },
      'queue-name': { type: 'string' },
      name: { type: 'string' },
      'lock-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${WORKER_USAGE}\n`);
    return null;
  }
  if (positionals.length > 0) throw new CliUsageError(`worker takes no arguments, got "${positionals.join(' ')}"`);
  if (values.redis === undefined) throw new CliUsageError('--redis URL is required');
  if (values.server === undefined) throw new CliUsageError('--server URL is required');
  const deviceFlags = parseDeviceFlags(values);
  const lockMs = parseNumberFlag('lock-ms', values['lock-ms'], { integer: true, min: 1000 });
  const dataDir = resolve(cwd, values['data-dir'] ?? 'piagraph-worker');
  const packs = await loadNodePackModules(values.pack ?? [], cwd, prepareDataDirs(dataDir));
  const log = (line: string) => io.stdout.write(`${line}\n`);
  const worker = await startRemoteWorker({
    redisUrl: values.redis,
    serverUrl: values.server,
    ...(values.token !== undefined ? { token: values.token } : {}),
    dataDir,
    ...deviceFlags,
    packs,
    ...(values['queue-name'] !== undefined ? { queueName: values['queue-name'] } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(lockMs !== undefined ? { lockMs } : {}),
    log,
  });
  io.stdout.write(`piagraph worker ${worker.name} ready (data dir ${worker.dirs.root})\n`);
  return worker;
}
