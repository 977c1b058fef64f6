// The dev stack's Redis for integration tests, and removal of what a test wrote there.
import { createRedisClient, type RedisClient } from '@omen/service';
import { deleteKeysMatching, stackEnv } from '@omen/testing';

/** A client of the stack's Redis: one server, or Redis Cluster on `stack up --cluster`. */
export function connectTestRedis(): RedisClient {
  return createRedisClient(stackEnv('REDIS_URL').REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix` (on every master of a cluster), then disconnects. */
export async function dropAndDisconnect(redis: RedisClient, prefix: string): Promise<void> {
  await deleteKeysMatching(redis, `${prefix}*`);
  redis.disconnect();
}
