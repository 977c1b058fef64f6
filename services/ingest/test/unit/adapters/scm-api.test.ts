import { afterEach, describe, expect, it } from 'vitest';
import { GithubCommitSource, nextLink } from '../../../src/adapters/github-api.ts';
import { GitlabCommitSource } from '../../../src/adapters/gitlab-api.ts';
import { parseRetryAfter } from '../../../src/adapters/scm-http.ts';
import { startRecordedServer, type RecordedServer } from '../../helpers/recorded-server.ts';
import { fixture } from '../../fixtures/load.ts';

// Enrichment against a local HTTP server replaying recorded GitHub/GitLab responses. Waits are
// recorded instead of slept, so the retry policy is checked by value, not by timing.
const sha = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const ghPath = `/repos/octocat/Hello-World/commits/${sha}`;
let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// A fake clock that moves only when the client sleeps.
function policy(start = 1_700_000_000_000): {
  waits: number[];
  options: { sleep: (ms: number) => Promise<void>; now: () => number; random: () => number };
} {
  const waits: number[] = [];
  let now = start;
  const sleep = (ms: number): Promise<void> => {
    waits.push(ms);
    now += ms;
    return Promise.resolve();
  };
  return { waits, options: { sleep, now: () => now, random: () => 0.5 } };
}

