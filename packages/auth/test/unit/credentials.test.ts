import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, parseBearer, type AuthOutcome } from '../../src/index.ts';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'omen';
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const auth = createAuthenticator({ adminToken: ADMIN_TOKEN, jwt: { issuer: ISSUER, audience: AUDIENCE, publicKey } });

async function token(
  claims: Record<string, unknown> = {},
  o: { iss?: string; aud?: string; exp?: number | string; sub?: string | null; key?: typeof keys.privateKey } = {},
): Promise<string> {
  let j = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(o.exp ?? '5m');
  if (o.sub !== null) j = j.setSubject(o.sub ?? 'alice');
  return j.sign(o.key ?? keys.privateKey);
}

const refusal = (o: AuthOutcome) => (o.ok ? 'accepted' : `${o.code}: ${o.message}`);

describe('parseBearer', () => {
  it('issue 11: a token with surrounding whitespace gets a precise message', () => {
    expect(parseBearer('Bearer abc')).toEqual({ credential: 'abc' });
    expect(parseBearer('bearer abc')).toEqual({ credential: 'abc' });
    expect(parseBearer('Bearer abc\n')).toEqual({
      problem: expect.stringMatching(/whitespace around it \(0 character\(s\) before, 1 after\)/),
    });
    expect(parseBearer('Bearer  abc')).toEqual({
      problem: expect.stringMatching(/whitespace around it \(1 character\(s\) before, 0 after\)/),
    });
    expect(parseBearer('Bearer a bc')).toEqual({ problem: expect.stringMatching(/contains whitespace/) });
    expect(parseBearer('Bearer ')).toEqual({ problem: expect.stringMatching(/carries no token/) });
    expect(parseBearer('Basic abc')).toEqual({ problem: 'authorization metadata must be "Bearer <token>"' });
    // The credential itself is never echoed.
    expect(JSON.stringify(parseBearer('Bearer sekrit '))).not.toContain('sekrit');
  });
});

describe('createAuthenticator', () => {
  it('accepts the static admin token as the admin role', async () => {
    expect(await auth.authenticate(`Bearer ${ADMIN_TOKEN}`)).toEqual({
      ok: true,
      principal: { subject: 'admin-token', roles: ['admin'], via: 'static-token' },
    });
    expect(refusal(await auth.authenticate('Bearer not-the-token'))).toMatch(
      /^PERMISSION_DENIED: the bearer token is not valid/,
    );
  });

  it('accepts a signed JWT with issuer, audience and expiry, and reads its roles (array or space-separated; unknown ones ignored)', async () => {
    expect(await auth.authenticate(`Bearer ${await token({ roles: ['operator', 'cook'] })}`)).toEqual({
      ok: true,
      principal: { subject: 'alice', roles: ['operator'], via: 'jwt', issuer: ISSUER },
    });
    const spaced = await auth.authenticate(`Bearer ${await token({ roles: 'reader admin' })}`);
    expect(spaced.ok && spaced.principal.roles).toEqual(['reader', 'admin']);
    const none = await auth.authenticate(`Bearer ${await token()}`);
    expect(none.ok && none.principal.roles).toEqual([]);
  });

  it('refuses a wrong issuer, a wrong audience, an expired token, another key, no subject, and says which', async () => {
    expect(refusal(await auth.authenticate(`Bearer ${await token({}, { iss: 'https://evil.test' })}`))).toBe(
      "UNAUTHENTICATED: the token's issuer (iss) is not the one this server trusts",
    );
    expect(refusal(await auth.authenticate(`Bearer ${await token({}, { aud: 'someone-else' })}`))).toBe(
      "UNAUTHENTICATED: the token's audience (aud) does not include this server",
    );
    expect(
      refusal(await auth.authenticate(`Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 120 })}`)),
    ).toBe('UNAUTHENTICATED: the token has expired');
    expect(refusal(await auth.authenticate(`Bearer ${await token({}, { key: other.privateKey })}`))).toBe(
      "UNAUTHENTICATED: the token's signature does not verify",
    );
    expect(refusal(await auth.authenticate(`Bearer ${await token({}, { sub: null })}`))).toBe(
      'UNAUTHENTICATED: the token names no subject (sub)',
    );
  });

  it('refuses an unsigned token (alg none) and a symmetric one signed with the public key', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: now + 300, roles: ['admin'] })}.`;
    expect((await auth.authenticate(`Bearer ${unsigned}`)).ok).toBe(false);
    const hs = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicKey));
    expect((await auth.authenticate(`Bearer ${hs}`)).ok).toBe(false);
  });

  it('without any credential configured, refuses every token and says why', async () => {
    const bare = createAuthenticator({});
    expect(bare.configured).toBe(false);
    expect(refusal(await bare.authenticate(`Bearer ${ADMIN_TOKEN}`))).toMatch(
      /^PERMISSION_DENIED: .*no admin token configured/,
    );
  });
});
