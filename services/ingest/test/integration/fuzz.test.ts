import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSignature } from '../../src/domain/signature.ts';
import { GITHUB_SECRET, GITLAB_TOKEN, startTestIngest, type TestIngest } from '../helpers/app.ts';
import { fixture } from '../fixtures/load.ts';
import { mutate, mutations } from '../helpers/mutate.ts';

// Mutated and random deliveries, correctly signed so they get past authentication into the
// parsers, against a real ingest on the stack. With Kafka up, nothing may be answered 5xx, and
// the server must still answer afterwards.
const require = createRequire(import.meta.url);
const defs = require('@octokit/webhooks-examples') as Array<{ name: string; examples: unknown[] }>;
const seeds: Array<['github' | 'gitlab', string, unknown]> = [
  ...['push', 'pull_request', 'issues'].flatMap((name) =>
    defs.find((d) => d.name === name)!.examples.map((e): ['github', string, unknown] => ['github', name, e]),
  ),
  ['gitlab', 'Push Hook', fixture('gitlab/push-hook.json')],
  ['gitlab', 'Merge Request Hook', fixture('gitlab/merge-request-hook.json')],
  ['gitlab', 'Issue Hook', fixture('gitlab/issue-hook.json')],
];
const allowed = new Set([202, 400, 401, 413, 415]);

let t: TestIngest;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  t = await startTestIngest((fn) => cleanups.push(fn), { env: { INGEST_MAX_BODY_BYTES: String(256 * 1024) } });
});
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

async function send(
  provider: 'github' | 'gitlab',
  event: string,
  body: Buffer,
  extra: Record<string, string> = {},
): Promise<number> {
  const headers: Record<string, string> =
    provider === 'github'
      ? {
          'x-github-event': event,
          'x-github-delivery': crypto.randomUUID(),
          'x-hub-signature-256': githubSignature(GITHUB_SECRET, body),
        }
      : { 'x-gitlab-event': event, 'x-gitlab-event-uuid': crypto.randomUUID(), 'x-gitlab-token': GITLAB_TOKEN };
  const res = await fetch(`${t.app.httpUrl}/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...extra },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('webhook fuzzing', () => {
  it('answers mutated example payloads with 202/400/413, never 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutations, async (which, ops) => {
        const [provider, event, seed] = seeds[which % seeds.length]!;
        const status = await send(provider, event, Buffer.from(JSON.stringify(mutate(seed, ops)) ?? 'null'));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(allowed.has(status), `status ${status}`).toBe(true);
      }),
      { numRuns: 250, seed: 424242 },
    );
    // The run exercised both paths: some mutations were published, some refused.
    expect(statuses.get(202)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });

  it('answers random bytes, odd headers and content types without 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'github' | 'gitlab'>('github', 'gitlab'),
        fc.oneof(
          fc.constantFrom('push', 'Push Hook', 'issues', ''),
          fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ maxLength: 512 }).map((s) => new TextEncoder().encode(s)),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'multipart/form-data; boundary=x',
        ),
        async (provider, event, bytes, contentType) => {
          const status = await send(provider, event, Buffer.from(bytes), { 'content-type': contentType });
          expect(allowed.has(status), `status ${status}`).toBe(true);
        },
      ),
      { numRuns: 200, seed: 99 },
    );
    const alive = await fetch(`${t.app.httpUrl}/nowhere`);
    expect(alive.status).toBe(404);
  });
});