describe('GithubCommitSource', () => {
  it('follows the Link header through every page of files and sends the token', async () => {
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: {
        body: fixture('github/commit-6dcb09b.json'),
        headers: {
          link: `<{base}${ghPath}?per_page=300&page=2>; rel="next", <{base}${ghPath}?per_page=300&page=2>; rel="last"`,
        },
      },
      [`${ghPath}?per_page=300&page=2`]: { body: fixture('github/commit-6dcb09b-page2.json') },
    });
    const gh = new GithubCommitSource({ baseUrl: server.url, token: 'ghp_test' });
    const d = await gh.commit('octocat/Hello-World', sha);
    expect(d.files.map((f) => f.path)).toEqual([
      'lib/router.js',
      'docs/routing.md',
      'assets/logo.png',
      'test/router.test.js',
    ]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer ghp_test');
    expect(server.requests[0]!.headers['x-github-api-version']).toBe('2022-11-28');
  });

  it('waits for Retry-After on 429 and on a secondary-limit 403, then succeeds', async () => {
    const { waits, options } = policy();
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: [
        { status: 429, headers: { 'retry-after': '2' }, body: fixture('github/rate-limited.json') },
        {
          status: 403,
          headers: { 'retry-after': '1' },
          body: { message: 'You have exceeded a secondary rate limit.' },
        },
        { body: fixture('github/commit-6dcb09b.json') },
      ],
    });
    const d = await new GithubCommitSource({ baseUrl: server.url, token: 't', ...options }).commit(
      'octocat/Hello-World',
      sha,
    );
    expect(d.sha).toBe(sha);
    expect(waits).toEqual([2000, 1000]);
  });

  it('waits for x-ratelimit-reset when the primary limit is spent, and fails fast when the reset is too far', async () => {
    const now = 1_700_000_000_000;
    const { waits, options } = policy(now);
    const reset = String(now / 1000 + 3);
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: [
        {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
          body: fixture('github/rate-limited.json'),
        },
        { body: fixture('github/commit-6dcb09b.json') },
      ],
    });
    await new GithubCommitSource({ baseUrl: server.url, token: 't', ...options }).commit('octocat/Hello-World', sha);
    expect(waits).toEqual([3000]);

    await server.close();
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) },
        body: fixture('github/rate-limited.json'),
      },
    });
    const fresh = policy(now).options;
    const err = await new GithubCommitSource({ baseUrl: server.url, token: 't', ...fresh })
      .commit('octocat/Hello-World', sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 3_600_000 });
    expect((err as Error).message).toContain('GitHub rate limit: retry in 3600 s');
  });

  it('remembers a spent window from a successful response and blocks the next request', async () => {
    const now = 1_700_000_000_000;
    const { options } = policy(now);
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: {
        body: fixture('github/commit-6dcb09b.json'),
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) },
      },
    });
    const gh = new GithubCommitSource({ baseUrl: server.url, token: 't', ...options });
    await gh.commit('octocat/Hello-World', sha);
    await expect(gh.commit('octocat/Hello-World', sha)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryAfterMs: 600_000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('backs off exponentially on 5xx and gives up after maxAttempts with UNAVAILABLE', async () => {
    const { waits, options } = policy();
    server = await startRecordedServer({
      [`${ghPath}?per_page=300`]: { status: 502, body: { message: 'Server Error' } },
    });
    const err = await new GithubCommitSource({
      baseUrl: server.url,
      token: 't',
      maxAttempts: 4,
      baseDelayMs: 100,
      ...options,
    })
      .commit('octocat/Hello-World', sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect((err as Error).message).toContain('GitHub unreachable after 4 attempts: 502: Server Error');
    // Full jitter at random() = 0.5: half of 100, 200, 400.
    expect(waits).toEqual([50, 100, 200]);
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry 401, 404 and 422', async () => {
    server = await startRecordedServer({
      '/repos/a/b/commits/0000000000000000000000000000000000000001?per_page=300': {
        status: 422,
        body: fixture('github/commit-not-found.json'),
      },
      '/repos/a/b/commits/0000000000000000000000000000000000000002?per_page=300': {
        status: 401,
        body: { message: 'Bad credentials' },
      },
    });
    const gh = new GithubCommitSource({ baseUrl: server.url, token: 't' });
    await expect(gh.commit('a/b', '0000000000000000000000000000000000000001')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(gh.commit('a/b', '0000000000000000000000000000000000000002')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'GitHub refused the API token (401): Bad credentials',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('treats a dead server as retryable and reports it', async () => {
    const { options } = policy();
    const dead = await startRecordedServer({});
    await dead.close();
    const err = await new GithubCommitSource({ baseUrl: dead.url, token: 't', maxAttempts: 2, ...options })
      .commit('a/b', sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect((err as Error).message).toMatch(/unreachable after 2 attempts: .*ECONNREFUSED/);
  });
});

describe('GitlabCommitSource', () => {
  const gsha = 'd5a3ff139356ce33e37e73add446f16869741b50';
  const base = `/projects/15/repository/commits/${gsha}`;

  it('reads the commit and follows X-Next-Page through the diff, with PRIVATE-TOKEN', async () => {
    server = await startRecordedServer({
      [base]: {
        body: fixture('gitlab/commit-d5a3ff1.json'),
        headers: { 'ratelimit-remaining': '599', 'ratelimit-limit': '600' },
      },
      [`${base}/diff?per_page=100&page=1`]: {
        body: fixture('gitlab/commit-d5a3ff1-diff-page1.json'),
        headers: { 'x-next-page': '2', 'x-page': '1', 'x-total-pages': '2' },
      },
      [`${base}/diff?per_page=100&page=2`]: {
        body: fixture('gitlab/commit-d5a3ff1-diff-page2.json'),
        headers: { 'x-next-page': '', 'x-page': '2', 'x-total-pages': '2' },
      },
    });
    const d = await new GitlabCommitSource({ baseUrl: server.url, token: 'glpat-x' }).commit(15, gsha);
    expect(d.parents).toEqual(['ae73cb07c9eeaf35924a10f713b364d32b2dd34f']);
    expect(d.files.map((f) => [f.path, f.status])).toEqual([
      ['lib/parser.rb', 'modified'],
      ['spec/parser_empty_spec.rb', 'added'],
      ['doc/parser.md', 'renamed'],
      ['img/logo.png', 'deleted'],
    ]);
    expect(server.requests.map((r) => r.headers['private-token'])).toEqual(['glpat-x', 'glpat-x', 'glpat-x']);
  });

  it("honours GitLab's RateLimit-Reset on 429 without Retry-After", async () => {
    const now = 1_700_000_000_000;
    const { waits, options } = policy(now);
    server = await startRecordedServer({
      [base]: [
        {
          status: 429,
          headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 5) },
          body: { message: 'Retry later' },
        },
        { body: fixture('gitlab/commit-d5a3ff1.json') },
      ],
      [`${base}/diff?per_page=100&page=1`]: { body: fixture('gitlab/commit-d5a3ff1-diff-page1.json') },
    });
    await new GitlabCommitSource({ baseUrl: server.url, token: 't', ...options }).commit(15, gsha);
    expect(waits).toEqual([5000]);
  });

  it('answers NOT_FOUND for an unknown commit', async () => {
    server = await startRecordedServer({
      [`/projects/15/repository/commits/${'1'.repeat(40)}`]: {
        status: 404,
        body: fixture('gitlab/commit-not-found.json'),
      },
    });
    await expect(
      new GitlabCommitSource({ baseUrl: server.url, token: 't' }).commit(15, '1'.repeat(40)),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'GitLab has no such commit (404): 404 Commit Not Found',
    });
  });
});

describe('header parsing', () => {
  it('reads Link rel="next" and both Retry-After forms', () => {
    expect(nextLink('<https://x/a?page=2>; rel="next", <https://x/a?page=5>; rel="last"')).toBe('https://x/a?page=2');
    expect(nextLink('<https://x/a?page=1>; rel="prev"')).toBeUndefined();
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
