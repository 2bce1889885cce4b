import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { hasRedisServer, killAllRedis, startRedis } from '../helpers/redis-server.js';

afterAll(killAllRedis);

describe.skipIf(!hasRedisServer())('test redis-server helper (needs redis-server on PATH: node scripts/test-env.mjs)', () => {
  it('starts a real redis on a free port whose AOF keeps a write across kill -9', async () => {
    const redis = await startRedis();
    try {
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      await client.set('survives', 'yes');
      client.disconnect();
      await redis.kill('SIGKILL');
      await redis.restart();
      const again = new Redis(redis.url, { lazyConnect: true });
      await again.connect();
      expect(await again.get('survives')).toBe('yes');
      expect(await again.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      again.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('requires the password when one is set', async () => {
    const redis = await startRedis({ password: 's3cret-pass' });
    try {
      const anonymous = new Redis(`redis://127.0.0.1:${redis.port}`, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await anonymous.connect();
      await expect(anonymous.get('x')).rejects.toThrow(/NOAUTH/);
      anonymous.disconnect();
      const client = new Redis(redis.url, { lazyConnect: true });
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } finally {
      await redis.stop();
    }
  });
});
