// The dev stack's Redis for integration tests, and removal of what a test wrote there.
import { Redis } from 'ioredis';
import { stackEnv } from '@omen/testing';

export function connectTestRedis(): Redis {
  return new Redis(stackEnv('REDIS_URL').REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix`, then disconnects. */
export async function dropAndDisconnect(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
