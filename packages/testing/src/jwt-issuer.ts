// A stand-in identity provider for tests of JWT auth: its own EC key pair, tokens signed with it,
// its public key as PEM (AUTH_JWT_PUBLIC_KEY) and as a JWKS served on loopback (AUTH_JWT_JWKS_URL).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { SignJWT, exportJWK } from 'jose';
import type { Cleanup } from './cleanup.ts';

export interface TestTokenOptions {
  roles?: string[];
  subject?: string;
  /** @default the issuer's */
  issuer?: string;
  /** @default the issuer's */
  audience?: string;
  /** Expiry, epoch seconds. @default now + 5 minutes */
  expiresAt?: number;
  /** @default 'test-key' */
  kid?: string;
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  /** SPKI PEM of the signing key. */
  publicKeyPem: string;
  token(options?: TestTokenOptions): Promise<string>;
  /** Serves `{ keys: [...] }` on 127.0.0.1 until the test's cleanup runs; resolves with its URL. */
  serveJwks(cleanup: Cleanup): Promise<string>;
}

export function createTestIssuer(issuer = 'https://idp.omen.test', audience = 'omen'): TestIssuer {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    issuer,
    audience,
    publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    token(o = {}) {
      return new SignJWT(o.roles ? { roles: o.roles } : {})
        .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'test-key' })
        .setIssuer(o.issuer ?? issuer)
        .setAudience(o.audience ?? audience)
        .setSubject(o.subject ?? 'alice@example.com')
        .setIssuedAt()
        .setExpirationTime(o.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
        .sign(keys.privateKey);
    },
    async serveJwks(cleanup) {
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
      const server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
    },
  };
}
