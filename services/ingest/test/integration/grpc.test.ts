import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrpcObject, type ingestV1 } from '@omen/contracts';
import { readTopic } from '@omen/testing';
import { pseudonym } from '../../src/domain/ids.ts';
import { decodeCommit, PSEUDONYM_KEY, startTestIngest, type TestIngest } from '../helpers/app.ts';

const sha = (n: number): string => n.toString(16).padStart(40, 'd');
const ADMIN_TOKEN = 'republish-test-token-0123456789';
let t: TestIngest;
let client: ingestV1.IngestClient;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  t = await startTestIngest((fn) => cleanups.push(fn), { adminToken: ADMIN_TOKEN });
  const { Ingest } = loadGrpcObject('ingest').omen.ingest.v1;
  client = new Ingest(`127.0.0.1:${t.app.grpcPort}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  for (const fn of cleanups.reverse()) await fn();
});

function commit(n: number, repo = 'github:acme/grpc'): ingestV1.Commit {
  return {
    repo_id: repo,
    sha: sha(n),
    parents: n > 1 ? [sha(n - 1)] : [],
    author: 'dev@acme.test',
    author_time: { seconds: String(1_700_000_000 + n), nanos: 0 },
    commit_time: { seconds: String(1_700_000_100 + n), nanos: 500_000_000 },
    message: `change ${n}\n`,
    files: [
      {
        path: 'src/a.ts',
        status: 'FILE_STATUS_MODIFIED',
        lines_added: 1,
        lines_deleted: 1,
        hunks: [
          {
            old_start: 3,
            old_lines: 1,
            new_start: 3,
            new_lines: 1,
            deleted_lines: [{ number: 3, content: 'old' }],
            added_lines: [{ number: 3, content: 'new' }],
          },
        ],
      },
    ],
  };
}

const publishOne = (
  req: ingestV1.PublishCommitRequest,
  metadata = new grpc.Metadata(),
): Promise<ingestV1.PublishCommitResponse__Output> =>
  new Promise((resolve, reject) =>
    client.PublishCommit(req, metadata, (err, res) => (err ? reject(err) : resolve(res!))),
  );

function publishMany(
  reqs: ingestV1.PublishCommitRequest[],
  metadata = new grpc.Metadata(),
): Promise<ingestV1.PublishCommitsResponse__Output> {
  return new Promise((resolve, reject) => {
    const call = client.PublishCommits(metadata, (err, res) => (err ? reject(err) : resolve(res!)));
    for (const r of reqs) call.write(r);
    call.end();
  });
}

describe('omen.ingest.v1.Ingest', () => {
  it('PublishCommit publishes once Kafka acknowledged and returns where', async () => {
    const res = await publishOne({ commit: commit(1) });
    expect(res).toMatchObject({ event_id: `github:acme/grpc:${sha(1)}`, topic: t.topics.commits });
    expect(res.partition).toBeGreaterThanOrEqual(0);
    expect(res.duplicate).toBe(false);
    expect(res.offset).toMatch(/^\d+$/);
    const [record] = await readTopic(t.topics.commits, { until: 1 });
    const e = decodeCommit(record!.value);
    expect(e).toMatchObject({
      sha: sha(1),
      author_id: pseudonym(PSEUDONYM_KEY, 'dev@acme.test'),
      commit_time: 1_700_000_101_500,
      event_time: 1_700_000_101_500,
      message: 'change 1',
      source: 'producer',
      provider: 'github',
      repo_name: 'acme/grpc',
    });
    expect(e.files[0]!.hunks).toEqual(commit(1).files![0]!.hunks);
    expect(String(record!.partition)).toBe(String(res.partition));
    expect(record!.offset).toBe(res.offset);
  });

  it('PublishCommit refuses a bad commit with INVALID_ARGUMENT naming the field', async () => {
    const err = await publishOne({ commit: { ...commit(2), sha: 'abc' } }).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect((err as grpc.ServiceError).details).toContain('commit.sha: expected a full commit sha');
    const noTime = await publishOne({ commit: { ...commit(2), commit_time: null } }).catch((e: grpc.ServiceError) => e);
    expect((noTime as grpc.ServiceError).details).toContain('commit.commit_time: required');
  });

  it('PublishCommits answers per message: acks, errors, and duplicates published once', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('omen-source', 'backfill');
    const reqs = [
      commit(10, 'git:mirror/stream'),
      { commit: { ...commit(11, 'git:mirror/stream'), files: [{ path: '' }] } },
      commit(12, 'git:mirror/stream'),
      commit(10, 'git:mirror/stream'),
    ].map((c) => ('commit' in c ? c : { commit: c })) as ingestV1.PublishCommitRequest[];
    const res = await publishMany(reqs, metadata);
    expect(res.accepted).toBe(3);
    expect(res.rejected).toBe(1);
    expect(res.results.map((r) => r.outcome)).toEqual(['ack', 'error', 'ack', 'ack']);
    expect(res.results[1]!.error).toEqual({ code: 'INVALID_ARGUMENT', message: 'commit.files.0.path: required' });
    // The repeated commit is acknowledged without a position: an earlier message stored it.
    expect(res.results[3]!.ack).toMatchObject({
      event_id: `git:mirror/stream:${sha(10)}`,
      partition: -1,
      offset: '',
      duplicate: true,
    });

    const again = await publishMany(
      reqs.filter((_, i) => i !== 1),
      metadata,
    );
    expect(again.accepted).toBe(3);
    expect(again.results.every((r) => r.ack?.partition === -1 && r.ack.duplicate)).toBe(true);

    const records = (await readTopic(t.topics.commits, { timeoutMs: 3000 })).filter(
      (r) => r.key === 'git:mirror/stream',
    );
    expect(records.map((r) => decodeCommit(r.value)).map((c) => [c.sha, c.source])).toEqual([
      [sha(10), 'backfill'],
      [sha(12), 'backfill'],
    ]);
  });

  it('PublishCommits with omen-republish publishes past the dedup window, only for the admin token', async () => {
    const repo = 'git:mirror/republish';
    const reqs = [commit(20, repo), commit(21, repo)].map((c) => ({ commit: c }));
    expect((await publishMany(reqs)).results.every((r) => r.ack?.duplicate === false)).toBe(true);
    expect((await publishMany(reqs)).results.every((r) => r.ack?.duplicate === true)).toBe(true);

    const asking = (token?: string): grpc.Metadata => {
      const m = new grpc.Metadata();
      m.set('omen-republish', 'true');
      if (token !== undefined) m.set('authorization', `Bearer ${token}`);
      return m;
    };
    const anonymous = await publishMany(reqs, asking()).catch((e: grpc.ServiceError) => e);
    expect((anonymous as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await publishMany(reqs, asking('not-the-admin-token-at-all')).catch((e: grpc.ServiceError) => e);
    expect((wrong as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);

    const republished = await publishMany(reqs, asking(ADMIN_TOKEN));
    expect(republished.results.map((r) => [r.ack?.duplicate, r.ack!.partition >= 0])).toEqual([
      [false, true],
      [false, true],
    ]);
    // The window is confirmed again: a plain publish afterwards is a duplicate.
    expect((await publishMany(reqs)).results.every((r) => r.ack?.duplicate === true)).toBe(true);
    const records = (await readTopic(t.topics.commits, { timeoutMs: 3000 })).filter((r) => r.key === repo);
    expect(records.map((r) => decodeCommit(r.value).sha)).toEqual([sha(20), sha(21), sha(20), sha(21)]);
  });

  it('PublishCommits keeps every commit under the event size limit: hunks of the largest files dropped, counts kept; one that cannot fit refused alone', async () => {
    const repo = 'git:mirror/large';
    // 2.4 MB of added lines in one file (a vendored bundle): over Kafka's default 1 MB.
    const bundle = Array.from({ length: 30_000 }, (_, i) => ({ number: i + 1, content: `line ${i} `.padEnd(80, '.') }));
    const huge: ingestV1.Commit = {
      ...commit(21, repo),
      files: [
        ...commit(21, repo).files!,
        {
          path: 'vendor/bundle.js',
          status: 'FILE_STATUS_ADDED',
          lines_added: bundle.length,
          lines_deleted: 0,
          hunks: [
            {
              old_start: 0,
              old_lines: 0,
              new_start: 1,
              new_lines: bundle.length,
              deleted_lines: [],
              added_lines: bundle,
            },
          ],
        },
      ],
    };
    // 20,000 files: over the limit even as a bare file list.
    const wide: ingestV1.Commit = {
      ...commit(22, repo),
      files: Array.from({ length: 20_000 }, (_, i) => ({
        path: `generated/very/deep/directory/module-${i}.js`,
        status: 'FILE_STATUS_ADDED' as const,
        lines_added: 1,
        lines_deleted: 0,
      })),
    };
    const res = await publishMany([commit(20, repo), huge, wide, commit(23, repo)].map((c) => ({ commit: c })));
    expect(res.results.map((r) => r.outcome)).toEqual(['ack', 'ack', 'error', 'ack']);
    expect(res.results[2]!.error!.code).toBe('INVALID_ARGUMENT');
    expect(res.results[2]!.error!.message).toMatch(
      new RegExp(
        `commit ${sha(22)} is about \\d+ bytes as an event even without hunks \\(20000 files.*INGEST_MAX_EVENT_BYTES`,
      ),
    );

    const records = (await readTopic(t.topics.commits, { timeoutMs: 3000 })).filter((r) => r.key === repo);
    expect(records.map((r) => decodeCommit(r.value).sha)).toEqual([sha(20), sha(21), sha(23)]);
    const big = records[1]!;
    expect(big.value!.length).toBeLessThanOrEqual(900 * 1024);
    expect(decodeCommit(big.value).files.map((f) => [f.path, f.lines_added, f.hunks === null])).toEqual([
      ['src/a.ts', 1, false],
      ['vendor/bundle.js', 30_000, true],
    ]);
  });
});
