import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@omen/config';
import { ingestConfigSchema } from '../../src/config.ts';
import { WebhookSecrets } from '../../src/domain/secrets.ts';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  REDIS_URL: 'redis://127.0.0.1:6379',
  INGEST_PSEUDONYM_KEY: 'a-long-enough-key-123',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(ingestConfigSchema, { ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('ingest configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig(ingestConfigSchema, base);
    expect(c).toMatchObject({
      HTTP_PORT: 8080,
      INGEST_MAX_BODY_BYTES: 25 * 1024 * 1024,
      INGEST_PUBLISH_TIMEOUT: 5000,
      INGEST_TOPIC_COMMITS: 'scm.commits.v1',
    });
    expect(c.INGEST_DEDUP_WINDOW).toBe(7 * 24 * 3600 * 1000);
    expect(c.INGEST_PUSH_COMPLETION_MAX).toBe(3000);
  });

  it('refuses bad values naming the variable', () => {
    expect(refusal({ INGEST_PSEUDONYM_KEY: 'short' })).toContain(
      'INGEST_PSEUDONYM_KEY: expected a secret of at least 16 characters',
    );
    expect(refusal({ INGEST_REPO_SECRETS: '{"svn:a/b": "x"}' })).toMatch(
      /^INGEST_REPO_SECRETS: expected a JSON object .*key "svn:a\/b" must be github:owner\/name/,
    );
    expect(refusal({ INGEST_GIT_MIRRORS: 'github:a/b' })).toContain('INGEST_GIT_MIRRORS: expected');
    expect(refusal({ INGEST_MAX_BODY_BYTES: '10' })).toContain('INGEST_MAX_BODY_BYTES');
    expect(refusal({ INGEST_PUSH_COMPLETION_MAX: '-1' })).toContain('INGEST_PUSH_COMPLETION_MAX');
  });

  it('gives a repository with its own secret only that secret', () => {
    const c = loadConfig(ingestConfigSchema, { ...base, INGEST_REPO_SECRETS: '{"github:Acme/Own": ["old", "new"]}' });
    const secrets = new WebhookSecrets({ github: ['global'], perRepo: c.INGEST_REPO_SECRETS });
    expect(secrets.forRepo('github', 'acme/own')).toEqual(['old', 'new']);
    expect(secrets.forRepo('github', 'acme/other')).toEqual(['global']);
    expect(secrets.forRepo('gitlab', 'acme/own')).toEqual([]);
    expect(secrets.configured('gitlab')).toBe(false);
  });
});
