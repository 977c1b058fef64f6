// Who is calling: the `authorization: Bearer <credential>` header turned into a principal. Two
// kinds of credential: the static ADMIN_TOKEN (one shared secret, kept for local use; it holds
// `admin`), and signed JWTs from an identity provider (jose: keys from a JWKS URL or one
// configured public key; issuer, audience, expiry and not-before checked) carrying roles.
// Refusals say precisely what is wrong without echoing the credential.
import { createHash, createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isRole, type Role } from './roles.ts';

export interface Principal {
  /** Stable id of the caller: the JWT's `sub`, or `admin-token` for the static token. */
  subject: string;
  roles: Role[];
  via: 'static-token' | 'jwt';
  /** The JWT's issuer (absent for the static token). */
  issuer?: string;
}

export interface JwtOptions {
  /** Required `iss`. */
  issuer: string;
  /** Required `aud` (one of the token's audiences). */
  audience: string;
  /** Where the issuer publishes its keys (fetched on demand, cached, refetched for an unknown `kid`). */
  jwksUrl?: string | undefined;
  /** One PEM public key (SPKI) instead of a JWKS URL. */
  publicKey?: string | undefined;
  /** The claim holding the roles: an array of strings or a space-separated string. @default 'roles' */
  rolesClaim?: string;
  /** Leeway for exp/nbf, seconds. @default 30 */
  clockToleranceSec?: number;
  /** Most time a JWKS fetch may take, ms. @default 5000 */
  jwksTimeoutMs?: number;
}

export interface AuthenticatorOptions {
  /** The static admin token (ADMIN_TOKEN). */
  adminToken?: string | { reveal(): string } | undefined;
  jwt?: JwtOptions | undefined;
}

/**
 * Stable reasons for a refusal (google.rpc.ErrorInfo.reason), what a client program switches on:
 * MISSING_CREDENTIAL (no authorization metadata), MALFORMED_CREDENTIAL (not exactly
 * "Bearer <token>"), INVALID_CREDENTIAL (neither the admin token nor a JWT that verifies),
 * EXPIRED_CREDENTIAL, AUTH_NOT_CONFIGURED (this server verifies no credential at all),
 * ROLE_REQUIRED (valid, but lacking the method's role), CREDENTIAL_UNVERIFIABLE (the issuer's
 * keys could not be fetched now; retry).
 */
export const AUTH_REFUSAL_REASONS = [
  'MISSING_CREDENTIAL',
  'MALFORMED_CREDENTIAL',
  'INVALID_CREDENTIAL',
  'EXPIRED_CREDENTIAL',
  'AUTH_NOT_CONFIGURED',
  'ROLE_REQUIRED',
  'CREDENTIAL_UNVERIFIABLE',
] as const;
export type AuthRefusalReason = (typeof AUTH_REFUSAL_REASONS)[number];

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'UNAVAILABLE';
      reason: AuthRefusalReason;
      message: string;
    };

export interface Authenticator {
  /** Whether any credential can be verified here (a token or a JWT key source is configured). */
  readonly configured: boolean;
  /** Checks an `authorization` header value. Never throws. */
  authenticate(header: string): Promise<AuthOutcome>;
}

// Only asymmetric algorithms: a verifier that accepted HS256 with a public key as the secret
// could be handed tokens signed with that (public) key.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Three base64url segments: what a compact JWS looks like (the static token is hex or free text). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The credential in a header value, or the precise reason there is none. Whitespace around the
 * credential (a token pasted with its trailing newline) is refused with its own message rather
 * than trimmed: a silently repaired token would hide the misconfiguration on the caller's side.
 */
export function parseBearer(header: string): { credential: string } | { problem: string } {
  const m = /^([A-Za-z]+) ?(.*)$/s.exec(header);
  if (!m || m[1]!.toLowerCase() !== 'bearer') return { problem: 'authorization metadata must be "Bearer <token>"' };
  const rest = m[2]!;
  if (rest.trim() === '') return { problem: 'authorization metadata "Bearer" carries no token' };
  const leading = rest.length - rest.trimStart().length;
  const trailing = rest.length - rest.trimEnd().length;
  if (leading > 0 || trailing > 0) {
    return {
      problem: `the bearer token has whitespace around it (${leading} character(s) before, ${trailing} after); send exactly "Bearer <token>", with one space and no trailing newline`,
    };
  }
  if (/\s/.test(rest)) return { problem: 'the bearer token contains whitespace; send exactly "Bearer <token>"' };
  return { credential: rest };
}

