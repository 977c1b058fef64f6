import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const githubHeaderPattern = /^sha256=[0-9a-f]{64}$/;

/** The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`. */
export function githubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks `X-Hub-Signature-256` against every candidate secret (several while a secret is being
 * rotated). Each comparison is constant-time over the digest, so timing reveals nothing about
 * how many leading characters matched.
 */
export function verifyGithubSignature(
  body: Uint8Array,
  header: string | undefined,
  secrets: readonly string[],
): VerifyResult {
  if (header === undefined || header === '') return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const given = header.trim().toLowerCase();
  if (!githubHeaderPattern.test(given)) {
    return { ok: false, reason: 'X-Hub-Signature-256 must be "sha256=" followed by 64 hex digits' };
  }
  if (secrets.length === 0) return { ok: false, reason: 'no webhook secret is configured for this repository' };
  // The digests compared as their 32 bytes: the body is hashed where it lies (no copy) and no
  // hex string is built per secret.
  const givenBytes = Buffer.from(given.slice('sha256='.length), 'hex');
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // Lengths are equal by construction (pattern above: 64 hex digits); every secret is tried
    // so the time spent does not depend on which one matched.
    if (timingSafeEqual(expected, givenBytes)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'X-Hub-Signature-256 does not match the payload' };
}

/**
 * Checks `X-Gitlab-Token`. GitLab sends the shared secret itself, so both sides are hashed to a
 * fixed length first: timingSafeEqual needs equal lengths, and comparing raw lengths would leak
 * the secret's length.
 */
export function verifyGitlabToken(header: string | undefined, secrets: readonly string[]): VerifyResult {
  if (header === undefined || header === '') return { ok: false, reason: 'missing X-Gitlab-Token header' };
  if (secrets.length === 0) return { ok: false, reason: 'no webhook secret is configured for this project' };
  const given = createHash('sha256').update(header, 'utf8').digest();
  let match = false;
  for (const secret of secrets) {
    const expected = createHash('sha256').update(secret, 'utf8').digest();
    if (timingSafeEqual(expected, given)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'X-Gitlab-Token does not match' };
}
