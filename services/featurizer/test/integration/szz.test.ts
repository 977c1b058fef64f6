import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import { createTestProducer, waitFor } from '@omen/testing';
import type { CommitInput } from '../../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO } from '../helpers/express.ts';
import { cloneExpress, readCommitsWithHunks } from '../helpers/express-git.ts';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

// The graph blame through the service: real express commits with hunks (30 merges among the first
// 800) over Kafka, state in Redis, labels in ClickHouse — the same SZZ labels as the domain
// computes (whose blame test/unit/szz-express.test.ts checks against git blame line by line).
let svc: InProcessFeaturizer;
let ch: ClickHouse;
beforeAll(async () => {
  svc = await startInProcessFeaturizer('fzszz');
  ch = svc.ch;
});
afterAll(() => svc.stop());

/** The scm.commits.v1 event a git-mirror producer sends for a commit (schemas/commit.avsc). */
function commitEvent(c: CommitInput): Record<string, unknown> {
  return {
    ...c,
    event_id: `${c.repo_id}:${c.sha}`,
    event_time: c.commit_time,
    repo_name: 'expressjs/express',
    provider: 'github',
    committer_id: c.author_id,
    author_time: c.commit_time,
    branch: null,
    source: 'git',
    line_counts_known: true,
  };
}

interface SzzRow {
  sha: string;
  is_bug_inducing: number;
  fix_shas: string[];
}

describe('SZZ labels through the featurizer service', () => {
  it('equal the domain computation on real commits with merges, in ClickHouse', async () => {
    const clone = cloneExpress();
    const commits = readCommitsWithHunks(clone).slice(0, 800);
    clone.remove();
    expect(commits.filter((c) => c.parents.length > 1).length).toBeGreaterThanOrEqual(30);
    const expected = new Map<string, string[]>();
    for (const r of await processCommits(new InMemoryHistoryStore(), EXPRESS_REPO, commits)) {
      for (const l of r.outputs!.labels)
        if (l.method === 'szz') expected.set(l.sha, l.is_bug_inducing ? l.fix_shas : []);
    }
    expect(expected.size).toBeGreaterThan(100);

    const producer = await createTestProducer(onTestFinished, {
      schemas: { [svc.names.commits]: avroSchema('commit') },
    });
    for (let i = 0; i < commits.length; i += 100) {
      await producer.send(
        svc.names.commits,
        commits.slice(i, i + 100).map((c) => ({ key: EXPRESS_REPO, value: commitEvent(c) })),
      );
    }
    const read = (): Promise<SzzRow[]> =>
      ch.query<SzzRow>(
        sql`SELECT sha, is_bug_inducing, fix_shas FROM commit_labels_latest WHERE repo_id = ${EXPRESS_REPO} AND method = 'szz' ORDER BY sha`,
      );
    const rows = await waitFor(
      async () => {
        const got = await read();
        return got.length >= expected.size ? got : undefined;
      },
      { timeoutMs: 240_000, message: `${expected.size} szz labels in ClickHouse` },
    );
    expect(Object.fromEntries(rows.map((r) => [r.sha, r.is_bug_inducing ? [...r.fix_shas].sort() : []]))).toEqual(
      Object.fromEntries(
        [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([sha, fixes]) => [sha, [...fixes].sort()]),
      ),
    );
  }, 300_000);
});
