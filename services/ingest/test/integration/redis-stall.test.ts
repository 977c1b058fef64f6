import * as grpc from '@grpc/grpc-js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadGrpcObject, type ingestV1 } from '@omen/contracts';
import { checkHealth } from '@omen/grpc';
import { readTopic, startPrivateRedis, waitFor } from '@omen/testing';
import { decodeCommit, startServiceIngest } from '../helpers/app.ts';

// Regression, issue 11 "hang on an engine stall": with Redis SIGSTOPped for 20 s a signed webhook
// and PublishCommit each answered after 19.7 s, with no 503, no log line and health SERVING.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const sha = (n: number): string => n.toString(16).padStart(40, 'e');

function push(id: string): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: id,
    repository: { full_name: 'Acme/Stall' },
    commits: [
      {
        id,
        message: 'm',
        timestamp: '2024-01-01T00:00:00Z',
        author: { email: 'a@b.c' },
        committer: { email: 'a@b.c' },
        added: ['f'],
        removed: [],
        modified: [],
      },
    ],
  };
}

function commit(n: number): ingestV1.Commit {
  return {
    repo_id: 'github:acme/stall',
    sha: sha(n),
    parents: [],
    author: 'dev@acme.test',
    author_time: { seconds: '1700000000', nanos: 0 },
    commit_time: { seconds: '1700000100', nanos: 0 },
    message: 'change\n',
    files: [{ path: 'a.ts', status: 'FILE_STATUS_MODIFIED', lines_added: 1, lines_deleted: 0 }],
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('Redis stalled (SIGSTOP)', () => {
  it('answers a webhook 503 with Retry-After and PublishCommit UNAVAILABLE within 2 s, reports NOT_SERVING, and takes the retries after SIGCONT', async () => {
    const redis = await startPrivateRedis(cleanup);
    const t = await startServiceIngest(cleanup, { REDIS_URL: redis.url, INGEST_REDIS_TIMEOUT: '500ms' });
    const address = `127.0.0.1:${t.running.grpcPort}`;
    const { Ingest } = loadGrpcObject('ingest').omen.ingest.v1;
    const client = new Ingest(address, grpc.credentials.createInsecure());
    cleanup(() => Promise.resolve(client.close()));
    const publish = (n: number) =>
      new Promise<{ err: grpc.ServiceError | null; res: ingestV1.PublishCommitResponse__Output | undefined }>(
        (resolve) =>
          client.PublishCommit({ commit: commit(n) }, { deadline: Date.now() + 15_000 }, (err, res) =>
            resolve({ err, res }),
          ),
      );
    const dependencyUp = async () =>
      /omen_dependency_up\{[^}]*dependency="redis"[^}]*\} (\d)/.exec(
        await (await fetch(`${t.running.metricsUrl}/metrics`)).text(),
      )?.[1];

    // Accepted before the stall: must be in Kafka at the end.
    expect((await t.github('push', push(sha(1)), { delivery: 'stall-before' })).status).toBe(202);
    expect(await checkHealth(address)).toBe('SERVING');

    await redis.stalled(async () => {
      const hook = await timed(() => t.github('push', push(sha(2)), { delivery: 'stall-during' }));
      expect(hook.value.status).toBe(503);
      expect(Number(hook.value.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await hook.value.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(hook.ms).toBeLessThan(2000);

      const rpc = await timed(() => publish(3));
      expect(rpc.value.err?.code).toBe(grpc.status.UNAVAILABLE);
      expect(rpc.ms).toBeLessThan(2000);

      await waitFor(async () => (await checkHealth(address)) === 'NOT_SERVING', {
        timeoutMs: 10_000,
        message: 'health NOT_SERVING during the stall',
      });
      expect(await dependencyUp()).toBe('0');
    });

    await waitFor(async () => (await checkHealth(address)) === 'SERVING', {
      timeoutMs: 10_000,
      message: 'health SERVING after SIGCONT',
    });
    expect(await dependencyUp()).toBe('1');
    // The SCM redelivers the refused delivery and the client retries its call: both are taken,
    // though the claims sent while Redis was stopped reached it when it resumed.
    const redelivered = await t.github('push', push(sha(2)), { delivery: 'stall-during' });
    expect(redelivered.status).toBe(202);
    expect(await redelivered.json()).toMatchObject({ status: 'accepted', published: 1 });
    const retried = await publish(3);
    expect(retried.err).toBeNull();
    expect(retried.res?.duplicate).toBe(false);

    const records = await readTopic(t.topics.commits, { until: 3 });
    expect(records.map((r) => decodeCommit(r.value).sha).sort()).toEqual([sha(1), sha(2), sha(3)]);
  });
});
