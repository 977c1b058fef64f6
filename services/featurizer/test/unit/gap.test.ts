import { describe, expect, it } from 'vitest';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressCommits } from '../helpers/express.ts';

// A commit applied before one of its parents had its history metrics computed on a gap: the
// featurizer says so per commit (CommitResult.gap, the record's `gap`), which the audit reports.
const commits = readExpressCommits().slice(0, 300);

describe('commits applied on a gap', () => {
  it('are flagged exactly when a parent had not been applied before them, in the result and the record', async () => {
    const store = new InMemoryHistoryStore();
    const skipped = new Set(commits.slice(100, 110).map((c) => c.sha));
    const seen = commits.filter((c) => !skipped.has(c.sha));
    const results = [];
    for (let i = 0; i < seen.length; i += 37)
      results.push(...(await processCommits(store, EXPRESS_REPO, seen.slice(i, i + 37), { now: () => 1 })));
    const expected = seen.filter((c) => c.parents.some((p) => skipped.has(p))).map((c) => c.sha);
    expect(expected.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.gap).map((r) => r.sha)).toEqual(expected);
    for (const sha of expected) expect(store.peek(EXPRESS_REPO, 'commit', sha)?.gap).toBe(true);
    // The first commit (no parents) and every commit whose parents came first carry no flag at all.
    expect(store.peek(EXPRESS_REPO, 'commit', commits[0]!.sha)).not.toHaveProperty('gap');
    // A redelivery reports the recorded flag without applying the commit again.
    const [again] = await processCommits(store, EXPRESS_REPO, [seen.find((c) => c.sha === expected[0])!], {
      now: () => 2,
    });
    expect(again).toMatchObject({ replayed: true, gap: true });
  });

  it('flags nothing in an in-order pass', async () => {
    const results = await processCommits(new InMemoryHistoryStore(), EXPRESS_REPO, commits, { now: () => 1 });
    expect(results.filter((r) => r.gap)).toEqual([]);
  });
});
