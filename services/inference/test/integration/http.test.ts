// Inference's HTTP/JSON surface against the real service: the Open Inference Protocol REST
// binding through a client written from the published specification, numbers compared with the
// gRPC path (ModelInfer, Predict) on the same rows; POST /v1/analyze; credentials and limits.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { OipHttpClient } from '../helpers/oip-http-client.ts';
import { call, kserveClient, startTestService, type PredictResponse, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const REPO = 'github:acme/widgets';
const TOKEN = 'http-test-admin-token-0123456789';
let svc: TestService;
let oip: OipHttpClient;
let base: string;
let kserve: grpc.Client;
let champion: Uint8Array;
let redis: Redis;

const rows = [jitValues(21), jitValues(22), jitValues(23)].map(jitRow);
const flat = () => rows.flatMap((r) => [...r]);

beforeAll(async () => {
  const env = stackEnv('REDIS_URL');
  const reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', '7', jitGbdt(7), ['champion']);
  svc = await startTestService(cleanup, { INFERENCE_REGISTRY_DIR: reg.dir, REDIS_URL: env.REDIS_URL });
  await svc.running.ready;
  base = await svc.app.http;
  oip = new OipHttpClient(base);
  kserve = kserveClient(svc.address);
  cleanup(() => Promise.resolve(kserve.close()));
  redis = new Redis(env.REDIS_URL);
  cleanup(async () => {
    await redis.quit();
  });
});

describe('Open Inference Protocol over HTTP: health and metadata', () => {
  it('answers live, ready, server and model metadata as the gRPC side does', async () => {
    expect((await oip.live()).status).toBe(200);
    expect((await oip.ready()).status).toBe(200);
    const server = await oip.serverMetadata();
    expect(server.body).toMatchObject({ name: 'omen-inference', version: '0.1.0' });
    const meta = await oip.modelMetadata('jit-defect');
    const grpcMeta = await call(kserve, 'ModelMetadata', { name: 'jit-defect', version: '' });
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual(grpcMeta);
    expect((await oip.modelMetadata('jit-defect', '7')).body).toEqual(grpcMeta);
    expect((await oip.modelReady('jit-defect')).status).toBe(200);
    expect((await oip.modelReady('jit-defect', '7')).status).toBe(200);
    expect((await oip.modelReady('jit-defect', '8')).status).not.toBe(200);
    const missing = await oip.modelMetadata('other');
    expect(missing.status).toBe(404);
    expect(typeof missing.body.error).toBe('string');
  });
});

describe('Open Inference Protocol over HTTP: infer', () => {
  it('answers JSON tensors with the numbers of gRPC ModelInfer and of ONNX Runtime itself', async () => {
    const res = await oip.infer('jit-defect', {
      id: 'rest-1',
      inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: flat() }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_name: 'jit-defect', model_version: '7', id: 'rest-1' });
    const grpcRes = await call<{
      outputs: {
        name: string;
        datatype: string;
        shape: number[];
        contents: { fp32_contents: number[]; int64_contents: number[] };
      }[];
    }>(kserve, 'ModelInfer', {
      model_name: 'jit-defect',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 14], contents: { fp32_contents: flat() } }],
    });
    expect(res.body.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual(
      grpcRes.outputs.map((o) => [o.name, o.datatype, o.shape]),
    );
    const probs = res.body.outputs.find((o) => o.name === 'probabilities')!.data as number[];
    // Identical, not close: both paths give the model the same float32 row.
    expect(probs).toEqual(grpcRes.outputs.find((o) => o.name === 'probabilities')!.contents.fp32_contents);
    expect(res.body.outputs.find((o) => o.name === 'label')!.data).toEqual(
      grpcRes.outputs.find((o) => o.name === 'label')!.contents.int64_contents.map(Number),
    );
    const expected = await referenceP1(champion, rows);
    expected.forEach((p, i) => expect(probs[i * 2 + 1]).toBe(p));
  });

  it('takes nested row-major data and a version in the path, and returns only the requested outputs', async () => {
    const res = await oip.infer(
      'jit-defect',
      {
        inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: rows.map((r) => [...r]) }],
        outputs: [{ name: 'probabilities' }],
      },
      '7',
    );
    expect(res.status).toBe(200);
    expect(res.body.outputs.map((o) => o.name)).toEqual(['probabilities']);
  });

  it('speaks the binary tensor data extension both ways with the same numbers', async () => {
    const x = new Float32Array(flat());
    const res = await oip.inferBinary(
      'jit-defect',
      [{ tensor: { name: 'features', shape: [3, 14], datatype: 'FP32' }, bytes: new Uint8Array(x.buffer) }],
      [
        { name: 'probabilities', binary: true },
        { name: 'label', binary: false },
      ],
    );
    expect(res.status).toBe(200);
    const raw = res.binary.get('probabilities')!;
    const probs = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const json = await oip.infer('jit-defect', {
      inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: flat() }],
    });
    expect([...probs]).toEqual(json.body.outputs.find((o) => o.name === 'probabilities')!.data);
    expect(res.body.outputs.find((o) => o.name === 'label')!.data).toEqual(
      json.body.outputs.find((o) => o.name === 'label')!.data,
    );
  });

  it('refuses malformed requests with 400 and the protocol’s {"error": string}, an unknown model with 404', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { inputs: [{ name: 'features', shape: [3, 13], datatype: 'FP32', data: flat().slice(0, 39) }] },
        /takes 14 features/,
      ],
      [{ inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP64', data: flat() }] }, /is FP32/],
      [{ inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: flat().slice(1) }] }, /needs 42/],
      [
        { inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: [...flat().slice(1), 'x'] }] },
        /FP32 data holds numbers/,
      ],
      [
        {
          inputs: [{ name: 'features', shape: [3, 14], datatype: 'FP32', data: flat() }],
          outputs: [{ name: 'logits' }],
        },
        /not an output/,
      ],
      [{ inputs: 'features' }, /inputs must be an array/],
    ];
    for (const [request, message] of cases) {
      const res = await oip.infer('jit-defect', request);
      expect(res.status, String(message)).toBe(400);
      expect(res.body.error).toMatch(message);
    }
    expect((await oip.infer('other', { inputs: [] })).status).toBe(404);
  });
});

