import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { avroSchema, loadGrpcObject } from '@omen/contracts';
import type { featurizerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { createTestProducer, readTopic, waitFor } from '@omen/testing';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressRaw, toCommitEvent, toCommitInput } from '../helpers/express.ts';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

let svc: InProcessFeaturizer;
let names: InProcessFeaturizer['names'];
let ch: ClickHouse;
let redis: Redis;
let featurizer: InProcessFeaturizer['featurizer'];

beforeAll(async () => {
  svc = await startInProcessFeaturizer('fzapp');
  ({ names, ch, redis, featurizer } = svc);
});
afterAll(() => svc.stop());

describe('the featurizer service', () => {
  it('serves features over gRPC (online, then offline), publishes them, and labels fixes named by bug issues', async () => {
    const raw = readExpressRaw().slice(0, 200);
    const producer = await createTestProducer(onTestFinished, {
      schemas: { [names.commits]: avroSchema('commit'), [names.issues]: avroSchema('issue') },
    });
    await producer.send(
      names.commits,
      raw.map((r) => ({ key: EXPRESS_REPO, value: toCommitEvent(r) })),
    );
    // A non-fix commit by its message, named by a bug issue.
    const target = raw.find((r) => r.parents.length === 1 && !/fix|bug/i.test(r.message) && r.files.length > 0)!;
    await producer.send(names.issues, [
      {
        key: EXPRESS_REPO,
        value: {
          event_id: `${EXPRESS_REPO}:issue:42:labeled:1300000000000`,
          event_time: 1_300_000_000_000,
          repo_id: EXPRESS_REPO,
          repo_name: 'expressjs/express',
          provider: 'github',
          number: 42,
          action: 'labeled',
          state: 'closed',
          title: 'crash',
          body: null,
          author_id: 'u',
          labels: ['bug'],
          is_bug: true,
          referenced_commit_shas: [target.sha],
          referenced_pull_requests: [],
          created_at: 1_299_000_000_000,
          updated_at: 1_300_000_000_000,
          closed_at: 1_300_000_000_000,
          source: 'webhook',
        },
      },
    ]);

    const last = raw[raw.length - 1]!;
    const expected = (
      await processCommits(
        new InMemoryHistoryStore(),
        EXPRESS_REPO,
        raw.map((r) => toCommitInput(r)),
      )
    ).at(-1)!.outputs!.jit;
    const { omen } = loadGrpcObject('featurizer');
    const client = createClient(omen.featurizer.v1.Featurizer, `127.0.0.1:${featurizer.grpcPort}`);
    onTestFinished(() => client.close());
    const get = (): Promise<featurizerV1.GetFeaturesResponse__Output> =>
      callUnary(client, 'GetFeatures', {
        repo_id: EXPRESS_REPO,
        sha: last.sha,
        feature_set: '',
        feature_set_version: 0,
        include_file_metrics: false,
      });
    // The sinks are written in parallel: ClickHouse may have the row (an offline answer) before
    // Redis has the hash, more so now that a fetch can bring the whole topic as one batch.
    const online = await waitFor(
      async () => {
        const answer = await get().catch(() => undefined);
        return answer?.source === 'FEATURE_SOURCE_ONLINE' ? answer : undefined;
      },
      { timeoutMs: 60_000, message: 'features of the last commit online' },
    );
    expect(online.source).toBe('FEATURE_SOURCE_ONLINE');
    expect(online.feature_set).toBe('jit_change_metrics');
    expect(online.values).toEqual(expected);

    await redis.del(`${names.online}:{${EXPRESS_REPO}}:${last.sha}`);
    // The sinks are written in parallel: the ClickHouse insert may land after the Redis write.
    const offline = await waitFor(() => get().catch(() => undefined), {
      timeoutMs: 30_000,
      message: 'features of the last commit offline',
    });
    expect(offline.source).toBe('FEATURE_SOURCE_OFFLINE');
    expect(offline.values).toEqual(expected);
    await expect(
      callUnary(client, 'GetFeatures', {
        repo_id: EXPRESS_REPO,
        sha: 'f'.repeat(40),
        feature_set: '',
        feature_set_version: 0,
      }),
    ).rejects.toMatchObject({ code: 5 });
    await expect(
      callUnary(client, 'GetFeatures', {
        repo_id: EXPRESS_REPO,
        sha: last.sha,
        feature_set: 'nope',
        feature_set_version: 0,
      }),
    ).rejects.toMatchObject({ code: 5 });
    const sets = await callUnary<featurizerV1.ListFeatureSetsResponse__Output>(client, 'ListFeatureSets', {});
    expect(sets.feature_sets.map((s) => `${s.name}@${s.version}`)).toContain('jit_change_metrics@1');
    expect(
      sets.feature_sets
        .find((s) => s.name === 'jit_change_metrics')
        ?.features.map((f) => f.name)
        .slice(0, 3),
    ).toEqual(['ns', 'nd', 'nf']);

    const label = await waitFor(
      async () => {
        const rows = await ch.query<{
          sha: string;
          is_fix: number;
          issue_numbers: number[];
          label_known_at_ms: string;
        }>(
          sql`SELECT sha, is_fix, issue_numbers, label_known_at_ms FROM commit_labels FINAL WHERE method = 'issue_link'`,
        );
        return rows[0];
      },
      { timeoutMs: 60_000, message: 'the issue_link label' },
    );
    expect(label).toMatchObject({ sha: target.sha, is_fix: 1, issue_numbers: [42] });
    expect(Number(label.label_known_at_ms)).toBe(Math.max(1_300_000_000_000, target.commit_time * 1000));

    const published = await readTopic(names.features, { until: raw.length, timeoutMs: 30_000 });
    expect(published.length).toBeGreaterThanOrEqual(raw.length);
    const labels = await readTopic(names.labels, { until: 1, timeoutMs: 30_000 });
    expect(labels.length).toBeGreaterThan(0);
  }, 180_000);
});
