import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import { DEFAULT_DATA_DIR, prepareDataDirs } from '../files/data-dirs.js';
import { startDistributedServer } from '../distributed/start-distributed.js';
import { redactRedisUrl } from '../distributed/redis-connection.js';
import { startServer, type ServerBase } from '../server.js';
import { CliUsageError, expandBareListen, parseNumberFlag, type CliIo } from './cli-io.js';
import { DEVICE_FLAGS_USAGE, DEVICE_FLAG_OPTIONS, parseDeviceFlags } from './device-flags.js';
import { loadNodePackModules, loadNodePacks } from './load-packs.js';

export const SERVE_USAGE = `Usage: piagraph serve [options]

Starts the ComfyUI-compatible HTTP + WebSocket server with its persistent queue, and the editor at /.

Options:
  --port N                 port (default 8188; 0 picks a free one)
  --listen [ADDR]          bind address (default 127.0.0.1; alone: 0.0.0.0). Non-loopback requires a token
  --data-dir DIR           data root: input/ output/ temp/ models/ piagraph.db (default ./${DEFAULT_DATA_DIR})
  --token TOKEN            require this token (Authorization: Bearer, or ?token=); generated when listening publicly
  --allow-host NAME        on a loopback address, also answer to this Host name (repeatable); others are refused
  --max-upload-mb N        largest upload in MB (default 100)
  --requeue-interrupted    re-run jobs that were running when the server last stopped, instead of failing them
${DEVICE_FLAGS_USAGE}
  --pack MODULE            load extra node definitions from a module (repeatable)
  --redis URL              distributed mode: queue jobs on BullMQ in Redis (redis://[:PASSWORD@]HOST:PORT[/DB]) for
                           "piagraph worker" processes to run; this server then runs none itself. A token is required
                           (generated when not given)
  --queue-name NAME        the BullMQ queue (default piagraph); one server per queue
  --affinity-wait-ms N     how long a job waits for a worker with its models loaded (default 30000)
  -h, --help               show this help`;

/** Starts the server for `piagraph serve`; resolves with it once listening (null after --help). */
export async function serveCommand(
  argv: readonly string[],
  io: CliIo,
  cwd: string,
  nodes: readonly AnyNodeDefinition[] = [],
): Promise<ServerBase | null> {
  const { values, positionals } = parseArgs({
    args: expandBareListen(argv),
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      listen: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'max-upload-mb': { type: 'string' },
      'requeue-interrupted': { type: 'boolean' },
      ...DEVICE_FLAG_OPTIONS,
      pack: { type: 'string', multiple: true },
      redis: { type: 'string' },
      'queue-name': { type: 'string' },
      'affinity-wait-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return null;
  }
  if (positionals.length > 0) throw new CliUsageError(`serve takes no arguments, got "${positionals.join(' ')}"`);
  const deviceFlags = parseDeviceFlags(values);
  if (values.token !== undefined && values.token.length < 8) throw new CliUsageError('--token must be at least 8 characters');
  const port = parseNumberFlag('port', values.port, { integer: true, min: 0 });
  if (port !== undefined && port > 65535) throw new CliUsageError(`--port must be at most 65535, got ${port}`);
  const maxUploadMb = parseNumberFlag('max-upload-mb', values['max-upload-mb'], { min: 0.001 });
  if (values.redis === undefined && (values['queue-name'] !== undefined || values['affinity-wait-ms'] !== undefined)) {
    throw new CliUsageError('--queue-name and --affinity-wait-ms need --redis');
  }
  const affinityWaitMs = parseNumberFlag('affinity-wait-ms', values['affinity-wait-ms'], { integer: true, min: 0 });
  if (values.redis !== undefined) {
    if (values['requeue-interrupted']) throw new CliUsageError('--requeue-interrupted does not apply with --redis: jobs of a stopped worker always run again');
    if (nodes.length > 0) throw new CliUsageError('in-process node definitions cannot be used with --redis; give them as --pack modules');
    const dataDir = resolve(cwd, values['data-dir'] ?? DEFAULT_DATA_DIR);
    const loaded = await loadNodePackModules(values.pack ?? [], cwd, prepareDataDirs(dataDir));
    const server = await startDistributedServer({
      ...(values.listen !== undefined ? { host: values.listen } : {}),
      ...(port !== undefined ? { port } : {}),
      dataDir,
      ...(values.token !== undefined ? { token: values.token } : {}),
      ...(values['allow-host'] ? { allowedHosts: values['allow-host'] } : {}),
      ...(maxUploadMb !== undefined ? { maxUploadMb } : {}),
      ...deviceFlags,
      redisUrl: values.redis,
      ...(values['queue-name'] !== undefined ? { queueName: values['queue-name'] } : {}),
      ...(affinityWaitMs !== undefined ? { affinityWaitMs } : {}),
      packs: loaded,
      log: (line) => io.stdout.write(`${line}\n`),
    });
    announce(server, io);
    io.stdout.write(`distributed mode: jobs go to workers on queue "${server.dispatcher.options.queueName}" at ${redactRedisUrl(values.redis)}\n`);
    return server;
  }
  const packs = await loadNodePacks(values.pack ?? [], cwd);

  const server = await startServer({
    ...(values.listen !== undefined ? { host: values.listen } : {}),
    ...(port !== undefined ? { port } : {}),
    dataDir: resolve(cwd, values['data-dir'] ?? DEFAULT_DATA_DIR),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['allow-host'] ? { allowedHosts: values['allow-host'] } : {}),
    ...(maxUploadMb !== undefined ? { maxUploadMb } : {}),
    requeueInterrupted: values['requeue-interrupted'] === true,
    ...deviceFlags,
    nodes: [...nodes, ...packs],
    log: (line) => io.stdout.write(`${line}\n`),
  });
  announce(server, io);
  return server;
}

function announce(server: ServerBase, io: CliIo): void {
  io.stdout.write(`piagraph server listening on ${server.url}\n`);
  io.stdout.write(`data dir: ${server.dirs.root}\n`);
  if (server.token !== undefined) {
    io.stdout.write(
      `token${server.tokenGenerated ? ' (generated)' : ''}: ${server.token}\n` +
        '  send it as "Authorization: Bearer <token>", or as ?token=<token> for the WebSocket and /view;\n' +
        `  open the editor once as ${server.url}/?token=<token> (or type it into its login form)\n`,
    );
  }
}
