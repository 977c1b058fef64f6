// Credentials over the wire: the static admin token, JWTs checked against a configured key and
// against a JWKS URL, roles per method, precise refusals, and audit records of audited calls.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_DOMAIN, STATUS_DETAILS_KEY, decodeStatusDetails, fromGrpcError } from '@omen/errors';
import { createLogger } from '@omen/telemetry';
import { createTestIssuer } from '@omen/testing';
import {
  annotateAudit,
  callUnary,
  callerOf,
  createClient,
  createGrpcServer,
  loadProto,
  unary,
  type AuditRecord,
  type GrpcServer,
} from '@omen/grpc';

const proto = loadProto(path.join(import.meta.dirname, '../fixtures/echo.proto'));
const Echo = proto.client('omen.test.v1.Echo');
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const idp = createTestIssuer('https://idp.test', 'omen-test');
const ISSUER = idp.issuer;
const roles = {
  '/omen.test.v1.Echo/Say': 'reader',
  '/omen.test.v1.Echo/Slow': 'operator',
  '/omen.test.v1.Echo/Reset': 'admin',
} as const;

function jwt(
  claims: { roles?: string[] },
  o: { iss?: string; aud?: string; expSec?: number; kid?: string } = {},
): Promise<string> {
  return idp.token({
    ...claims,
    ...(o.iss ? { issuer: o.iss } : {}),
    ...(o.aud ? { audience: o.aud } : {}),
    ...(o.expSec ? { expiresAt: o.expSec } : {}),
    ...(o.kid ? { kid: o.kid } : {}),
  });
}

async function outcome(
  address: string,
  method: string,
  token: string | undefined,
  metadata?: grpc.Metadata,
): Promise<{ code: number; details: string; reply?: unknown; error?: grpc.ServiceError }> {
  const client = createClient(Echo, address, token === undefined ? {} : { token });
  try {
    const reply = await callUnary(
      client,
      method,
      method === 'Slow' ? { wait_ms: 1 } : { text: 'hi' },
      metadata ? { metadata } : {},
    );
    return { code: grpc.status.OK, details: '', reply };
  } catch (err) {
    const e = err as grpc.ServiceError;
    // Not enumerable: toEqual on { code, details } still compares just those two.
    return Object.defineProperty({ code: e.code, details: e.details }, 'error', { value: e, enumerable: false });
  } finally {
    client.close();
  }
}

