// Issue 11 "who did what" for predictions: with GRPC_REQUIRE_AUTH and JWTs, every served
// prediction (Predict, ModelInfer) lands in the ClickHouse audit table with the caller's subject,
// the model version that answered and a hash of the inputs — never the feature values — and a
// refused call is recorded as anonymous with its status.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { createTestIssuer, randomName, stackEnv } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitRow, jitValues } from '../helpers/fixtures.ts';
import { dropTableAfter, kserveClient, startTestService, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('CLICKHOUSE_URL', 'REDIS_URL');
const table = randomName('audit').replace(/-/g, '_');
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const idp = createTestIssuer('https://idp.omen.test', 'omen-inference');
const RUN = randomName('req');
let svc: TestService;

/** A unary call with a bearer token (or none) and x-request-id `<RUN>-<n>`; resolves with the status code. */
function callAs(
  client: grpc.Client,
  method: string,
  request: unknown,
  token: string | undefined,
  n: number,
): Promise<number> {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  md.set('x-request-id', `${RUN}-${n}`);
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
    fn.call(client, request, md, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null) =>
      resolve(err ? err.code : grpc.status.OK),
    );
  });
}

beforeAll(async () => {
  const reg = await createTestRegistry(cleanup);
  await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
  dropTableAfter(cleanup, ch, table);
  svc = await startTestService(cleanup, {
    INFERENCE_REGISTRY_DIR: reg.dir,
    REDIS_URL: env.REDIS_URL,
    CLICKHOUSE_URL: env.CLICKHOUSE_URL,
    INFERENCE_LOG_SERVED: 'false',
    AUDIT_TABLE: table,
    GRPC_REQUIRE_AUTH: 'true',
    AUTH_JWT_ISSUER: idp.issuer,
    AUTH_JWT_AUDIENCE: idp.audience,
    AUTH_JWT_PUBLIC_KEY: idp.publicKeyPem,
  });
  await svc.running.ready;
});

