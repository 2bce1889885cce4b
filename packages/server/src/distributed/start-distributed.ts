import { generateToken } from '../security/token-auth.js';
import { startServerWith, type RunnerFactory, type ServerBase, type ServerOptions } from '../server.js';
import type { LoadedPack } from '../cli/load-packs.js';
import { Dispatcher } from './dispatcher.js';
import { OfferedOptions, withOfferedOptions } from './offered-options.js';
import { packIdentity, piaPackVersion, type PackIdentity } from './pack-identity.js';
import { DEFAULT_QUEUE_NAME, checkQueueName, parseRedisUrl, probeRedis } from './redis-connection.js';

/** Options of `startDistributedServer`: the server's, plus where the queue is. */
export interface DistributedServerOptions extends Omit<ServerOptions, 'nodes' | 'wrapNodes' | 'requeueInterrupted'> {
  /** `redis://[[user]:password@]host[:port][/db]`. */
  redisUrl: string;
  /** The BullMQ queue name (default "piagraph"); one server per name. */
  queueName?: string;
  /** Extra node packs (`--pack` modules); the workers must have the same ones, at the same versions. */
  packs?: readonly LoadedPack[];
  /** How long a job waits for a worker that has its models loaded (default 30 s). */
  affinityWaitMs?: number;
}

/** A running server of the distributed mode. */
export interface DistributedServer extends ServerBase {
  readonly dispatcher: Dispatcher;
}

/** The identities of the packs a server or worker runs, compared at a worker's hello. */
export function localPackIdentities(pia: { nodes: Parameters<typeof packIdentity>[2] } | undefined, packs: readonly LoadedPack[]): PackIdentity[] {
  const ids = packs.map((p) => packIdentity(p.name, p.version, p.defs));
  if (pia) ids.unshift(packIdentity('piagraph.nodes-pia', piaPackVersion(), pia.nodes));
  return ids;
}

/**
 * Starts the server of the distributed mode: the same HTTP and WebSocket API as `startServer`, with jobs dispatched
 * on a BullMQ queue in Redis to `piagraph worker` processes instead of run in-process. Redis is reached before
 * anything else is opened, so an unreachable Redis (or a queue that already has a server) stops the start cleanly.
 * A token is always required: workers connect over the network with it.
 */
export async function startDistributedServer(options: DistributedServerOptions): Promise<DistributedServer> {
  parseRedisUrl(options.redisUrl);
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  await probeRedis(options.redisUrl);
  const token = options.token ?? generateToken();
  const offered = new OfferedOptions();
  const packs = options.packs ?? [];
  const factory: RunnerFactory<Dispatcher> = async (ctx) => {
    const dispatcher = await Dispatcher.open(
      {
        store: ctx.store,
        hub: ctx.hub,
        registry: ctx.registry,
        settings: ctx.settings,
        dirs: ctx.dirs,
        offered,
        packs: localPackIdentities(ctx.pack, packs),
        log: ctx.log,
      },
      {
        redisUrl: options.redisUrl,
        queueName,
        ...(options.affinityWaitMs !== undefined ? { affinityWaitMs: options.affinityWaitMs } : {}),
        ...(options.maxHistory !== undefined ? { maxHistory: options.maxHistory } : {}),
        ...(options.startGraceMs !== undefined ? { startGraceMs: options.startGraceMs } : {}),
      },
    );
    ctx.undo.push(() => dispatcher.close());
    return dispatcher;
  };
  factory.keepsRunningJobs = true;
  const { runner, ...server } = await startServerWith(
    {
      ...options,
      token,
      nodes: packs.flatMap((p) => p.defs),
      wrapNodes: (defs) => withOfferedOptions(defs, offered),
    },
    factory,
  );
  return { ...server, tokenGenerated: options.token === undefined, dispatcher: runner };
}
