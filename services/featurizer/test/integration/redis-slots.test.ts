// The slot guard against the stack's Redis — one server on `stack up`, Redis Cluster on
// `stack up --cluster` — : transactions and scripts within one hash tag run, one key without the
// tag is refused before anything is written, and on the cluster Redis itself answers CROSSSLOT
// to the same transaction sent without the guard (so the guard refuses what the cluster would).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { parseRedisAddress } from '@omen/config';
import { randomName, stackEnv } from '@omen/testing';
import { createRedisClient, CrossSlotError, type RedisClient } from '@omen/service';

const url = stackEnv('REDIS_URL').REDIS_URL;
const tag = `{${randomName('repo')}}`;
const key = (part: string) => `omen:test:${tag}:${part}`;
let redis: RedisClient;

beforeAll(() => {
  redis = createRedisClient(url, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await redis.del(key('a'), key('b'), key('c'));
  redis.disconnect();
});

describe('multi-key calls on the stack Redis', () => {
  it('runs a transaction and a script whose keys share the hash tag', async () => {
    const replies = await redis.multi().set(key('a'), '1').hset(key('b'), 'f', 'v').exec();
    expect(replies?.map(([err]) => err)).toEqual([null, null]);
    redis.defineCommand('copyTo', {
      numberOfKeys: 2,
      lua: "return redis.call('SET', KEYS[2], redis.call('GET', KEYS[1]))",
    });
    await (redis as unknown as { copyTo(a: string, b: string): Promise<string> }).copyTo(key('a'), key('c'));
    expect(await redis.get(key('c'))).toBe('1');
  });

  it('refuses a transaction where one key lost the tag, and writes none of it', async () => {
    const mutated = key('d').replace(tag, tag.slice(1, -1));
    await expect(redis.multi().set(key('a'), '2').set(mutated, '2').exec()).rejects.toThrow(CrossSlotError);
    expect(await redis.get(key('a'))).toBe('1');
    expect(await redis.exists(mutated)).toBe(0);
  });

  const address = parseRedisAddress(url);
  it.skipIf(address?.kind !== 'cluster')(
    'is what Redis Cluster itself answers: CROSSSLOT without the guard',
    async () => {
      if (address?.kind !== 'cluster') return;
      const raw = new Cluster(address.nodes.map((n) => ({ host: n.host, port: n.port })));
      try {
        const mutated = key('e').replace(tag, tag.slice(1, -1));
        await expect(
          raw.eval("return redis.call('MSET', KEYS[1], 1, KEYS[2], 1)", 2, key('a'), mutated),
        ).rejects.toThrow(/CROSSSLOT|slot/i);
      } finally {
        raw.disconnect();
      }
    },
  );
});
