// The credentials a fuzz case calls with, and what the auth interceptor must answer to each on
// each method: the role table (METHOD_ROLES) is the specification, so a method whose role is
// wrong in the code, or a refusal without google.rpc.Status details, fails the fuzz.
import * as grpc from '@grpc/grpc-js';
import { AUTH_REFUSAL_REASONS, METHOD_ROLES, grants, type Role } from '@omen/auth';
import { ERROR_DOMAIN, STATUS_DETAILS_KEY, decodeStatusDetails } from '@omen/errors';
import type { TestIssuer } from '@omen/testing';

/** How a case authenticates. */
export const CREDENTIALS = [
  'none',
  'admin',
  'wrong',
  'malformed',
  'padded',
  'jwt-reader',
  'jwt-operator',
  'jwt-admin',
  'jwt-expired',
  'jwt-wrong-issuer',
  'jwt-wrong-audience',
  'jwt-alg-none',
] as const;
export type Credential = (typeof CREDENTIALS)[number];

/** The `authorization` values a case may send, minted once per mesh (JWTs from the test issuer). */
export type CredentialHeaders = Readonly<Record<Exclude<Credential, 'none' | 'malformed' | 'padded'>, string>>;

// Header values that are not "Bearer <token>": extra spaces, another scheme, no token, a bare token.
const MALFORMED = ['Bearer  {t} extra', 'Basic dXNlcjpwYXNz', 'Bearer', '{t}', 'bearer{t}', 'Bearer {t} extra'];
// The admin token with whitespace at either end (a token pasted with a space). HTTP/2 forbids
// such a field value (RFC 9113 §8.2.1) and it never reaches the server: the call arrives without
// the header, so it must be treated exactly as one without a credential.
const PADDED = ['Bearer {t} ', ' Bearer {t}'];

/** The roles each valid credential holds. */
const HOLDS: Partial<Record<Credential, Role[]>> = {
  admin: ['admin'],
  'jwt-reader': ['reader'],
  'jwt-operator': ['operator'],
  'jwt-admin': ['admin'],
};

/** Mints every credential's header for a mesh whose services trust `issuer` and hold `adminToken`. */
export async function credentialHeaders(adminToken: string, issuer: TestIssuer): Promise<CredentialHeaders> {
  // Valid for the longest fuzz run (a bench of thousands of cases), expired an hour ago.
  const exp = Math.floor(Date.now() / 1000) + 6 * 3600;
  const jwt = async (o: Parameters<TestIssuer['token']>[0]) =>
    `Bearer ${await issuer.token({ expiresAt: exp, subject: 'fuzz@omen.test', ...o })}`;
  return {
    admin: `Bearer ${adminToken}`,
    wrong: 'Bearer not-the-token',
    'jwt-reader': await jwt({ roles: ['reader'] }),
    'jwt-operator': await jwt({ roles: ['operator'] }),
    'jwt-admin': await jwt({ roles: ['admin'] }),
    'jwt-expired': await jwt({ roles: ['admin'], expiresAt: Math.floor(Date.now() / 1000) - 3600 }),
    'jwt-wrong-issuer': await jwt({ roles: ['admin'], issuer: 'https://attacker.example' }),
    'jwt-wrong-audience': await jwt({ roles: ['admin'], audience: 'another-service' }),
    // {"alg":"none"}.{} with no signature: the classic forgery a verifier must refuse.
    'jwt-alg-none': 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJmdXp6Iiwicm9sZXMiOlsiYWRtaW4iXX0.',
  };
}

/** The request metadata of a case; `variant` picks among the malformed headers. */
export function credentialMetadata(credential: Credential, headers: CredentialHeaders, variant = 0): grpc.Metadata {
  const md = new grpc.Metadata();
  const token = headers.admin.slice('Bearer '.length);
  if (credential === 'malformed') md.set('authorization', MALFORMED[variant % MALFORMED.length]!.replace('{t}', token));
  else if (credential === 'padded') md.set('authorization', PADDED[variant % PADDED.length]!.replace('{t}', token));
  else if (credential !== 'none') md.set('authorization', headers[credential]);
  return md;
}