async function analyze(
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}/v1/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** A Predict answer without the fields that differ per call. */
const stable = ({ latency_ms: _l, trace_id: _t, ...rest }: Record<string, unknown>) => rest;

describe('POST /v1/analyze', () => {
  it('answers a commit reference exactly as gRPC Predict does, security risks and suggestions included', async () => {
    const sha = 'ab'.repeat(20);
    const key = `${svc.featurePrefix}:{${REPO}}:${sha}`;
    const values = { ...jitValues(5), la: 900, nf: 30 };
    await redis.hset(
      key,
      'jit_change_metrics@v1',
      JSON.stringify({ values, file_metrics: null, computed_at: 1, event_time: 1 }),
    );
    cleanup(async () => {
      await redis.del(key);
    });
    const http = await analyze({ repo_id: REPO, sha, top_k: 3, request_id: 'r-1' });
    expect(http.status).toBe(200);
    const viaGrpc = await call<PredictResponse>(svc.client, 'Predict', {
      commit: { repo_id: REPO, sha },
      top_k: 3,
      request_id: 'r-1',
    });
    expect(stable(http.body)).toEqual(stable(JSON.parse(JSON.stringify(viaGrpc)) as Record<string, unknown>));
    expect(http.body).toMatchObject({ repo_id: REPO, entity_id: sha, model_version: '7' });
    expect((http.body['top_contributions'] as unknown[]).length).toBe(3);
  });

  it('answers inline features as Predict does', async () => {
    const values = jitValues(9);
    const http = await analyze({
      features: { values, feature_set: 'jit_change_metrics', feature_set_version: 1 },
      repo_id: REPO,
    });
    expect(http.status).toBe(200);
    const viaGrpc = await call<PredictResponse>(svc.client, 'Predict', {
      features: { values, feature_set: 'jit_change_metrics', feature_set_version: 1, repo_id: REPO },
      top_k: 5,
    });
    expect(stable(http.body)).toEqual(stable(JSON.parse(JSON.stringify(viaGrpc)) as Record<string, unknown>));
  });

  it('scores a real express commit sent as a diff (git show from express.bundle) with the change metrics the featurizer computes, as Predict scores them', async () => {
    const bundle = resolve(
      process.env['OMEN_DATA_DIR'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data'),
      'express.bundle',
    );
    expect(existsSync(bundle), `${bundle} (set OMEN_DATA_DIR)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'omen-express-diff-'));
    cleanup(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    execFileSync('git', ['clone', '-q', '--bare', bundle, dir], { stdio: 'ignore' });
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', dir, '-c', 'core.quotePath=false', '-c', 'color.ui=never', ...args], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    // The newest commit that changes lines (a merge has no diff of its own).
    const sha = git('log', '-1', '--no-merges', '--format=%H', 'HEAD').trim();
    const numstat = git('show', '--format=', '--numstat', sha)
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const message = git('show', '-s', '--format=%B', sha);
    const res = await analyze({ diff: git('show', sha), repo_id: 'github:expressjs/express', top_k: 14 });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body['assumed_features']).toEqual(['lt', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp']);
    const values = Object.fromEntries(
      (res.body['top_contributions'] as { feature: string; value: number }[]).map((c) => [c.feature, c.value]),
    );
    expect(Object.keys(values).sort()).toEqual([
      'age',
      'entropy',
      'exp',
      'fix',
      'la',
      'ld',
      'lt',
      'nd',
      'ndev',
      'nf',
      'ns',
      'nuc',
      'rexp',
      'sexp',
    ]);
    // git's own counts of the same commit.
    expect(values['nf']).toBe(numstat.length);
    expect(values['la']).toBe(numstat.reduce((s, [a]) => s + (a === '-' ? 0 : Number(a)), 0));
    expect(values['ld']).toBe(numstat.reduce((s, [, d]) => s + (d === '-' ? 0 : Number(d)), 0));
    expect(values['fix']).toBe(
      /\b(?:fix(?:e[sd]|ing)?|bugs?|defects?|crash(?:es|ed|ing)?|broken)\b/i.test(message) ? 1 : 0,
    );
    // The same features through gRPC Predict: the same number.
    const viaGrpc = await call<PredictResponse>(svc.client, 'Predict', {
      features: { values, feature_set: 'jit_change_metrics', feature_set_version: 1 },
      top_k: 0,
    });
    expect(res.body['bug_probability']).toBe(viaGrpc.bug_probability);
  });

  it('finds security risks in the lines a diff adds, per file, and takes the history it is given', async () => {
    const diff = [
      'diff --git a/lib/db.js b/lib/db.js',
      '--- a/lib/db.js',
      '+++ b/lib/db.js',
      '@@ -1,1 +1,3 @@',
      ' const q = require("q");',
      '+const api_key = "AKIAEXAMPLEKEY123456xyz";',
      '+db.query("SELECT * FROM users WHERE id = " + req.params.id);',
    ].join('\n');
    const history = { lt: 120, ndev: 3, age: 10.5, nuc: 7, exp: 40, rexp: 12.5, sexp: 9 };
    const res = await analyze({ diff, history, message: 'Fix the lookup' });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body['assumed_features']).toEqual([]);
    const risks = res.body['security_risks'] as { category: string; path: string }[];
    expect(risks.map((r) => `${r.category}:${r.path}`).sort()).toEqual([
      'hardcoded_secret:',
      'security_pattern:lib/db.js',
      'sql_concat:',
    ]);
    const viaGrpc = await call<PredictResponse>(svc.client, 'Predict', {
      features: {
        values: { ns: 1, nd: 1, nf: 1, entropy: 0, la: 2, ld: 0, fix: 1, ...history },
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
      },
      top_k: 0,
    });
    expect(res.body['bug_probability']).toBe(viaGrpc.bug_probability);
    // Not a diff, a diff with a commit reference, history without a diff: 400 naming the field.
    for (const [body, field] of [
      [{ diff: 'hello' }, 'diff'],
      [{ diff, sha: 'ab'.repeat(20), repo_id: REPO }, 'sha'],
      [{ repo_id: REPO, sha: 'ab'.repeat(20), history: { lt: 1 } }, 'history'],
      [{ diff, history: { lt: -1 } }, 'history.lt'],
    ] as const) {
      const bad = await analyze(body);
      expect(bad.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((bad.body['error'] as { field?: string }).field).toBe(field);
    }
  });

  it('refuses bad ids, shapes and JSON with 400 naming the field, an unknown commit with 404', async () => {
    const cases: [unknown, string][] = [
      [{ repo_id: 'github:acme/../x', sha: 'ab'.repeat(20) }, 'repo_id'],
      [{ repo_id: REPO, sha: 'not-hex' }, 'sha'],
      [{ repo_id: REPO, sha: 'ab'.repeat(20), extra: 1 }, 'body'],
      [{ repo_id: REPO, sha: 'ab'.repeat(20), top_k: 1000 }, 'top_k'],
      [{ repo_id: 'x'.repeat(10_000), sha: 'ab'.repeat(20) }, 'repo_id'],
      [{}, 'sha'],
    ];
    for (const [body, field] of cases) {
      const res = await analyze(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      const error = res.body['error'] as { code: string; field?: string; message: string };
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.field ?? 'body').toBe(field);
      expect(error.message.length).toBeLessThan(400);
    }
    expect((await analyze('{"repo_id": ')).status).toBe(400);
    expect((await analyze({ repo_id: REPO, sha: 'cd'.repeat(20) })).status).toBe(404);
  });

  it('serves its OpenAPI description with the request schema it validates with', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        {
          post?: {
            requestBody: {
              content: {
                'application/json': { schema: { properties: Record<string, unknown>; additionalProperties: boolean } };
              };
            };
          };
        }
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const schema = doc.paths['/v1/analyze']!.post!.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties).sort()).toEqual([
      'diff',
      'features',
      'history',
      'message',
      'model_name',
      'model_version',
      'repo_id',
      'request_id',
      'sha',
      'top_k',
    ]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths)).toContain('/v2/models/{name}/versions/{version}/infer');
  });
});

describe('hostile bodies (fast-check, seeded)', () => {
  it('answers every body with a 2xx/4xx and a bounded message naming no internals, never a 5xx', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 50 }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant('github:acme/widgets'),
      fc.constant('ab'.repeat(20)),
    );
    const body = fc.oneof(
      fc.record(
        { repo_id: value, sha: value, top_k: value, model_name: value, model_version: value },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          features: fc.oneof(
            value,
            fc.record(
              {
                values: fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.double(), value), { maxKeys: 20 }),
                feature_set: value,
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 4 }),
      // Diffs: random text, and lines built from the diff grammar's pieces.
      fc.record(
        {
          diff: fc.oneof(
            value,
            fc
              .array(
                fc.oneof(
                  fc.string({ maxLength: 30 }),
                  fc.constantFrom(
                    'diff --git a/x b/x',
                    '--- a/x',
                    '+++ b/../x',
                    '+++ /dev/null',
                    '@@ -1 +1 @@',
                    '@@ -0,0 +1,2 @@',
                    'rename from a',
                    'Binary files a and b differ',
                  ),
                  fc.string({ maxLength: 20 }).map((t) => `+${t}`),
                  fc.string({ maxLength: 20 }).map((t) => `-${t}`),
                ),
                { maxLength: 40 },
              )
              .map((ls) => ls.join('\n')),
          ),
          message: value,
          history: fc.oneof(value, fc.dictionary(fc.constantFrom('lt', 'exp', 'age', 'x'), value, { maxKeys: 4 })),
          sha: value,
        },
        { requiredKeys: ['diff'] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await analyze(b);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          const error = res.body['error'] as { code: string; message: string };
          expect(error.message.length).toBeLessThan(400);
          expect(error.message).not.toMatch(/at .*\.ts:\d+|node_modules/);
        }
      }),
      { numRuns: 150, seed: 18 },
    );
    // 150 HTTP round trips, some with diffs to parse: minutes on a loaded 2-core machine.
  }, 300_000);
});

describe('credentials and limits', () => {
  let guarded: string;
  beforeAll(async () => {
    const reg = await createTestRegistry(cleanup);
    await reg.publish('jit-defect', '1', jitGbdt(1), ['champion']);
    const s = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      GRPC_REQUIRE_AUTH: 'true',
      ADMIN_TOKEN: TOKEN,
      INFERENCE_HTTP_MAX_BODY_BYTES: '2048',
      INFERENCE_HTTP_RATE_LIMIT: '12',
      INFERENCE_HTTP_RATE_LIMIT_WINDOW: '60s',
    });
    await s.running.ready;
    guarded = await s.app.http;
  });

  it('needs a credential when GRPC_REQUIRE_AUTH is on, except for health; refuses a wrong one; limits body size and rate', async () => {
    const anon = new OipHttpClient(guarded);
    expect((await anon.live()).status).toBe(200);
    expect((await anon.ready()).status).toBe(200);
    const refused = await anon.modelMetadata('jit-defect');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    // A wrong static token: what the gRPC side answers too (PERMISSION_DENIED, INVALID_CREDENTIAL).
    expect((await new OipHttpClient(guarded, 'wrong-token-0123456789abcdef').modelMetadata('jit-defect')).status).toBe(
      403,
    );
    const authed = new OipHttpClient(guarded, TOKEN);
    expect((await authed.modelMetadata('jit-defect')).status).toBe(200);
    const big = await authed.infer('jit-defect', {
      inputs: [{ name: 'features', shape: [300, 14], datatype: 'FP32', data: new Array(4200).fill(1.5) }],
    });
    expect(big.status).toBe(413);
    // A diff goes through the same gate: no credential, 401; past the body limit, 413 before parsing.
    const smallDiff = { diff: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' };
    const anonDiff = await fetch(`${guarded}/v1/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(smallDiff),
    });
    expect(anonDiff.status).toBe(401);
    const authedDiff = (body: unknown) =>
      fetch(`${guarded}/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
    expect((await authedDiff(smallDiff)).status).toBe(200);
    expect((await authedDiff({ diff: `--- a/x\n+++ b/x\n@@ -0,0 +1,300 @@\n${'+line\n'.repeat(300)}` })).status).toBe(
      413,
    );
    // The limit is 12 per minute per client address.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 14; i++) {
      const res = await authed.serverMetadata();
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