function rolesOf(payload: JWTPayload, claim: string): Role[] {
  const raw = payload[claim];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  // Roles this server does not know (another system's) are ignored, not an error.
  return [...new Set(list.filter(isRole))];
}

function jwtRefusal(err: unknown): AuthOutcome {
  const refuse = (message: string): AuthOutcome => ({
    ok: false,
    code: 'UNAUTHENTICATED',
    reason: 'INVALID_CREDENTIAL',
    message,
  });
  if (err instanceof joseErrors.JWTExpired)
    return { ok: false, code: 'UNAUTHENTICATED', reason: 'EXPIRED_CREDENTIAL', message: 'the token has expired' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return refuse("the token's issuer (iss) is not the one this server trusts");
      case 'aud':
        return refuse("the token's audience (aud) does not include this server");
      case 'nbf':
        return refuse('the token is not valid yet (nbf)');
      case 'exp':
        return refuse('the token carries no valid expiry (exp)');
      case 'sub':
        return refuse('the token names no subject (sub)');
      default:
        return refuse(`the token's ${err.claim} claim is not acceptable`);
    }
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return refuse("the token's signature does not verify");
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return refuse('no key of the trusted issuer matches the token (kid/alg)');
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return refuse('the token is signed with an algorithm this server does not accept');
  if (
    err instanceof joseErrors.JWKSTimeout ||
    err instanceof joseErrors.JWKSInvalid ||
    (err instanceof Error && err.name === 'TypeError')
  ) {
    return {
      ok: false,
      code: 'UNAVAILABLE',
      reason: 'CREDENTIAL_UNVERIFIABLE',
      message: "the identity provider's keys (JWKS) could not be fetched; retry",
    };
  }
  if (err instanceof joseErrors.JOSEError) return refuse('the token is not a valid signed JWT');
  return {
    ok: false,
    code: 'UNAVAILABLE',
    reason: 'CREDENTIAL_UNVERIFIABLE',
    message: 'the token could not be verified now; retry',
  };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const token =
    options.adminToken === undefined
      ? undefined
      : typeof options.adminToken === 'string'
        ? options.adminToken
        : options.adminToken.reveal();
  const expected = token === undefined ? undefined : digest(token);
  const jwt = options.jwt;
  let keys: JWTVerifyGetKey | KeyObject | undefined;
  if (jwt?.jwksUrl) keys = createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: jwt.jwksTimeoutMs ?? 5000 });
  else if (jwt?.publicKey) keys = createPublicKey(jwt.publicKey);
  const rolesClaim = jwt?.rolesClaim ?? 'roles';

  const configured = expected !== undefined || keys !== undefined;
  return {
    configured,
    async authenticate(header) {
      const parsed = parseBearer(header);
      if ('problem' in parsed)
        return { ok: false, code: 'UNAUTHENTICATED', reason: 'MALFORMED_CREDENTIAL', message: parsed.problem };
      const credential = parsed.credential;
      // Compared as SHA-256 digests with timingSafeEqual: constant time, equal length whatever was sent.
      if (expected !== undefined && timingSafeEqual(digest(credential), expected)) {
        return { ok: true, principal: { subject: 'admin-token', roles: ['admin'], via: 'static-token' } };
      }
      if (keys !== undefined && jwt && JWT_SHAPE.test(credential)) {
        try {
          const verifyOptions = {
            issuer: jwt.issuer,
            audience: jwt.audience,
            algorithms: ALGORITHMS,
            clockTolerance: jwt.clockToleranceSec ?? 30,
            requiredClaims: ['exp', 'sub'],
          };
          const { payload } =
            typeof keys === 'function'
              ? await jwtVerify(credential, keys, verifyOptions)
              : await jwtVerify(credential, keys, verifyOptions);
          return {
            ok: true,
            principal: { subject: payload.sub!, roles: rolesOf(payload, rolesClaim), via: 'jwt', issuer: payload.iss! },
          };
        } catch (err) {
          return jwtRefusal(err);
        }
      }
      if (!configured)
        return {
          ok: false,
          code: 'PERMISSION_DENIED',
          reason: 'AUTH_NOT_CONFIGURED',
          message: 'protected methods are disabled on this server (no admin token configured, and no JWT issuer)',
        };
      return {
        ok: false,
        code: 'PERMISSION_DENIED',
        reason: 'INVALID_CREDENTIAL',
        message: 'the bearer token is not valid for this method',
      };
    },
  };
}