async function startEcho(
  options: { jwks?: string; requireAuth?: 'admin' | 'all' },
  audit: AuditRecord[],
): Promise<{ server: GrpcServer; address: string }> {
  const server = createGrpcServer({
    service: 't',
    logger: createLogger({ service: 't', level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    jwt: {
      issuer: ISSUER,
      audience: idp.audience,
      ...(options.jwks ? { jwksUrl: options.jwks } : { publicKey: idp.publicKeyPem }),
    },
    requireAuth: options.requireAuth ?? 'admin',
    methodRoles: roles,
    auditedMethods: new Set(['/omen.test.v1.Echo/Slow', '/omen.test.v1.Echo/Reset']),
  });
  server.setAuditSink((r) => audit.push(r));
  const whoAmI = (_req: unknown, ctx: { metadata: grpc.Metadata }) => ({
    text: callerOf(ctx.metadata)?.subject ?? 'anonymous',
  });
  server.addService(proto.service('omen.test.v1.Echo'), {
    Say: unary(whoAmI),
    Slow: unary(whoAmI),
    Count: unary(() => ({})),
    Sum: unary(() => ({})),
    Reset: unary((_req, ctx) => {
      annotateAudit(ctx.metadata, { model_version: 'v7' });
      return { done: true };
    }),
  });
  const port = await server.start('127.0.0.1', 0);
  return { server, address: `127.0.0.1:${port}` };
}

describe('JWT and static-token auth on a gRPC server (configured public key)', () => {
  const audit: AuditRecord[] = [];
  let s: { server: GrpcServer; address: string };
  beforeAll(async () => {
    s = await startEcho({}, audit);
  });
  afterAll(async () => {
    await s.server.shutdown(500);
  });

  it('lets roles through per method: reader reads, operator trains, admin administers', async () => {
    const reader = await jwt({ roles: ['reader'] });
    const operator = await jwt({ roles: ['operator'] });
    const admin = await jwt({ roles: ['admin'] });
    expect(await outcome(s.address, 'Say', reader)).toMatchObject({
      code: grpc.status.OK,
      reply: { text: 'alice@example.com' },
    });
    expect(await outcome(s.address, 'Say', undefined)).toMatchObject({
      code: grpc.status.OK,
      reply: { text: 'anonymous' },
    });
    expect(await outcome(s.address, 'Slow', operator)).toMatchObject({ code: grpc.status.OK });
    expect(await outcome(s.address, 'Slow', reader)).toEqual({
      code: grpc.status.PERMISSION_DENIED,
      details: 'this method needs the operator role; the caller has reader',
    });
    expect(await outcome(s.address, 'Reset', operator)).toEqual({
      code: grpc.status.PERMISSION_DENIED,
      details: 'this method needs the admin role; the caller has operator',
    });
    expect(await outcome(s.address, 'Reset', admin)).toMatchObject({ code: grpc.status.OK });
    expect(await outcome(s.address, 'Reset', ADMIN_TOKEN)).toMatchObject({ code: grpc.status.OK });
    expect(await outcome(s.address, 'Reset', undefined)).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it('refuses a wrong issuer, a wrong audience and an expired token with UNAUTHENTICATED, even on an open method', async () => {
    const cases: Array<[string, RegExp]> = [
      [await jwt({ roles: ['admin'] }, { iss: 'https://other.test' }), /issuer \(iss\)/],
      [await jwt({ roles: ['admin'] }, { aud: 'billing' }), /audience \(aud\)/],
      [await jwt({ roles: ['admin'] }, { expSec: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ];
    for (const [token, message] of cases) {
      for (const method of ['Reset', 'Say']) {
        const got = await outcome(s.address, method, token);
        expect(got.code, `${method} ${String(message)}`).toBe(grpc.status.UNAUTHENTICATED);
        expect(got.details).toMatch(message);
      }
    }
  });

  it('issue 11: a token with surrounding whitespace gets a precise message', async () => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer  ${ADMIN_TOKEN}`);
    const got = await outcome(s.address, 'Reset', undefined, md);
    expect(got.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(got.details).toMatch(/whitespace around it \(1 character\(s\) before, 0 after\)/);
    expect(got.details).not.toContain(ADMIN_TOKEN);
  });

  // Found by the contract fuzz: "Bearer <token> " (a trailing space) never reaches the server —
  // HTTP/2 drops the whole field — so the precise whitespace message above cannot fire; the call
  // is anonymous (admitted on an open method) and a protected one must say why nothing arrived.
  it('finding: a token with a space at either end arrives as no header at all; the refusal names that cause', async () => {
    for (const value of [`Bearer ${ADMIN_TOKEN} `, ` Bearer ${ADMIN_TOKEN}`]) {
      const md = new grpc.Metadata();
      md.set('authorization', value);
      const got = await outcome(s.address, 'Reset', undefined, md);
      expect(got.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(fromGrpcError(got.error).reason).toBe('MISSING_CREDENTIAL');
      expect(got.details).toMatch(/none arrived \(HTTP\/2 drops a header value that starts or ends with whitespace/);
      expect(await outcome(s.address, 'Say', undefined, md)).toMatchObject({
        code: grpc.status.OK,
        reply: { text: 'anonymous' },
      });
    }
  });

  it('auth refusals carry google.rpc.Status details like every other error: reason, domain, the role needed', async () => {
    const malformed = new grpc.Metadata();
    malformed.set('authorization', 'Basic abc');
    const cases: Array<
      [string, string | undefined, grpc.Metadata | undefined, number, string, Record<string, string>]
    > = [
      ['none', undefined, undefined, grpc.status.UNAUTHENTICATED, 'MISSING_CREDENTIAL', { required_role: 'admin' }],
      ['malformed', undefined, malformed, grpc.status.UNAUTHENTICATED, 'MALFORMED_CREDENTIAL', {}],
      ['wrong token', 'not-the-token', undefined, grpc.status.PERMISSION_DENIED, 'INVALID_CREDENTIAL', {}],
      [
        'expired',
        await jwt({ roles: ['admin'] }, { expSec: Math.floor(Date.now() / 1000) - 3600 }),
        undefined,
        grpc.status.UNAUTHENTICATED,
        'EXPIRED_CREDENTIAL',
        {},
      ],
      [
        'wrong issuer',
        await jwt({ roles: ['admin'] }, { iss: 'https://other.test' }),
        undefined,
        grpc.status.UNAUTHENTICATED,
        'INVALID_CREDENTIAL',
        {},
      ],
      [
        'reader',
        await jwt({ roles: ['reader'] }),
        undefined,
        grpc.status.PERMISSION_DENIED,
        'ROLE_REQUIRED',
        { required_role: 'admin' },
      ],
    ];
    for (const [name, token, md, code, reason, info] of cases) {
      const got = await outcome(s.address, 'Reset', token, md);
      expect(got.code, name).toBe(code);
      const back = fromGrpcError(got.error);
      expect(back.reason, name).toBe(reason);
      expect(back.info, name).toMatchObject({ method: '/omen.test.v1.Echo/Reset', required_role: 'admin', ...info });
      const rich = decodeStatusDetails(got.error!.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
      expect(rich, name).toMatchObject({ code, message: got.details, errorInfo: { domain: ERROR_DOMAIN, reason } });
    }
  });

  it('records audited calls — admitted and refused — with who, what, outcome, request id and handler details', async () => {
    audit.length = 0;
    const md = new grpc.Metadata();
    md.set('x-request-id', 'req-42');
    await outcome(s.address, 'Reset', await jwt({ roles: ['admin'] }), md);
    await outcome(s.address, 'Reset', await jwt({ roles: ['reader'] }));
    await outcome(s.address, 'Reset', undefined);
    await outcome(s.address, 'Say', ADMIN_TOKEN); // not audited
    expect(audit.map((r) => [r.method, r.principal?.subject ?? null, r.outcome])).toEqual([
      ['/omen.test.v1.Echo/Reset', 'alice@example.com', 'OK'],
      ['/omen.test.v1.Echo/Reset', 'alice@example.com', 'PERMISSION_DENIED'],
      ['/omen.test.v1.Echo/Reset', null, 'UNAUTHENTICATED'],
    ]);
    expect(audit[0]).toMatchObject({
      requestId: 'req-42',
      details: { model_version: 'v7' },
      principal: { via: 'jwt', roles: ['admin'], issuer: ISSUER },
    });
    expect(audit[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('JWT keys from a JWKS URL', () => {
  const audit: AuditRecord[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let s: { server: GrpcServer; address: string };
  beforeAll(async () => {
    const url = await idp.serveJwks((fn) => cleanups.push(fn));
    s = await startEcho({ jwks: url, requireAuth: 'all' }, audit);
  });
  afterAll(async () => {
    await s.server.shutdown(500);
    for (const fn of cleanups) await fn();
  });

  it('accepts a token whose kid the JWKS lists; with GRPC_REQUIRE_AUTH every method needs a credential', async () => {
    expect(await outcome(s.address, 'Say', await jwt({ roles: ['reader'] }, {}))).toMatchObject({
      code: grpc.status.OK,
      reply: { text: 'alice@example.com' },
    });
    expect(await outcome(s.address, 'Say', undefined)).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // A JWT holding no role is someone, but not a reader.
    expect(await outcome(s.address, 'Say', await jwt({}, {}))).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: 'this method needs the reader role; the caller has no role',
    });
    expect(await outcome(s.address, 'Say', await jwt({ roles: ['reader'] }, { kid: 'other-key' }))).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/no key of the trusted issuer/),
    });
  });
});

describe('an identity provider that cannot be reached', () => {
  let s: { server: GrpcServer; address: string };
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, the key fetch fails at once.
    s = await startEcho({ jwks: 'http://127.0.0.1:1/.well-known/jwks.json' }, []);
  });
  afterAll(async () => {
    await s.server.shutdown(500);
  });

  it('answers UNAVAILABLE with reason CREDENTIAL_UNVERIFIABLE in google.rpc.Status details, so a client retries', async () => {
    const got = await outcome(s.address, 'Reset', await jwt({ roles: ['admin'] }));
    expect(got.code).toBe(grpc.status.UNAVAILABLE);
    const rich = decodeStatusDetails(got.error!.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
    expect(rich).toMatchObject({
      code: grpc.status.UNAVAILABLE,
      errorInfo: { domain: ERROR_DOMAIN, reason: 'CREDENTIAL_UNVERIFIABLE', metadata: { required_role: 'admin' } },
    });
  });
});
