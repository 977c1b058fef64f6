// On the dev stack: a bug issue that loses its bug label supersedes the labels it caused, on
// labels.commits.v1 and in ClickHouse (commit_labels_latest, and the point-in-time read).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { avroSchema, avroType } from '@omen/contracts';
import { createTestProducer, readTopic, waitFor } from '@omen/testing';
import type { FileChange, Hunk } from '../../src/domain/commit.ts';
import type { CommitLabel } from '../../src/domain/labels.ts';
import { hunk, hunkCommitEvent } from '../helpers/hunks.ts';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

const REPO = 'github:acme/retraction';
let svc: InProcessFeaturizer;
let names: InProcessFeaturizer['names'];
let ch: ClickHouse;

beforeAll(async () => {
  svc = await startInProcessFeaturizer('fzretract', { FEATURIZER_CODE_METRICS: 'false' });
  ({ names, ch } = svc);
});
afterAll(() => svc.stop());

const sha = (n: number): string => n.toString(16).padStart(40, 'e');
const T0 = 1_600_000_000_000;

function commitEvent(
  i: number,
  message: string,
  hunks: Hunk[],
  status: FileChange['status'] = 'modified',
): Record<string, unknown> {
  return hunkCommitEvent(
    { repo: REPO, sha: sha(i), parents: i > 1 ? [sha(i - 1)] : [], author: `a${i}`, time: T0 + i * 1000 },
    message,
    hunks,
    status,
  );
}

function issueEvent(isBug: boolean, time: number): Record<string, unknown> {
  const action = isBug ? 'labeled' : 'unlabeled';
  return {
    event_id: `${REPO}:issue:42:${action}:${time}:bug`,
    event_time: time,
    repo_id: REPO,
    repo_name: 'acme/retraction',
    provider: 'github',
    number: 42,
    action,
    state: 'closed',
    title: 'f returns the wrong value',
    body: null,
    author_id: 'u',
    labels: isBug ? ['bug'] : [],
    is_bug: isBug,
    referenced_commit_shas: [sha(3)],
    referenced_pull_requests: [],
    created_at: T0,
    updated_at: time,
    closed_at: T0 + 10_000,
    source: 'webhook',
  };
}

async function labelsOnTopic(until: number): Promise<CommitLabel[]> {
  const records = await readTopic(names.labels, { until, timeoutMs: 60_000 });
  return records.map((r) => avroType('label').fromBuffer(r.value!.subarray(5)) as CommitLabel);
}

interface LatestRow {
  sha: string;
  method: string;
  is_fix: number;
  is_bug_inducing: number;
  fix_shas: string[];
  issue_numbers: number[];
  label_known_at_ms: string;
}

const latest = (): Promise<LatestRow[]> =>
  ch.query<LatestRow>(sql`
    SELECT sha, method, is_fix, is_bug_inducing, fix_shas, issue_numbers, label_known_at_ms
    FROM commit_labels_latest WHERE repo_id = ${REPO} AND method IN ('issue_link', 'szz') ORDER BY sha, method`);

describe('an issue that loses its bug label', () => {
  it('supersedes its fix and SZZ labels on labels.commits.v1 and in ClickHouse', async () => {
    const producer = await createTestProducer(onTestFinished, {
      schemas: { [names.commits]: avroSchema('commit'), [names.issues]: avroSchema('issue') },
    });
    // C2 owns line 2; C3 (no fix keyword) rewrites it, so SZZ blames C2 once C3 is a fix.
    await producer.send(names.commits, [
      {
        key: REPO,
        value: commitEvent(1, 'Add f', [hunk(0, [], 1, ['function f(a) {', '  return a + 1;', '}'])], 'added'),
      },
      { key: REPO, value: commitEvent(2, 'Tweak f', [hunk(2, ['  return a + 1;'], 2, ['  return a - 1;'])]) },
      { key: REPO, value: commitEvent(3, 'Change f', [hunk(2, ['  return a - 1;'], 2, ['  return a;'])]) },
    ]);
    const labeledAt = T0 + 20_000;
    await producer.send(names.issues, [{ key: REPO, value: issueEvent(true, labeledAt) }]);
    const linked = await waitFor(async () => ((await latest()).length === 2 ? latest() : undefined), {
      timeoutMs: 60_000,
      message: 'the issue_link and szz labels',
    });
    expect(linked).toMatchObject([
      { sha: sha(2), method: 'szz', is_bug_inducing: 1, fix_shas: [sha(3)] },
      { sha: sha(3), method: 'issue_link', is_fix: 1, issue_numbers: [42] },
    ]);

    const unlabeledAt = T0 + 30_000;
    await producer.send(names.issues, [{ key: REPO, value: issueEvent(false, unlabeledAt) }]);
    const retracted = await waitFor(
      async () => {
        const rows = await latest();
        return rows.every((r) => Number(r.label_known_at_ms) === unlabeledAt) ? rows : undefined;
      },
      { timeoutMs: 60_000, message: 'the superseding labels in commit_labels_latest' },
    );
    expect(retracted).toMatchObject([
      { sha: sha(2), method: 'szz', is_bug_inducing: 0, fix_shas: [] },
      { sha: sha(3), method: 'issue_link', is_fix: 0, issue_numbers: [] },
    ]);

    const onTopic = (await labelsOnTopic(4)).filter((l) => l.method !== 'message_pattern');
    expect(onTopic.map((l) => [l.sha, l.method, l.is_fix, l.is_bug_inducing, l.label_known_at, l.event_id])).toEqual([
      [sha(3), 'issue_link', true, false, labeledAt, `${REPO}:${sha(3)}:issue_link:${labeledAt}`],
      [sha(2), 'szz', false, true, labeledAt, `${REPO}:${sha(2)}:szz:${labeledAt}`],
      [sha(3), 'issue_link', false, false, unlabeledAt, `${REPO}:${sha(3)}:issue_link:${unlabeledAt}`],
      [sha(2), 'szz', false, false, unlabeledAt, `${REPO}:${sha(2)}:szz:${unlabeledAt}`],
    ]);

    // A training set for a cutoff before the retraction still sees the label it had then.
    const pointInTime = (cutoff: number): Promise<{ sha: string; y: number }[]> =>
      ch.query(sql`
        SELECT sha, argMax(is_bug_inducing, label_known_at_ms) AS y FROM commit_labels
        WHERE repo_id = ${REPO} AND method = 'szz' AND label_known_at_ms <= ${cutoff}
        GROUP BY sha`);
    expect((await pointInTime(unlabeledAt - 1)).map((r) => [r.sha, Number(r.y)])).toEqual([[sha(2), 1]]);
    expect((await pointInTime(unlabeledAt)).map((r) => [r.sha, Number(r.y)])).toEqual([[sha(2), 0]]);
  }, 180_000);
});
