import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { defaultBugLabels, type Normalized } from '../../../src/domain/normalize.ts';
import { avroType } from '@omen/contracts';
import { fixture } from '../../fixtures/load.ts';
import { mutate, mutations } from '../../helpers/mutate.ts';

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
const opts = { pseudonymKey: 'fuzz', bugLabels: new Set(defaultBugLabels) };
const schemas = { commit: avroType('commit'), pull_request: avroType('pull_request'), issue: avroType('issue') };

/** What every accepted event must be: valid against its Avro schema, so publishing cannot fail on it. */
function assertWellFormed(r: Normalized): void {
  expect(['accepted', 'ignored', 'rejected']).toContain(r.outcome);
  if (r.outcome !== 'accepted') {
    expect(r.reason.length).toBeGreaterThan(0);
    return;
  }
  for (const c of r.commits) expect(schemas.commit.isValid(c.event), JSON.stringify(c.event).slice(0, 300)).toBe(true);
  for (const p of r.pullRequests) expect(schemas.pull_request.isValid(p), JSON.stringify(p).slice(0, 300)).toBe(true);
  for (const i of r.issues) expect(schemas.issue.isValid(i), JSON.stringify(i).slice(0, 300)).toBe(true);
}

describe('normalisation under mutated and random payloads', () => {
  it('never throws, and whatever it accepts is a valid Avro event', () => {
    fc.assert(
      fc.property(fc.nat(), mutations, (which, ops) => {
        const [provider, event, seed] = seeds[which % seeds.length]!;
        assertWellFormed(normalizeWebhook(provider, event, mutate(seed, ops), opts));
      }),
      { numRuns: 3000, seed: 20240501 },
    );
  });

  it('never throws on arbitrary JSON under any event name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('github', 'gitlab'),
        fc.constantFrom('push', 'pull_request', 'issues', 'Push Hook', 'Merge Request Hook', 'Issue Hook', 'x'),
        fc.jsonValue(),
        (provider, event, payload) => {
          assertWellFormed(normalizeWebhook(provider, event, payload, opts));
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});
