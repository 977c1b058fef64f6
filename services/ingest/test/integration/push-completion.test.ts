import { describe, expect, it, onTestFinished } from 'vitest';
import { readTopic } from '@omen/testing';
import { decodeCommit, startTestIngest } from '../helpers/app.ts';
import { gitlabPushHook, gitlabRoutes, linearHistory } from '../helpers/push-history.ts';
import { startRecordedServer } from '../helpers/recorded-server.ts';

// A GitLab push of 25 commits, whose hook lists the newest 20, through the live ingest server
// into the stack's Kafka. The GitLab API is a local server answering compare, commit and diff
// requests the way GitLab does.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

async function counter(
  metric: { get(): Promise<{ values: Array<{ labels: Record<string, unknown>; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('truncated push webhooks', () => {
  it('publishes all 25 commits of a 25-commit GitLab push, in commit order, enriched, and dedups a resend', async () => {
    const h = linearHistory('it-gl-25', 25);
    const api = await startRecordedServer(gitlabRoutes(15, h.before, h));
    cleanup(() => api.close());
    const t = await startTestIngest(cleanup, {
      env: { INGEST_GITLAB_TOKEN: 'glpat-recorded', INGEST_GITLAB_API_URL: api.url },
    });

    const res = await t.gitlab('Push Hook', gitlabPushHook(h, 20));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; published: number; notes: string[] };
    expect(body).toMatchObject({ status: 'accepted', published: 25, duplicates: 0 });
    expect(body.notes).toContain('the GitLab API listed every commit of the push; 5 were not in the hook');

    const records = await readTopic(t.topics.commits, { until: 25 });
    const events = records.map((r) => decodeCommit(r.value));
    expect(events.map((e) => e.sha)).toEqual(h.commits.map((c) => c.sha));
    expect(events.map((e) => e.parents)).toEqual(h.commits.map((c) => c.parents));
    expect(events.every((e) => e.line_counts_known && e.files[0]?.lines_added === 2)).toBe(true);
    expect(new Set(records.map((r) => `${r.key}/${r.partition}`)).size).toBe(1);
    expect(await counter(t.app.metrics.pushCompletions, { provider: 'gitlab', outcome: 'complete' })).toBe(1);
    expect(await counter(t.app.metrics.pushCommitsMissing, { provider: 'gitlab' })).toBe(0);

    // GitLab's "resend" is a new delivery of the same push: every commit, fetched ones
    // included, is recognised by its event id.
    const again = await t.gitlab('Push Hook', gitlabPushHook(h, 20));
    expect(await again.json()).toMatchObject({ status: 'accepted', published: 0, duplicates: 25 });
    expect(await readTopic(t.topics.commits, { timeoutMs: 3000 })).toHaveLength(25);
  });

  it('answers 202 with the listed 20 and counts the 5 missing when the compare call keeps failing', async () => {
    const h = linearHistory('it-gl-down', 25);
    const routes = gitlabRoutes(15, h.before, h);
    routes[`/projects/15/repository/compare?from=${h.before}&to=${h.after}`] = {
      status: 503,
      body: { message: '503 Service Unavailable' },
    };
    const api = await startRecordedServer(routes);
    cleanup(() => api.close());
    const t = await startTestIngest(cleanup, { env: { INGEST_GITLAB_TOKEN: 't', INGEST_GITLAB_API_URL: api.url } });

    const res = await t.gitlab('Push Hook', gitlabPushHook(h, 20));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted', published: 20 });
    const compareCalls = api.requests.filter((r) => r.url.includes('/compare?'));
    expect(compareCalls).toHaveLength(4);
    const events = (await readTopic(t.topics.commits, { until: 20 })).map((r) => decodeCommit(r.value));
    expect(events.map((e) => e.sha)).toEqual(h.commits.slice(5).map((c) => c.sha));
    expect(await counter(t.app.metrics.pushCommitsMissing, { provider: 'gitlab' })).toBe(5);
    expect(await counter(t.app.metrics.pushCompletions, { provider: 'gitlab', outcome: 'failed' })).toBe(1);
  });

  it('counts the missing commits when no GitLab token is configured', async () => {
    const h = linearHistory('it-gl-none', 25);
    const t = await startTestIngest(cleanup);
    const res = await t.gitlab('Push Hook', gitlabPushHook(h, 20));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { published: number; notes: string[] };
    expect(body.published).toBe(20);
    expect(body.notes.join('\n')).toContain(
      `no GitLab API token is configured to fetch the unlisted commits (backfill ${h.before}..${h.after})`,
    );
    expect(await readTopic(t.topics.commits, { until: 20 })).toHaveLength(20);
    expect(await counter(t.app.metrics.pushCommitsMissing, { provider: 'gitlab' })).toBe(5);
    expect(await counter(t.app.metrics.pushCompletions, { provider: 'gitlab', outcome: 'no_client' })).toBe(1);
  });
});
