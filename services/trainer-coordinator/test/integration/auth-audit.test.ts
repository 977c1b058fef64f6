// Issue 11 "who did what": the trainer accepts signed JWTs with roles beside the static admin
// token, refuses a wrong issuer, audience, an expired token and too small a role, and every admin
// call — admitted or refused — arrives in audit.events.v1 and the ClickHouse audit table with the
// caller's identity, on the real broker and ClickHouse.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, sql } from '@omen/clickhouse';
import { avroType, loadGrpcObject, type AuditEvent, type trainerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { readWireFrame } from '@omen/kafka';
import { createTestIssuer, randomName, readTopic, stackEnv } from '@omen/testing';
import { exportOnnx, trainLogistic } from '../../src/domain/index.ts';
import { makeDataset, gaussianRows } from '../helpers/fixtures.ts';
import { startTestTrainer, type TestTrainer } from '../helpers/service.ts';

const idp = createTestIssuer('https://idp.omen.test', 'omen-trainer');
const MODEL = `jit-audit-${Math.random().toString(16).slice(2, 10)}`;
const AUDIT_TABLE = randomName('audit').replace(/-/g, '_');
const RUN = randomName('req');
let t: TestTrainer;
const clients: grpc.Client[] = [];

function as(token: string | undefined): trainerV1.TrainerClient {
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const c = createClient(Trainer, `127.0.0.1:${t.svc.grpcPort}`, { deadlineMs: 30_000, ...(token ? { token } : {}) });
  clients.push(c);
  return c;
}

/** The status a call ends with (OK or the refusal), with x-request-id `<RUN>-<n>` so audit rows can be found. */
async function status(
  client: trainerV1.TrainerClient,
  method: string,
  req: unknown,
  n: number,
): Promise<{ code: number; details: string }> {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', `${RUN}-${n}`);
  try {
    await callUnary(client, method, req, { metadata });
    return { code: grpc.status.OK, details: '' };
  } catch (err) {
    return { code: (err as grpc.ServiceError).code, details: (err as grpc.ServiceError).details };
  }
}

function onnxModel(): Uint8Array {
  const names = ['ns', 'nd', 'nf', 'entropy', 'la', 'ld', 'lt', 'fix', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'];
  const rows = gaussianRows(100, names.length, 5);
  return exportOnnx(
    trainLogistic(
      makeDataset(
        names,
        rows,
        rows.map((r) => (r[4]! > 0 ? 1 : 0)),
      ),
      { log1p: [] },
    ),
  );
}

beforeAll(async () => {
  const kafka = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL');
  t = await startTestTrainer({
    AUTH_JWT_ISSUER: idp.issuer,
    AUTH_JWT_AUDIENCE: idp.audience,
    AUTH_JWT_PUBLIC_KEY: idp.publicKeyPem,
    KAFKA_BROKERS: kafka.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: kafka.SCHEMA_REGISTRY_URL,
    AUDIT_TABLE,
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.ch.command(sql`DROP TABLE IF EXISTS ${ident(AUDIT_TABLE)}`);
  await t?.close();
});

describe('issue 11: who did what — JWT roles and the audit trail on the trainer', () => {
  it('accepts JWTs by role, refuses wrong issuer, audience, expiry and role, and audits every admin call', async () => {
    const admin = as(await idp.token({ roles: ['admin'], subject: 'alice@example.com' }));
    const operator = as(await idp.token({ roles: ['operator'], subject: 'bob@example.com' }));
    const reader = as(await idp.token({ roles: ['reader'], subject: 'carol@example.com' }));
    const otherIssuer = as(await idp.token({ roles: ['admin'], issuer: 'https://evil.test', subject: 'mallory' }));
    const otherAudience = as(await idp.token({ roles: ['admin'], audience: 'billing', subject: 'mallory' }));
    const expired = as(
      await idp.token({ roles: ['admin'], expiresAt: Math.floor(Date.now() / 1000) - 3600, subject: 'mallory' }),
    );

    const importReq = { model_name: MODEL, onnx_model: Buffer.from(onnxModel()), feature_set: 'jit_change_metrics' };
    expect(await status(admin, 'ImportModel', importReq, 1)).toEqual({ code: grpc.status.OK, details: '' });
    expect(await status(reader, 'Promote', { model_name: MODEL, version: 'x' }, 2)).toEqual({
      code: grpc.status.PERMISSION_DENIED,
      details: 'this method needs the admin role; the caller has reader',
    });
    expect(await status(operator, 'Promote', { model_name: MODEL, version: 'x' }, 3)).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    // operator may cancel runs (this one does not exist: past auth, NOT_FOUND from the handler).
    expect(await status(operator, 'CancelRun', { run_id: 'run-none' }, 4)).toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    expect(await status(otherIssuer, 'Promote', { model_name: MODEL, version: 'x' }, 5)).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/issuer/),
    });
    expect(await status(otherAudience, 'Promote', { model_name: MODEL, version: 'x' }, 6)).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/audience/),
    });
    expect(await status(expired, 'Promote', { model_name: MODEL, version: 'x' }, 7)).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/expired/),
    });
    const versions = await callUnary<trainerV1.ListVersionsResponse__Output>(t.client, 'ListVersions', {
      model_name: MODEL,
    });
    const version = versions.versions[0]!.version;
    expect(await status(admin, 'Promote', { model_name: MODEL, version, reason: 'audited' }, 8)).toEqual({
      code: grpc.status.OK,
      details: '',
    });
    // Reads are not audited.
    expect(await status(reader, 'GetModel', { model_name: MODEL }, 9)).toEqual({ code: grpc.status.OK, details: '' });
    // The static admin token still works, as "admin-token".
    expect(await status(t.client, 'Promote', { model_name: MODEL, version }, 10)).toEqual({
      code: grpc.status.OK,
      details: '',
    });

    const expected = [
      [1, 'alice@example.com', 'jwt', '/omen.trainer.v1.Trainer/ImportModel', 'OK'],
      [2, 'carol@example.com', 'jwt', '/omen.trainer.v1.Trainer/Promote', 'PERMISSION_DENIED'],
      [3, 'bob@example.com', 'jwt', '/omen.trainer.v1.Trainer/Promote', 'PERMISSION_DENIED'],
      [4, 'bob@example.com', 'jwt', '/omen.trainer.v1.Trainer/CancelRun', 'NOT_FOUND'],
      [5, 'anonymous', 'none', '/omen.trainer.v1.Trainer/Promote', 'UNAUTHENTICATED'],
      [6, 'anonymous', 'none', '/omen.trainer.v1.Trainer/Promote', 'UNAUTHENTICATED'],
      [7, 'anonymous', 'none', '/omen.trainer.v1.Trainer/Promote', 'UNAUTHENTICATED'],
      [8, 'alice@example.com', 'jwt', '/omen.trainer.v1.Trainer/Promote', 'OK'],
      [10, 'admin-token', 'static-token', '/omen.trainer.v1.Trainer/Promote', 'OK'],
    ].map(([n, ...rest]) => [`${RUN}-${String(n)}`, ...rest]);

    // ClickHouse: the analyst's view (FINAL: a batch written twice counts once).
    type Row = {
      request_id: string;
      subject: string;
      auth: string;
      method: string;
      outcome: string;
      model_name: string | null;
      model_version: string | null;
      details_keys: string[];
      details_values: string[];
    };
    let rows: Row[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      rows = await t.ch
        .query<Row>(
          sql`SELECT request_id, subject, auth, method, outcome, model_name, model_version, details_keys, details_values FROM ${ident(AUDIT_TABLE)} FINAL WHERE startsWith(request_id, ${RUN}) ORDER BY event_time_ms, request_id`,
        )
        .catch(() => []);
      if (rows.length >= expected.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rows.map((r) => [r.request_id, r.subject, r.auth, r.method, r.outcome]).sort()).toEqual(
      [...expected].sort(),
    );
    const promoted = rows.find((r) => r.request_id === `${RUN}-8`)!;
    expect(promoted).toMatchObject({ model_name: MODEL, model_version: version });
    expect(Object.fromEntries(promoted.details_keys.map((k, i) => [k, promoted.details_values[i]]))).toMatchObject({
      alias: 'champion',
      reason: 'audited',
      changed: 'true',
    });
    // No credential ever lands in the trail.
    const everything = JSON.stringify(rows);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    expect(everything).not.toContain('test-admin-token');

    // Kafka: the same records on audit.events.v1, Avro in the Confluent wire format.
    const type = avroType('audit_event');
    const records = await readTopic('audit.events.v1', { timeoutMs: 10_000 });
    const events = records
      .map((r) => readWireFrame(r.value))
      .flatMap((f) => (f.ok ? [type.fromBuffer(f.payload) as AuditEvent] : []))
      .filter((e) => e.request_id.startsWith(RUN));
    expect(events.map((e) => [e.request_id, e.subject, e.auth, e.method, e.outcome]).sort()).toEqual(
      [...expected].sort(),
    );
    expect(events.find((e) => e.request_id === `${RUN}-1`)).toMatchObject({
      service: 'trainer-coordinator',
      roles: ['admin'],
      issuer: idp.issuer,
      repo_id: '*',
      model_name: MODEL,
    });
  });
});
