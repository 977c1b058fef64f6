import { describe, expect, it, onTestFinished } from 'vitest';
import { readTopic } from '@omen/testing';
import { pseudonym } from '../../src/domain/ids.ts';
import { decodeCommit, PSEUDONYM_KEY, startTestIngest } from '../helpers/app.ts';
import { fixture } from '../fixtures/load.ts';
import { ScratchRepo } from '../helpers/git-repo.ts';
import { startRecordedServer } from '../helpers/recorded-server.ts';

const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const sha = '6dcb09b5b57875f334f61aebed695e2e4193db5e';

function pushOf(repo: string, id: string): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    before: '7638417db6d59f3c431d3e1f261cc637155684cd',
    after: id,
    repository: { full_name: repo },
    commits: [
      {
        id,
        message: 'm',
        timestamp: '2011-04-15T09:12:03Z',
        author: { email: 'x@y.z' },
        committer: { email: 'x@y.z' },
        added: [],
        removed: [],
        modified: ['lib/router.js'],
      },
    ],
  };
}

describe('push enrichment', () => {
  it('fills line counts, hunks, parents and both dates from the GitHub API before publishing', async () => {
    const api = await startRecordedServer({
      [`/repos/octocat/Hello-World/commits/${sha}?per_page=300`]: { body: fixture('github/commit-6dcb09b.json') },
    });
    cleanup(() => api.close());
    const t = await startTestIngest(cleanup, {
      env: { INGEST_GITHUB_TOKEN: 'ghp_recorded', INGEST_GITHUB_API_URL: api.url },
    });
    const res = await t.github('push', pushOf('octocat/Hello-World', sha));
    expect(res.status).toBe(202);
    expect(api.requests[0]!.headers['authorization']).toBe('Bearer ghp_recorded');
    const [record] = await readTopic(t.topics.commits, { until: 1 });
    const e = decodeCommit(record!.value);
    expect(e).toMatchObject({
      sha,
      parents: ['7638417db6d59f3c431d3e1f261cc637155684cd'],
      author_id: pseudonym(PSEUDONYM_KEY, 'support@github.com'),
      committer_id: pseudonym(PSEUDONYM_KEY, 'octocat@github.com'),
      author_time: Date.parse('2011-04-14T16:00:49Z'),
      message: 'Fix router: skip disabled routes\n\nFixes #12',
      branch: 'main',
      source: 'webhook',
    });
    expect(e.files.map((f) => [f.path, f.status, f.lines_added, f.lines_deleted, f.binary])).toEqual([
      ['lib/router.js', 'modified', 3, 2, false],
      ['docs/routing.md', 'renamed', 1, 0, false],
      ['assets/logo.png', 'added', 0, 0, true],
    ]);
    expect(e.files[0]!.hunks).toHaveLength(2);
  });

  it("answers 503 with the API's Retry-After when it is rate limited for long, and publishes nothing", async () => {
    const api = await startRecordedServer({
      [`/repos/octocat/Hello-World/commits/${sha}?per_page=300`]: {
        status: 429,
        headers: { 'retry-after': '120' },
        body: fixture('github/rate-limited.json'),
      },
    });
    cleanup(() => api.close());
    const t = await startTestIngest(cleanup, { env: { INGEST_GITHUB_TOKEN: 't', INGEST_GITHUB_API_URL: api.url } });
    const res = await t.github('push', pushOf('octocat/Hello-World', sha), { delivery: 'limited-1' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('120');
    expect(await readTopic(t.topics.commits, { timeoutMs: 2000 })).toHaveLength(0);
  });

  it('publishes what the webhook said when the API does not know the commit', async () => {
    const api = await startRecordedServer({});
    cleanup(() => api.close());
    const t = await startTestIngest(cleanup, { env: { INGEST_GITHUB_TOKEN: 't', INGEST_GITHUB_API_URL: api.url } });
    expect((await t.github('push', pushOf('octocat/Gone', sha))).status).toBe(202);
    const [record] = await readTopic(t.topics.commits, { until: 1 });
    expect(decodeCommit(record!.value).files).toEqual([
      {
        path: 'lib/router.js',
        old_path: null,
        status: 'modified',
        lines_added: 0,
        lines_deleted: 0,
        binary: false,
        hunks: null,
      },
    ]);
    const unenriched = await t.app.metrics.unenriched.get();
    expect(unenriched.values.find((v) => v.labels['reason'] === 'not_found')?.value).toBe(1);
  });

  it('prefers a configured git mirror', async () => {
    const repo = new ScratchRepo();
    cleanup(() => Promise.resolve(repo.remove()));
    repo.write('a.txt', 'one\n');
    repo.commit('first');
    repo.write('a.txt', 'one\ntwo\n');
    const head = repo.commit('second');
    const t = await startTestIngest(cleanup, { env: { INGEST_GIT_MIRRORS: `gitlab:mike/diaspora=${repo.path}` } });
    const payload = fixture('gitlab/push-hook.json') as Record<string, unknown>;
    payload['commits'] = [{ ...(payload['commits'] as object[])[1], id: head }];
    payload['total_commits_count'] = 1;
    expect((await t.gitlab('Push Hook', payload)).status).toBe(202);
    const [record] = await readTopic(t.topics.commits, { until: 1 });
    const e = decodeCommit(record!.value);
    expect(e.message).toBe('second');
    expect(e.files).toEqual([
      {
        path: 'a.txt',
        old_path: null,
        status: 'modified',
        lines_added: 1,
        lines_deleted: 0,
        binary: false,
        hunks: [
          {
            old_start: 0,
            old_lines: 0,
            new_start: 2,
            new_lines: 1,
            deleted_lines: [],
            added_lines: [{ number: 2, content: 'two' }],
          },
        ],
      },
    ]);
  });
});