/** What the auth interceptor must do: let the call through to the handler, or refuse it so. */
export type AuthExpectation =
  { admitted: true } | { admitted: false; code: grpc.status; reason: (typeof AUTH_REFUSAL_REASONS)[number] };

/**
 * The answer METHOD_ROLES asks for. `reader` methods are open unless the server requires auth
 * on every method, but a credential that is presented is verified even there (a bad one is
 * refused rather than ignored).
 */
export function expectedAuth(path: string, credential: Credential, requireAuth: boolean): AuthExpectation {
  const role = METHOD_ROLES[path];
  const needed = role === 'reader' && !requireAuth ? undefined : role;
  const refuse = (code: grpc.status, reason: (typeof AUTH_REFUSAL_REASONS)[number]): AuthExpectation => ({
    admitted: false,
    code,
    reason,
  });
  switch (credential) {
    case 'none':
    case 'padded':
      return needed === undefined ? { admitted: true } : refuse(grpc.status.UNAUTHENTICATED, 'MISSING_CREDENTIAL');
    case 'malformed':
      return refuse(grpc.status.UNAUTHENTICATED, 'MALFORMED_CREDENTIAL');
    case 'wrong':
      return refuse(grpc.status.PERMISSION_DENIED, 'INVALID_CREDENTIAL');
    case 'jwt-expired':
      return refuse(grpc.status.UNAUTHENTICATED, 'EXPIRED_CREDENTIAL');
    case 'jwt-wrong-issuer':
    case 'jwt-wrong-audience':
    case 'jwt-alg-none':
      return refuse(grpc.status.UNAUTHENTICATED, 'INVALID_CREDENTIAL');
    default:
      return needed === undefined || grants(HOLDS[credential] ?? [], needed)
        ? { admitted: true }
        : refuse(grpc.status.PERMISSION_DENIED, 'ROLE_REQUIRED');
  }
}

const AUTH_REASONS: ReadonlySet<string> = new Set(AUTH_REFUSAL_REASONS);

/**
 * What is wrong with how an outcome treated the credential, or nothing: refused when it should
 * pass (or the reverse), another code or reason than the expected one, a ROLE_REQUIRED that does
 * not name the method's role. An auth refusal is told apart from a handler's error by its
 * ErrorInfo reason, which every refusal must carry.
 */
export function authProblemsOf(
  path: string,
  credential: Credential,
  requireAuth: boolean,
  outcome: { code: grpc.status; metadata: grpc.Metadata },
): string[] {
  const expected = expectedAuth(path, credential, requireAuth);
  const bin = outcome.metadata.get(STATUS_DETAILS_KEY)[0];
  const info = bin instanceof Buffer ? decodeStatusDetails(bin)?.errorInfo : undefined;
  const refused = info !== undefined && info.domain === ERROR_DOMAIN && AUTH_REASONS.has(info.reason);
  const name = (c: grpc.status) => grpc.status[c] ?? String(c);
  if (expected.admitted)
    return refused
      ? [`refused (${name(outcome.code)} ${info.reason}) although METHOD_ROLES lets this credential call it`]
      : [];
  if (!refused) {
    return [
      outcome.code === expected.code
        ? `${name(outcome.code)} without an auth ErrorInfo reason (want ${expected.reason})`
        : `got past auth (${name(outcome.code)}); want ${name(expected.code)} ${expected.reason}`,
    ];
  }
  const problems: string[] = [];
  if (outcome.code !== expected.code || info.reason !== expected.reason)
    problems.push(`refused with ${name(outcome.code)} ${info.reason}; want ${name(expected.code)} ${expected.reason}`);
  const needed = METHOD_ROLES[path];
  if (needed !== undefined && info.metadata['required_role'] !== needed && (requireAuth || needed !== 'reader'))
    problems.push(
      `the refusal names required_role ${info.metadata['required_role'] ?? 'none'}; METHOD_ROLES says ${needed}`,
    );
  return problems;
}
