import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '@omen/testing';
import { pseudonym } from '../../src/domain/ids.ts';
import {
  decodeCommit,
  decodeIssue,
  decodePullRequest,
  PSEUDONYM_KEY,
  startTestIngest,
  type TestIngest,
} from '../helpers/app.ts';
import { fixture } from '../fixtures/load.ts';

// Webhook → ingest → the stack's Kafka, read back with a plain consumer and decoded with the
// contract schema. One ingest for the file; each test uses its own repository or delivery.
const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const example = (name: string, pick: (e: Record<string, unknown>) => boolean): Record<string, unknown> =>
  structuredClone(examples.find((d) => d.name === name)!.examples.find(pick)!);
const branchPush = (): Record<string, unknown> => example('push', (e) => (e['commits'] as unknown[]).length > 0);

function pushFor(repo: string, shas: string[]): Record<string, unknown> {
  const p = branchPush();
  const template = (p['commits'] as Array<Record<string, unknown>>)[0]!;
  p['commits'] = shas.map((id, i) => ({ ...template, id, message: `commit ${i}` }));
  p['after'] = shas.at(-1);
  (p['repository'] as Record<string, unknown>)['full_name'] = repo;
  return p;
}
const sha = (n: number): string => n.toString(16).padStart(40, 'a');

let t: TestIngest;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  t = await startTestIngest((fn) => cleanups.push(fn));
});
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

describe('webhooks into Kafka', () => {
  it('publishes a signed push as commit records keyed by repository, in order, with headers', async () => {
    const res = await t.github('push', pushFor('Acme/Widgets', [sha(1), sha(2)]), { delivery: 'delivery-push-1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', delivery: 'delivery-push-1', published: 2, duplicates: 0 });
    const records = await readTopic(t.topics.commits, { until: 2 });
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.key)).toEqual(['github:acme/widgets', 'github:acme/widgets']);
    expect(records[0]!.partition).toBe(records[1]!.partition);
    const [first, second] = records.map((r) => decodeCommit(r.value));
    expect(first).toMatchObject({
      event_id: `github:acme/widgets:${sha(1)}`,
      sha: sha(1),
      message: 'commit 0',
      branch: 'master',
      source: 'webhook',
      repo_name: 'Acme/Widgets',
    });
    expect(second!.parents).toEqual([sha(1)]);
    expect(first!.author_id).toBe(pseudonym(PSEUDONYM_KEY, '21031067+Codertocat@users.noreply.github.com'));
    expect(records[0]!.headers).toMatchObject({
      'event-id': first!.event_id,
      'omen-delivery-id': 'delivery-push-1',
      'omen-source': 'webhook',
      'omen-scm-event': 'push',
    });
    expect(records[0]!.timestamp).toBe(first!.event_time);
  });

  it('publishes nothing twice: a redelivery, and a later push repeating a commit', async () => {
    const payload = pushFor('Acme/Dedup', [sha(10)]);
    expect((await t.github('push', payload, { delivery: 'delivery-dedup' })).status).toBe(202);
    const again = await t.github('push', payload, { delivery: 'delivery-dedup' });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: 'duplicate', published: 0, duplicates: 1 });
    const overlap = await t.github('push', pushFor('Acme/Dedup', [sha(10), sha(11)]), { delivery: 'delivery-dedup-2' });
    expect(await overlap.json()).toMatchObject({ status: 'accepted', published: 1, duplicates: 1 });
    const records = (await readTopic(t.topics.commits, { timeoutMs: 3000 })).filter(
      (r) => r.key === 'github:acme/dedup',
    );
    expect(records.map((r) => decodeCommit(r.value).sha)).toEqual([sha(10), sha(11)]);
  });

  it('publishes pull requests and issues to their topics', async () => {
    const pr = example('pull_request', (e) => e['action'] === 'opened');
    const issue = example('issues', (e) => e['action'] === 'opened');
    expect((await t.github('pull_request', pr)).status).toBe(202);
    expect((await t.github('issues', issue)).status).toBe(202);
    const [prRecord] = await readTopic(t.topics.pullRequests, { until: 1 });
    const [issueRecord] = await readTopic(t.topics.issues, { until: 1 });
    expect(decodePullRequest(prRecord!.value)).toMatchObject({
      number: 2,
      action: 'opened',
      state: 'open',
      repo_id: 'github:codertocat/hello-world',
    });
    expect(decodeIssue(issueRecord!.value)).toMatchObject({
      number: 1,
      action: 'opened',
      is_bug: true,
      labels: ['bug'],
    });
  });

  it('publishes GitLab hooks with the project path as key', async () => {
    const res = await t.gitlab('Merge Request Hook', fixture('gitlab/merge-request-hook.json'));
    expect(res.status).toBe(202);
    const records = (await readTopic(t.topics.pullRequests, { until: 2 })).filter(
      (r) => r.key === 'gitlab:gitlabhq/gitlab-test',
    );
    expect(decodePullRequest(records[0]!.value)).toMatchObject({ provider: 'gitlab', number: 1, action: 'opened' });
  });

  it('answers 401, 400, 413, 415 and 202-ignored with reasons, and counts ignored events', async () => {
    const push = pushFor('Acme/Bad', [sha(20)]);
    const wrong = await t.github('push', push, { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'X-Hub-Signature-256 does not match the payload' },
    });
    const unsigned = await fetch(`${t.app.httpUrl}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    const badToken = await t.gitlab('Push Hook', fixture('gitlab/push-hook.json'), { token: 'nope' });
    expect(badToken.status).toBe(401);

    const malformed = await t.github('push', '{"ref": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /^body is not valid JSON/,
    );
    const invalid = await t.github('push', { ...push, commits: [{ id: 'nope' }] });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain(
      'commits.0.id: expected a full commit sha',
    );

    const huge = await t.github('push', { ...push, padding: 'x'.repeat(t.config.INGEST_MAX_BODY_BYTES) });
    expect(huge.status).toBe(413);
    const xml = await t.github('push', '<push/>', { headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);

    const star = await t.github('star', { action: 'created', repository: { full_name: 'Acme/Bad' } });
    expect(star.status).toBe(202);
    expect(await star.json()).toMatchObject({ status: 'ignored', reason: 'event "star" is not used by omen' });
    const metrics = await t.app.metrics.ignored.get();
    expect(metrics.values.find((v) => v.labels['event'] === 'other')?.value).toBeGreaterThanOrEqual(1);
  });

  it('answers every @octokit/webhooks-examples push, pull_request and issues payload with 202', async () => {
    for (const name of ['push', 'pull_request', 'issues']) {
      for (const [i, payload] of examples.find((d) => d.name === name)!.examples.entries()) {
        const res = await t.github(name, payload);
        const body = (await res.json()) as { status: string; reason?: string };
        expect(res.status, `${name} example ${i}: ${JSON.stringify(body)}`).toBe(202);
        expect(['accepted', 'duplicate', 'ignored']).toContain(body.status);
      }
    }
  });

  it('accepts form-encoded GitHub deliveries', async () => {
    const payload = JSON.stringify(pushFor('Acme/Form', [sha(30)]));
    const body = Buffer.from(`payload=${encodeURIComponent(payload)}`);
    const { githubSignature } = await import('../../src/domain/signature.ts');
    const res = await fetch(`${t.app.httpUrl}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-github-delivery': 'form-1',
        'x-hub-signature-256': githubSignature('test-github-secret', body),
      },
      body,
    });
    expect(res.status).toBe(202);
  });
});
