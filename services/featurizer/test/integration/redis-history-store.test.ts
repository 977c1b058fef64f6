import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { emptyChanges, namespaces } from '../../src/domain/history.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressCommits } from '../support/express.ts';
import { connectTestRedis, dropAndDisconnect } from '../support/redis.ts';

let redis: Redis;
const prefix = randomName('omen-test-fz');
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(() => dropAndDisconnect(redis, prefix));

const commits = readExpressCommits().slice(0, 800);
const now = (): number => 1;

describe('RedisHistoryStore', () => {
  it('holds the same state and gives the same values as the in-memory store', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:a` });
    const memory = new InMemoryHistoryStore();
    for (let i = 0; i < commits.length; i += 50) {
      const batch = commits.slice(i, i + 50);
      const [fromRedis, fromMemory] = [await processCommits(store, EXPRESS_REPO, batch, { now }), await processCommits(memory, EXPRESS_REPO, batch, { now })];
      expect(fromRedis).toEqual(fromMemory);
    }
    for (const ns of namespaces) {
      const keys = memory.keys(EXPRESS_REPO, ns);
      const snap = await store.load(EXPRESS_REPO, { [ns]: keys });
      expect(snap.records[ns].size, ns).toBe(keys.length);
      for (const k of keys) expect(snap.records[ns].get(k), `${ns}/${k}`).toEqual(memory.peek(EXPRESS_REPO, ns, k));
    }
    expect((await store.load(EXPRESS_REPO, {})).seq).toBe(commits.filter((c) => c.parents.length < 2).length);
  });

  it('applies each commit once when two instances race on the same repository with overlapping batches', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:b` });
    const reference = new InMemoryHistoryStore();
    const expected = await processCommits(reference, EXPRESS_REPO, commits, { now });
    // Instance A and a zombie instance B work through the same commits in different chunkings.
    const run = async (size: number): Promise<void> => {
      for (let i = 0; i < commits.length; i += size) await processCommits(store, EXPRESS_REPO, commits.slice(i, i + size), { now, maxAttempts: 50 });
    };
    await Promise.all([run(40), run(65)]);
    const final = await processCommits(store, EXPRESS_REPO, commits, { now });
    expect(final.every((r) => r.replayed)).toBe(true);
    expect(final.map((r) => r.outputs)).toEqual(expected.map((r) => r.outputs));
    const files = reference.keys(EXPRESS_REPO, 'file');
    const snap = await store.load(EXPRESS_REPO, { file: files });
    for (const p of files) expect(snap.records.file.get(p)).toEqual(reference.peek(EXPRESS_REPO, 'file', p));
  });

  it('refuses a write computed from an old version', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:c` });
    const snap = await store.load('r', {});
    const changes = emptyChanges();
    changes.pending.set('x', ['1']);
    const write = { expectedVersion: snap.version, seq: 0, changes, applied: [], now: 1 };
    expect(await store.write('r', write)).toBe(true);
    expect(await store.write('r', write)).toBe(false);
    expect((await store.load('r', { pending: ['x'] })).records.pending.get('x')).toEqual(['1']);
  });
});
