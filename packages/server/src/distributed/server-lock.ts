import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { StartupError } from '../startup-error.js';

/** How long the claim on a queue outlives its server's last renewal (a killed server's queue is free after this). */
export const SERVER_LOCK_TTL_MS = 15_000;

const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).serverId ~= ARGV[2] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return false`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).serverId == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Holder {
  serverId: string;
  host: string;
  pid: number;
  dataDir: string;
  since: number;
}

/**
 * One server per queue: the server holds a key in Redis, renewed while it runs. A second server on the same queue
 * name is refused at start with the holder's whereabouts: two servers would each record only the results of the jobs
 * they hear about, and split the history between them. The key names the server's identity (kept in its database),
 * so the same server restarted after a crash takes its queue back at once instead of waiting for the key to expire.
 */
export class ServerLock {
  private timer: NodeJS.Timeout | undefined;
  private readonly value: string;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly serverId: string,
    dataDir: string,
    private readonly log: (line: string) => void,
  ) {
    const holder: Holder = { serverId, host: hostname(), pid: process.pid, dataDir, since: Date.now() };
    this.value = JSON.stringify(holder);
  }

  static async acquire(redis: Redis, key: string, queueName: string, serverId: string, dataDir: string, log: (line: string) => void): Promise<ServerLock> {
    const lock = new ServerLock(redis, key, serverId, dataDir, log);
    const held = await lock.tryAcquire();
    if (held) {
      const other = JSON.parse(held) as Holder;
      throw new StartupError(
        `Queue "${queueName}" already has a server: piagraph on ${other.host} (pid ${other.pid}, data dir ${other.dataDir}, ` +
          `since ${new Date(other.since).toISOString()}). One queue has one server; stop that one, or give this one ` +
          'another --queue-name (its jobs then go only to workers started with that name).',
      );
    }
    lock.timer = setInterval(() => void lock.renew(), Math.floor(SERVER_LOCK_TTL_MS / 3));
    lock.timer.unref();
    return lock;
  }

  private async tryAcquire(): Promise<string | null> {
    return (await this.redis.eval(ACQUIRE, 1, this.key, this.value, this.serverId, String(SERVER_LOCK_TTL_MS))) as string | null;
  }

  private async renew(): Promise<void> {
    try {
      const held = await this.tryAcquire();
      if (held) this.log(`another server took this queue over (${held}); this server should be stopped`);
    } catch {
      // Redis is away; the key is renewed on the next tick once it is back.
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.redis.eval(RELEASE, 1, this.key, this.serverId);
    } catch {
      // Redis is away: the key expires on its own.
    }
  }
}
