import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '@omen/service';
import { deleteKeysMatching, randomName, stackEnv } from '@omen/testing';
import { RedisDedup } from '../../src/adapters/dedup.ts';

// Against the stack's real Redis: claims are exclusive, confirmations stick for the window,
// releases free a key for the retry, and an expired claim does not block forever.
const { REDIS_URL } = stackEnv('REDIS_URL');
let a: RedisDedup;
let b: RedisDedup;
let raw: RedisClient;
const prefix = `omen:test:${randomName('dedup')}:`;

beforeAll(async () => {
  a = await RedisDedup.connect({ url: REDIS_URL, windowMs: 60_000, pendingTtlMs: 300 });
  b = await RedisDedup.connect({ url: REDIS_URL, windowMs: 60_000, pendingTtlMs: 300 });
  raw = createRedisClient(REDIS_URL);
});
afterAll(async () => {
  await deleteKeysMatching(raw, `${prefix}*`);
  await Promise.all([a.close(), b.close(), raw.quit()]);
});

describe('RedisDedup', () => {
  it('lets exactly one of two concurrent claimers own a key', async () => {
    const key = `${prefix}race`;
    const [x, y] = await Promise.all([a.claim([key]), b.claim([key])]);
    expect([x[0], y[0]].sort()).toEqual(['claimed', 'pending']);
  });

  it('remembers confirmed keys for the window and frees released ones', async () => {
    const done = `${prefix}done`;
    const failed = `${prefix}failed`;
    expect(await a.claim([done, failed])).toEqual(['claimed', 'claimed']);
    await a.confirm([done]);
    await a.release([failed]);
    expect(await b.claim([done, failed])).toEqual(['done', 'claimed']);
    const ttl = await raw.pttl(done);
    expect(ttl).toBeGreaterThan(50_000);
  });

  it("tells its own pending claim (an attempt that could not release it) from another process's", async () => {
    const key = `${prefix}mine`;
    expect(await a.claim([key])).toEqual(['claimed']);
    expect(await a.claim([key])).toEqual(['mine']);
    expect(await b.claim([key])).toEqual(['pending']);
  });

  it('does not release a claim another process holds', async () => {
    const key = `${prefix}foreign`;
    expect(await b.claim([key])).toEqual(['claimed']);
    await a.release([key]);
    expect(await raw.get(key)).toMatch(/^pending:/);
  });

  it('frees an unconfirmed claim after the pending TTL (a crash between claim and publish)', async () => {
    const key = `${prefix}crash`;
    expect(await a.claim([key])).toEqual(['claimed']);
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.claim([key])).toEqual(['claimed']);
  });

  it('keeps namespaces apart', async () => {
    const ns1 = await RedisDedup.connect({ url: REDIS_URL, windowMs: 60_000, namespace: `${prefix}ns1:` });
    const ns2 = await RedisDedup.connect({ url: REDIS_URL, windowMs: 60_000, namespace: `${prefix}ns2:` });
    try {
      const key = 'shared-event';
      expect(await ns1.claim([key])).toEqual(['claimed']);
      await ns1.confirm([key]);
      expect(await ns2.claim([key])).toEqual(['claimed']);
      expect(await ns1.claim([key])).toEqual(['done']);
      expect(await raw.get(`${prefix}ns1:${key}`)).toBe('done');
    } finally {
      await Promise.all([ns1.close(), ns2.close()]);
    }
  });

  it('answers UNAVAILABLE when Redis cannot be reached', async () => {
    await expect(RedisDedup.connect({ url: 'redis://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'Redis at redis://127.0.0.1:1 is unreachable',
    });
  });
});