describe('issue 11: every served prediction records the caller', () => {
  it('audits Predict and ModelInfer with the JWT subject, the answering version and an inputs hash; refusals as anonymous', async () => {
    const bot = await idp.token({ roles: ['reader'], subject: 'ci-bot@example.com' });
    const values = jitValues(901);
    expect(
      await callAs(
        svc.client,
        'Predict',
        { features: { values, repo_id: 'github:acme/app', entity_id: 'pr-1' } },
        bot,
        1,
      ),
    ).toBe(grpc.status.OK);
    expect(await callAs(svc.client, 'Predict', { features: { values } }, undefined, 2)).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    const kserve = kserveClient(svc.address);
    cleanup(() => Promise.resolve(kserve.close()));
    const rows = [jitValues(902), jitValues(903)];
    const infer = {
      model_name: 'jit-defect',
      inputs: [
        {
          name: 'features',
          datatype: 'FP32',
          shape: [2, 14],
          contents: { fp32_contents: rows.flatMap((v) => [...jitRow(v)]) },
        },
      ],
    };
    expect(await callAs(kserve, 'ModelInfer', infer, bot, 3)).toBe(grpc.status.OK);

    type Row = {
      request_id: string;
      subject: string;
      method: string;
      outcome: string;
      repo_id: string;
      model_name: string | null;
      model_version: string | null;
      inputs_sha256: string | null;
      details_keys: string[];
      details_values: string[];
    };
    let got: Row[] = [];
    for (const end = Date.now() + 20_000; Date.now() < end && got.length < 3;) {
      got = await ch
        .query<Row>(
          sql`SELECT request_id, subject, method, outcome, repo_id, model_name, model_version, inputs_sha256, details_keys, details_values FROM ${ident(table)} FINAL WHERE startsWith(request_id, ${RUN}) ORDER BY request_id`,
        )
        .catch(() => []);
      if (got.length < 3) await new Promise((r) => setTimeout(r, 250));
    }
    expect(got.map((r) => [r.request_id, r.subject, r.method, r.outcome])).toEqual([
      [`${RUN}-1`, 'ci-bot@example.com', '/omen.inference.v1.Inference/Predict', 'OK'],
      [`${RUN}-2`, 'anonymous', '/omen.inference.v1.Inference/Predict', 'UNAUTHENTICATED'],
      [`${RUN}-3`, 'ci-bot@example.com', '/inference.GRPCInferenceService/ModelInfer', 'OK'],
    ]);
    expect(got[0]).toMatchObject({
      repo_id: 'github:acme/app',
      model_name: 'jit-defect',
      model_version: 'v1',
      inputs_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(got[2]).toMatchObject({
      model_name: 'jit-defect',
      model_version: 'v1',
      details_keys: ['rows'],
      details_values: ['2'],
    });
    // Hashes, never the values.
    const text = JSON.stringify(got);
    for (const v of Object.values(values)) if (!Number.isInteger(v)) expect(text).not.toContain(String(v));
  });
});

describe('the HTTP surface writes the same trail', () => {
  it('audits POST /v1/analyze and OIP infer with the caller, the outcome and an inputs hash; refusals too; never the token or the diff', async () => {
    const base = await svc.app.http;
    const bot = await idp.token({ roles: ['reader'], subject: 'http-bot@example.com' });
    const post = async (path: string, body: unknown, token: string | undefined, n: number) =>
      (
        await fetch(`${base}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': `${RUN}-h${n}`,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        })
      ).status;
    const secretLine = 'const token = "zz-very-secret-diff-content-42";';
    const diff = `--- a/lib/a.js\n+++ b/lib/a.js\n@@ -1 +1 @@\n-x\n+${secretLine}\n`;
    expect(await post('/v1/analyze', { diff, repo_id: 'github:acme/app' }, bot, 1)).toBe(200);
    expect(await post('/v1/analyze', { diff }, undefined, 2)).toBe(401);
    // A wrong static token: PERMISSION_DENIED, as on gRPC.
    expect(await post('/v1/analyze', { diff }, 'not-a-valid-token-0123456789', 3)).toBe(403);
    const row = jitRow(jitValues(904));
    expect(
      await post(
        '/v2/models/jit-defect/infer',
        { inputs: [{ name: 'features', shape: [1, 14], datatype: 'FP32', data: [...row] }] },
        bot,
        4,
      ),
    ).toBe(200);

    type Row = {
      request_id: string;
      subject: string;
      auth: string;
      method: string;
      outcome: string;
      repo_id: string;
      model_name: string | null;
      model_version: string | null;
      inputs_sha256: string | null;
      peer: string;
    };
    let got: Row[] = [];
    for (const end = Date.now() + 20_000; Date.now() < end && got.length < 4;) {
      got = await ch
        .query<Row>(
          sql`SELECT request_id, subject, auth, method, outcome, repo_id, model_name, model_version, inputs_sha256, peer FROM ${ident(table)} FINAL WHERE startsWith(request_id, ${`${RUN}-h`}) ORDER BY request_id`,
        )
        .catch(() => []);
      if (got.length < 4) await new Promise((r) => setTimeout(r, 250));
    }
    expect(got.map((r) => [r.request_id, r.subject, r.method, r.outcome])).toEqual([
      [`${RUN}-h1`, 'http-bot@example.com', 'POST /v1/analyze', 'OK'],
      [`${RUN}-h2`, 'anonymous', 'POST /v1/analyze', 'UNAUTHENTICATED'],
      [`${RUN}-h3`, 'anonymous', 'POST /v1/analyze', 'PERMISSION_DENIED'],
      [`${RUN}-h4`, 'http-bot@example.com', 'POST /v2/models/:name/infer', 'OK'],
    ]);
    expect(got[0]).toMatchObject({
      auth: 'jwt',
      repo_id: 'github:acme/app',
      model_name: 'jit-defect',
      model_version: 'v1',
      inputs_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      peer: expect.stringMatching(/^ipv[46]:/),
    });
    expect(got[3]).toMatchObject({
      model_name: 'jit-defect',
      model_version: 'v1',
      inputs_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const text = JSON.stringify(got);
    expect(text).not.toContain('zz-very-secret');
    expect(text).not.toContain(bot);
    expect(text).not.toContain('not-a-valid-token');
  });
});
