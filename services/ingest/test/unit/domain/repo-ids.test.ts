import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { defaultBugLabels, repoRefFromName, type NormalizeOptions } from '../../../src/domain/normalize.ts';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';

// Regression, issue 11: repository ids with bidi overrides, U+FFFF, `../../../../etc/passwd`,
// quotes and backslashes were accepted and stored in Kafka keys and ClickHouse.
const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const push = (): Record<string, unknown> =>
  structuredClone(
    definitions.find((d) => d.name === 'push')!.examples.find((e) => (e['commits'] as unknown[]).length > 0)!,
  );
const opts: NormalizeOptions = { pseudonymKey: 'k', bugLabels: new Set(defaultBugLabels) };
const hostile = [
  'acme/\u202Eevil',
  'acme/x\uFFFF',
  '../../../../etc/passwd',
  'acme/"quoted"',
  'acme\\name/x',
  'acme/na\u0000me',
];

describe('repository ids at ingest entry points', () => {
  it('a webhook naming a hostile repository is rejected, naming the payload field', () => {
    for (const name of hostile) {
      const p = push();
      (p['repository'] as Record<string, unknown>)['full_name'] = name;
      const r = normalizeWebhook('github', 'push', p, opts);
      expect(r.outcome, JSON.stringify(name)).toBe('rejected');
      // Some fail the payload schema first (not owner/name), the rest the id grammar.
      expect(r.outcome === 'rejected' && r.reason).toMatch(/repository\.full_name: (repository id must|expected)/);
    }
  });

  it('the gRPC and CLI repository names go through the same grammar', () => {
    for (const name of hostile) {
      const ref = repoRefFromName(`github:${name}`);
      expect('error' in ref && ref.error, JSON.stringify(name)).toMatch(/^repository .*must/);
      // The refusal escapes what it quotes: no NUL, newline or bidi override in the message.
      expect('error' in ref && ref.error).not.toMatch(/[^\x20-\x7e]/);
    }
    expect(repoRefFromName('git:../../../../etc/passwd')).toMatchObject({
      error: expect.stringMatching(/^repository id must/) as unknown,
    });
    expect(repoRefFromName('github:Acme/Widgets')).toEqual({
      provider: 'github',
      id: 'github:acme/widgets',
      name: 'Acme/Widgets',
    });
    expect(repoRefFromName('express')).toEqual({ provider: 'git', id: 'git:express', name: 'express' });
  });
});
