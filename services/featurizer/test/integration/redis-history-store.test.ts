import type { RedisClient } from '@omen/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { emptyChanges, issueOutputsKey, namespaces } from '../../src/domain/history.ts';
import type { IssueInput } from '../../src/domain/processor.ts';
import { processCommits, processIssues } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressCommits } from '../helpers/express.ts';
import { cloneExpress, readCommitsWithHunks } from '../helpers/express-git.ts';
import { connectTestRedis, dropAndDisconnect } from '../helpers/redis.ts';

let redis: RedisClient;
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
      const [fromRedis, fromMemory] = [
        await processCommits(store, EXPRESS_REPO, batch, { now }),
        await processCommits(memory, EXPRESS_REPO, batch, { now }),
      ];
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

  it('resetRepository clears the history but keeps issues, turning the shas bug issues name into pending links', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:reset` });
    const first = commits.slice(0, 60);
    const inOrder = await processCommits(new InMemoryHistoryStore(), EXPRESS_REPO, first, { now });
    await processCommits(store, EXPRESS_REPO, first.slice(0, 30), { now });
    await processIssues(
      store,
      EXPRESS_REPO,
      [{ repo_id: EXPRESS_REPO, number: 9, is_bug: true, referenced_commit_shas: [first[5]!.sha], event_time: 5 }],
      { now },
    );
    await processIssues(
      store,
      EXPRESS_REPO,
      [{ repo_id: EXPRESS_REPO, number: 10, is_bug: false, referenced_commit_shas: [first[6]!.sha], event_time: 5 }],
      { now },
    );
    expect((await store.commitRecords(EXPRESS_REPO)).get(first[5]!.sha)?.fixesIssues).toEqual({
      '9': expect.any(Number) as number,
    });

    expect(await store.resetRepository(EXPRESS_REPO, 7)).toBe(30);
    expect((await store.commitRecords(EXPRESS_REPO)).size).toBe(0);
    const snap = await store.load(EXPRESS_REPO, { issue: ['9', '10'], pending: [first[5]!.sha, first[6]!.sha] });
    expect([snap.version, snap.seq, snap.records.issue.size]).toEqual([0, 0, 2]);
    expect([...snap.records.pending]).toEqual([[first[5]!.sha, ['9']]]);

    // Replayed in order: the history equals a fresh in-order pass and the bug issue links its fix again.
    const replayed = await processCommits(store, EXPRESS_REPO, first, { now });
    expect(replayed.map((r) => r.outputs?.jit)).toEqual(inOrder.map((r) => r.outputs?.jit));
    expect(replayed[5]!.outputs!.labels.map((l) => [l.sha, l.method, l.is_fix])).toContainEqual([
      first[5]!.sha,
      'issue_link',
      true,
    ]);
    expect((await store.commitRecords(EXPRESS_REPO)).size).toBe(60);
  });

  it('keeps the blame across branches and merges like the in-memory store, from events with hunks', async () => {
    const clone = cloneExpress();
    // The first 1,500 commits hold 90 merges; a small blame window makes compaction run too.
    const withHunks = readCommitsWithHunks(clone).slice(0, 1500);
    clone.remove();
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:h` });
    const memory = new InMemoryHistoryStore();
    let labels = 0;
    for (let i = 0; i < withHunks.length; i += 100) {
      const batch = withHunks.slice(i, i + 100);
      const options = { now, blameWindow: 50 };
      const fromRedis = await processCommits(store, EXPRESS_REPO, batch, options);
      expect(fromRedis).toEqual(await processCommits(memory, EXPRESS_REPO, batch, options));
      labels += fromRedis.reduce((n, r) => n + (r.outputs?.labels.filter((l) => l.method === 'szz').length ?? 0), 0);
    }
    expect(withHunks.filter((c) => c.parents.length > 1).length).toBeGreaterThan(50);
    expect(labels).toBeGreaterThan(50);
    for (const ns of ['blame', 'versions', 'dag', 'commit'] as const) {
      const keys = memory.keys(EXPRESS_REPO, ns);
      expect(keys.length, ns).toBeGreaterThan(0);
      const snap = await store.load(EXPRESS_REPO, { [ns]: keys });
      expect(snap.records[ns].size, ns).toBe(keys.length);
      for (const k of keys) expect(snap.records[ns].get(k), `${ns}/${k}`).toEqual(memory.peek(EXPRESS_REPO, ns, k));
    }
    expect(await redis.hlen(store.key(EXPRESS_REPO, 'blame'))).toBe(memory.keys(EXPRESS_REPO, 'blame').length);
  }, 300_000);

  it('applies each commit once when two instances race on the same repository with overlapping batches', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:b` });
    const reference = new InMemoryHistoryStore();
    const expected = await processCommits(reference, EXPRESS_REPO, commits, { now });
    // Instance A and a zombie instance B work through the same commits in different chunkings.
    const run = async (size: number): Promise<void> => {
      for (let i = 0; i < commits.length; i += size)
        await processCommits(store, EXPRESS_REPO, commits.slice(i, i + size), { now, maxAttempts: 50 });
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

  it('keeps what retraction needs: the same labels and records as the in-memory store, and redelivery from the stored outputs', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:d` });
    const memory = new InMemoryHistoryStore();
    const batch = commits.slice(0, 200);
    await processCommits(store, EXPRESS_REPO, batch, { now });
    await processCommits(memory, EXPRESS_REPO, batch, { now });
    const [a, b] = batch
      .filter((c) => c.parents.length === 1 && !/fix|bug|repair|wrong/i.test(c.message))
      .map((c) => c.sha);
    const issue = (number: number, isBug: boolean, time: number, shas: string[] = []): IssueInput => ({
      event_id: `${EXPRESS_REPO}:issue:${number}:${isBug ? 'labeled' : 'unlabeled'}:${time}`,
      repo_id: EXPRESS_REPO,
      number,
      is_bug: isBug,
      referenced_commit_shas: shas,
      event_time: time,
    });
    const events = [
      issue(1, true, 2e12, [a!, b!]),
      issue(2, true, 2e12 + 1, [b!]),
      issue(1, false, 2e12 + 2),
      issue(2, false, 2e12 + 3),
      issue(1, true, 2e12 + 4),
    ];
    const fromRedis = await processIssues(store, EXPRESS_REPO, events, { now });
    expect(fromRedis).toEqual(await processIssues(memory, EXPRESS_REPO, events, { now }));
    expect(fromRedis.flat().map((l) => [l.sha, l.is_fix, l.issue_numbers, l.label_known_at])).toEqual([
      [a, true, [1], 2e12],
      [b, true, [1], 2e12],
      [b, true, [1, 2], 2e12 + 1],
      [a, false, [], 2e12 + 2],
      [b, true, [2], 2e12 + 2],
      [b, false, [], 2e12 + 3],
      [a, true, [1], 2e12 + 4],
      [b, true, [1], 2e12 + 4],
    ]);
    const keys = { commit: [a!, b!], issue: ['1', '2'], outputs: events.map((e) => issueOutputsKey(e.event_id!)) };
    const snap = await store.load(EXPRESS_REPO, keys);
    for (const ns of ['commit', 'issue', 'outputs'] as const) {
      for (const k of keys[ns]) expect(snap.records[ns].get(k), `${ns}/${k}`).toEqual(memory.peek(EXPRESS_REPO, ns, k));
    }
    expect(snap.records.issue.get('2')).toEqual({ isBug: false, bugSince: null, shas: [b], at: 2e12 + 3 });
    // The whole batch again: every event answered from its stored labels.
    expect(await processIssues(store, EXPRESS_REPO, events, { now })).toEqual(fromRedis);
  });
});
