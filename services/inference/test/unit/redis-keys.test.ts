// A commit's online features and its cached predictions share the repository's hash tag: one
// lookup pipeline per slot reads both on Redis Cluster.
import { describe, expect, it } from 'vitest';
import { createRedisClient, keySlot } from '@omen/service';
import { RedisStore } from '../../src/adapters/redis-store.ts';

describe('inference Redis keys', () => {
  it("puts a commit's feature key and cache keys in the repository's slot", () => {
    const store = new RedisStore(createRedisClient('redis://127.0.0.1:1', { lazyConnect: true }));
    for (const repo of ['github:expressjs/express', 'gitlab:g/p{x}']) {
      const slot = keySlot(store.featureKey(repo, 'a'.repeat(40)));
      expect(keySlot(store.cacheKey(repo, 'a'.repeat(40), 'jit-defect', 'v3'))).toBe(slot);
      expect(keySlot(store.featureKey(repo, 'b'.repeat(40)))).toBe(slot);
    }
  });
});
