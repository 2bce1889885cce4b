import { Redis, type RedisOptions } from 'ioredis';
import { StartupError } from '../startup-error.js';

/** The queue name used when none is given (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = 'piagraph';

/** A Redis URL checked for form: `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StartupError(`--redis must be a URL such as redis://127.0.0.1:6379 or redis://:PASSWORD@host:6379/0, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new StartupError(`--redis must start with redis:// (or rediss:// for TLS), got "${redactRedisUrl(url)}"`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new StartupError(`The database in --redis must be a number (redis://host:port/0), got "/${db}"`);
  return parsed;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The queue name, checked: BullMQ builds Redis keys from it, so it must be a plain word. */
export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new StartupError(`--queue-name must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit; got "${name}"`);
  }
  return name;
}

/**
 * Connects to Redis once, failing fast with a message the user can act on (unreachable, wrong password), before
 * anything else starts: the server or worker must not come up half-way. Returns the server's version.
 */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<string> {
  parseRedisUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  // connect() rejects with "Connection is closed"; the socket's own error (ECONNREFUSED, ENOTFOUND) says why.
  let cause: unknown;
  client.on('error', (err) => (cause ??= err));
  try {
    await client.connect();
    const info = await client.info('server');
    const policy = (await client.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    if (policy[1] !== undefined && policy[1] !== 'noeviction') {
      throw new StartupError(
        `Redis at ${redactRedisUrl(url)} evicts keys (maxmemory-policy ${policy[1]}): queued jobs could vanish. ` +
          'Set "maxmemory-policy noeviction" in its configuration (see README: distributed mode).',
      );
    }
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw new StartupError(describeRedisError(url, cause ?? err));
  } finally {
    client.disconnect();
  }
}

/** A sentence naming what went wrong with Redis and what to do. */
export function describeRedisError(url: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const where = redactRedisUrl(url);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return `Redis at ${where} refused the credentials (${message.trim()}); put the password in the URL: redis://:PASSWORD@host:port`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|connect|closed/i.test(message)) {
    return `Cannot reach Redis at ${where} (${message.trim()}); start redis-server there (see README: distributed mode) or fix --redis`;
  }
  return `Redis at ${where} failed: ${message.trim()}`;
}

/**
 * Options of the long-lived connections (BullMQ's): reconnect forever with a capped backoff, since a Redis restart
 * must not take the server or a worker down.
 */
export function redisConnectionOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...extra,
  };
}
