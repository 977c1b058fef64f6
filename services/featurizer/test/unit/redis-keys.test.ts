// Every key one repository's featurizer state and online features use carries the repository's
// hash tag, so the write script, the MULTI reads and the reset transaction stay in one Redis
// Cluster slot — for ids with the characters a tag cannot hold too.
import { describe, expect, it } from 'vitest';
import { createRedisClient, keySlot } from '@omen/service';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import { RedisOnlineStore } from '../../src/adapters/redis-online-store.ts';
import { namespaces } from '../../src/domain/history.ts';

const redis = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true });

describe('featurizer Redis keys', () => {
  for (const repo of ['github:expressjs/express', 'gitlab:a/b{c}', 'x}y{z']) {
    it(`puts every key of ${JSON.stringify(repo)} in one slot, apart from another repository's`, () => {
      const history = new RedisHistoryStore(redis, { prefix: 'omen:featurizer' });
      const keys = [...namespaces, 'meta', 'window', 'pending_at'].map((part) =>
        history.key(repo, part as Parameters<RedisHistoryStore['key']>[1]),
      );
      expect(new Set(keys.map(keySlot)).size).toBe(1);
      expect(keys.every((k) => k.includes('{'))).toBe(true);
      const online = new RedisOnlineStore(redis, { prefix: 'omen:features' });
      expect(keySlot(online.key(repo, 'a'.repeat(40)))).toBe(keySlot(online.key(repo, 'b'.repeat(40))));
      expect(keySlot(history.key(`${repo}-other`, 'meta'))).not.toBe(keySlot(history.key(repo, 'meta')));
    });
  }
});
