import { describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { natsServers, natsUrl, parseRedisAddress, redisUrl } from '@omen/config';
import { assertOneSlot, createRedisClient, CrossSlotError, keySlot } from '../../src/redis.ts';

// A client that never connects: the guard refuses before anything is written, so a refused call
// settles without a server, and an accepted one would wait for the connection (not awaited here).
function offline(): Redis {
  const client = createRedisClient('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: true,
    retryStrategy: () => null,
  }) as Redis;
  client.on('error', () => undefined);
  return client;
}

describe('the Redis Cluster slot guard', () => {
  it('computes the slot of the hash tag, as Redis does', () => {
    // CLUSTER KEYSLOT values from Redis's documentation and a run of redis-cli.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('omen:featurizer:{github:a/b}:meta')).toBe(keySlot('github:a/b'));
  });

  it('accepts keys that share a tag and names the keys that do not', () => {
    expect(assertOneSlot('x', ['p:{repo}:a', 'p:{repo}:b'])).toBe(keySlot('repo'));
    expect(() => assertOneSlot('a Lua script', ['p:{repo}:a', 'p:{other}:b'])).toThrow(CrossSlotError);
    expect(() => assertOneSlot('a Lua script', ['p:{repo}:a', 'p:repo:b'])).toThrow(/p:repo:b/);
  });

  it('refuses a MULTI whose commands touch two slots', async () => {
    const redis = offline();
    const tx = redis
      .multi()
      .hset('omen:f:{github:a/b}:meta', 'version', '1')
      .hset('omen:f:{github:a/c}:meta', 'version', '1');
    await expect(tx.exec()).rejects.toThrow(CrossSlotError);
    redis.disconnect();
  });

  it('refuses a MULTI where one key lost its hash tag (the mutation this guard exists for)', async () => {
    const redis = offline();
    const tagged = (part: string) => `omen:featurizer:{github:a/b}:${part}`;
    const mutated = 'omen:featurizer:github:a/b:window';
    await expect(redis.multi().hmget(tagged('meta'), 'version').hmget(mutated, 'x').exec()).rejects.toThrow(
      /different Redis Cluster slots/,
    );
    redis.disconnect();
  });

  it('refuses a pipeline holding a cross-slot command, and accepts one whose commands each stay in a slot', async () => {
    const redis = offline();
    await expect(redis.pipeline().get('{a}:x').mget('{a}:x', '{b}:y').exec()).rejects.toThrow(/MGET touches keys/);
    // Accepted: it goes on to connect and each command fails for want of a server, not a CrossSlotError.
    const replies = (await redis.pipeline().get('{a}:x').get('{b}:y').exec()) ?? [];
    expect(replies).toHaveLength(2);
    for (const [err] of replies) expect(err === null || err instanceof CrossSlotError).toBe(false);
    redis.disconnect();
  });

  it('refuses a script and a multi-key command whose keys hash apart', async () => {
    const redis = offline();
    redis.defineCommand('twoKeys', { numberOfKeys: 2, lua: "return redis.call('GET', KEYS[1])" });
    const script = (redis as unknown as { twoKeys(a: string, b: string): Promise<unknown> }).twoKeys('{a}:x', '{b}:y');
    await expect(script).rejects.toThrow(/a Lua script/);
    await expect(redis.mget('{a}:x', '{b}:y')).rejects.toThrow(CrossSlotError);
    await expect(redis.del('{a}:x', 'a:y')).rejects.toThrow(CrossSlotError);
    redis.disconnect();
  });
});

describe('Redis and NATS addresses', () => {
  it('reads one server or a cluster from REDIS_URL', () => {
    expect(parseRedisAddress('redis://127.0.0.1:6379')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisAddress('rediss-cluster://u:p%40ss@a:7000,b:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      tls: true,
      username: 'u',
      password: 'p@ss',
    });
    expect(parseRedisAddress('redis-cluster://a')).toBeNull();
    expect(parseRedisAddress('redis-cluster://a:99999')).toBeNull();
    expect(parseRedisAddress('http://a:1')).toBeNull();
    expect(redisUrl().safeParse('redis-cluster://a:1,b:2').success).toBe(true);
    expect(redisUrl().safeParse('memcached://a:1').success).toBe(false);
  });

  it('makes a Cluster client for the cluster form and a Redis client for one server', () => {
    const cluster = createRedisClient('redis-cluster://127.0.0.1:1,127.0.0.1:2', { lazyConnect: true });
    const single = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true });
    expect(cluster).toBeInstanceOf(Cluster);
    expect(single).toBeInstanceOf(Redis);
    cluster.disconnect();
    single.disconnect();
    expect(() => createRedisClient('redis-cluster://nope')).toThrow(/REDIS_URL|not a Redis address/);
  });

  it('reads a NATS cluster as a comma-separated list', () => {
    expect(natsServers('nats://a:1, nats://b:2,')).toEqual(['nats://a:1', 'nats://b:2']);
    expect(natsUrl().safeParse('nats://a:1,nats://b:2').data).toBe('nats://a:1,nats://b:2');
    expect(natsUrl().safeParse('nats://a:1,http://b:2').success).toBe(false);
  });
});
