import { describe, expect, it } from 'vitest';
import { githubSignature, verifyGithubSignature, verifyGitlabToken } from '../../../src/domain/signature.ts';

const body = Buffer.from('{"zen":"Keep it logically awesome."}');

describe('verifyGithubSignature', () => {
  it('accepts the HMAC-SHA256 of the exact body', () => {
    expect(verifyGithubSignature(body, githubSignature('s3cret', body), ['s3cret'])).toEqual({ ok: true });
  });

  it("matches the test vector in GitHub's webhook docs", () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody",
    // payload "Hello, World!".
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifyGithubSignature(Buffer.from('Hello, World!'), header, ["It's a Secret to Everybody"])).toEqual({
      ok: true,
    });
  });

  it('accepts any of several secrets (rotation) and upper-case hex', () => {
    const header = githubSignature('new', body).toUpperCase().replace('SHA256=', 'sha256=');
    expect(verifyGithubSignature(body, header, ['old', 'new']).ok).toBe(true);
  });

  it('refuses a changed body, a wrong secret, a missing or malformed header', () => {
    const header = githubSignature('s3cret', body);
    expect(verifyGithubSignature(Buffer.from(`${body.toString()} `), header, ['s3cret'])).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 does not match the payload',
    });
    expect(verifyGithubSignature(body, header, ['other']).ok).toBe(false);
    expect(verifyGithubSignature(body, undefined, ['s3cret'])).toEqual({
      ok: false,
      reason: 'missing X-Hub-Signature-256 header',
    });
    expect(verifyGithubSignature(body, 'sha1=abc', ['s3cret'])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('64 hex'),
    });
    expect(verifyGithubSignature(body, header, [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no webhook secret'),
    });
  });
});

describe('verifyGitlabToken', () => {
  it('accepts the configured token and refuses others of any length', () => {
    expect(verifyGitlabToken('tok-123', ['tok-123'])).toEqual({ ok: true });
    expect(verifyGitlabToken('tok-12', ['tok-123'])).toEqual({ ok: false, reason: 'X-Gitlab-Token does not match' });
    expect(verifyGitlabToken('tok-1234', ['tok-123']).ok).toBe(false);
    expect(verifyGitlabToken(undefined, ['tok-123'])).toEqual({ ok: false, reason: 'missing X-Gitlab-Token header' });
    expect(verifyGitlabToken('x', []).ok).toBe(false);
  });
});
