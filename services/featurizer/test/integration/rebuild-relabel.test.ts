// On the dev stack: what a rebuild leaves of a run on a gap. Blame follows the commit graph, so
// the gap run blames nobody for lines whose history it lacks (no SZZ label, never a wrong one);
// the in-order replay emits the right label, and the rebuild's relabel step finds no label to
// supersede but still deletes the code finding only the gap run wrote.
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { sql } from '@omen/clickhouse';
import { avroSchema, avroType } from '@omen/contracts';
import { createTestProducer, readTopic, waitFor } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import type { FileChange, Hunk } from '../../src/domain/commit.ts';
import type { CommitLabel } from '../../src/domain/labels.ts';
import { supersedeStale } from '../../src/recovery/steps.ts';
import { hunk, hunkCommitEvent } from '../helpers/hunks.ts';
import { recoveryConfig, startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

const REPO = 'github:acme/relabel';
const sha = (n: number): string => n.toString(16).padStart(40, 'd');
const T0 = 1_600_000_000_000;

let fz: InProcessFeaturizer;
beforeAll(async () => {
  fz = await startInProcessFeaturizer('fzrelabel', { FEATURIZER_CODE_METRICS: 'false' });
});
afterAll(() => fz?.stop());

function commitEvent(
  i: number,
  message: string,
  hunks: Hunk[],
  status: FileChange['status'] = 'modified',
): Record<string, unknown> {
  return hunkCommitEvent(
    { repo: REPO, sha: sha(i), parents: i === 1 ? [] : [sha(i - 1)], author: `a${i}`, time: T0 + i * 1000 },
    message,
    hunks,
    status,
  );
}

// 2 changes line 2, 3 changes it back, 4 fixes it: blame on the full history names 3; with 2 and
// 3 lost, 4's first parent was never applied and its blame of the file is unknown.
const history = [
  commitEvent(1, 'Add f', [hunk(0, [], 1, ['function f(a) {', '  return a + 1;', '}'])], 'added'),
  commitEvent(2, 'Try a + 2', [hunk(2, ['  return a + 1;'], 2, ['  return a + 2;'])]),
  commitEvent(3, 'Back to a + 1', [hunk(2, ['  return a + 2;'], 2, ['  return a + 1;'])]),
  commitEvent(4, 'Fix off-by-one in f', [hunk(2, ['  return a + 1;'], 2, ['  return a;'])]),
];
const FIX_AT = T0 + 4000;

describe('a rebuild after a run on a gap', () => {
  it('emits no SZZ label on the gap, the right one on the replay; the relabel step supersedes nothing and deletes the stale finding', async () => {
    const producer = await createTestProducer(onTestFinished, {
      schemas: { [fz.names.commits]: avroSchema('commit') },
    });
    const send = (events: typeof history) =>
      producer.send(
        fz.names.commits,
        events.map((e) => ({ key: REPO, value: e })),
      );
    const szz = () =>
      fz.ch.query<{ sha: string; is_bug_inducing: number; fix_shas: string[]; label_known_at_ms: string }>(
        sql`SELECT sha, is_bug_inducing, fix_shas, label_known_at_ms FROM commit_labels_latest WHERE repo_id = ${REPO} AND method = 'szz' ORDER BY sha`,
      );
    const fixLabel = async () =>
      (
        await fz.ch.query<{ n: string }>(
          sql`SELECT count() AS n FROM commit_labels_latest WHERE repo_id = ${REPO} AND sha = ${sha(4)} AND is_fix = 1`,
        )
      )[0]!.n === '1'
        ? true
        : undefined;
    const featured = async (n: number) =>
      Number(await fz.redis.hlen(`${fz.names.state}:{${REPO}}:commit`)) === n ? true : undefined;

    // The run on the gap: 2 and 3 never arrive. The fix's own label is written with its SZZ
    // labels (one batch), so once it is in ClickHouse an SZZ label would be too.
    await send([history[0]!, history[3]!]);
    await waitFor(fixLabel, { timeoutMs: 60_000, message: "the gap run's fix label" });
    expect(await szz()).toEqual([]);
    // A finding the gap run wrote for the fix, older than the rebuild's features of that commit.
    const [{ at }] = (await fz.ch.query<{ at: string }>(
      sql`SELECT max(computed_at_ms) AS at FROM commit_features WHERE repo_id = ${REPO} AND sha = ${sha(4)}`,
    )) as [{ at: string }];
    await fz.ch.insert('code_findings', [
      {
        repo_id: REPO,
        sha: sha(4),
        path: 'src/x.js',
        line: 2,
        rule: 'eval_exec',
        event_time: '2020-09-13 12:26:44',
        event_time_ms: FIX_AT,
        computed_at: '2020-09-13 12:26:44',
        computed_at_ms: Number(at),
      },
    ]);

    // The rebuild: reset, replay in order (what `featurizer rebuild` does through ingest).
    await new RedisHistoryStore(fz.redis, { prefix: fz.names.state }).resetRepository(REPO, Date.now());
    await send(history);
    await waitFor(() => featured(4), { timeoutMs: 60_000, message: 'the replay applied' });
    await waitFor(async () => ((await szz()).length === 1 ? true : undefined), {
      timeoutMs: 60_000,
      message: "the replay's SZZ label",
    });
    expect(
      (await szz()).map((r) => [r.sha, Number(r.is_bug_inducing), r.fix_shas, Number(r.label_known_at_ms)]),
    ).toEqual([[sha(3), 1, [sha(4)], FIX_AT]]);

    const config = await recoveryConfig(fz);
    // The step's summary line (JSON on stdout) says what it did.
    const out = vi.spyOn(process.stdout, 'write');
    onTestFinished(() => out.mockRestore());
    expect(await supersedeStale(config, REPO)).toBe(0);
    const summary = JSON.parse(
      String(out.mock.calls.map((c) => c[0]).find((c) => String(c).startsWith('{"repo"'))),
    ) as Record<string, unknown>;
    expect(summary).toMatchObject({ repo: REPO, szz_labels: 1, superseded_labels: 0, deleted_findings: 1 });

    // Nothing superseded: the newest labels and the labels topic are the replay's.
    expect(
      (await szz()).map((r) => [r.sha, Number(r.is_bug_inducing), r.fix_shas, Number(r.label_known_at_ms)]),
    ).toEqual([[sha(3), 1, [sha(4)], FIX_AT]]);
    // Both runs' fix labels and the replay's SZZ label; a superseding label would be a fourth.
    const onTopic = (await readTopic(fz.names.labels, { until: 4, timeoutMs: 10_000 })).map(
      (r) => avroType('label').fromBuffer(r.value!.subarray(5)) as CommitLabel,
    );
    expect(onTopic.map((l) => [l.sha, l.method])).toEqual([
      [sha(4), 'message_pattern'],
      [sha(4), 'message_pattern'],
      [sha(3), 'szz'],
    ]);
    // ALTER ... DELETE is a mutation ClickHouse applies in the background.
    await waitFor(
      async () =>
        (await fz.ch.query<{ n: string }>(sql`SELECT count() AS n FROM code_findings WHERE repo_id = ${REPO}`))[0]!
          .n === '0'
          ? true
          : undefined,
      { timeoutMs: 30_000, message: 'the stale finding deleted' },
    );
    // Run again, it finds nothing left to do.
    expect(await supersedeStale(config, REPO)).toBe(0);
    expect((await szz()).map((r) => Number(r.label_known_at_ms))).toEqual([FIX_AT]);
  }, 180_000);
});
