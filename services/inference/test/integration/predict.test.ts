// omen.inference.v1.Inference against the real service (runService + startInference), real
// ONNX Runtime sessions and the dev stack's Redis.
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '@omen/testing';
import { contributions } from '../../src/domain/contributions.ts';
import { readOnnxGraph } from '../../src/domain/onnx-graph.ts';
import {
  JIT_NAMES,
  createTestRegistry,
  jitGbdt,
  jitRow,
  jitValues,
  referenceP1,
  type TestRegistry,
} from '../helpers/fixtures.ts';
import { call, callError, startTestService, type PredictResponse, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const logit = (p: number) => Math.log(p / (1 - p));
const REPO = 'github:acme/widgets';

let svc: TestService;
let reg: TestRegistry;
let champion: Uint8Array;
let redis: Redis;
const reference = Object.fromEntries(JIT_NAMES.map((n) => [n, n === 'fix' ? 0 : 3]));

beforeAll(async () => {
  const env = stackEnv('REDIS_URL');
  reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion'], reference);
  await reg.publish('jit-defect', 'v2', jitGbdt(2), ['challenger']);
  svc = await startTestService(cleanup, { INFERENCE_REGISTRY_DIR: reg.dir, REDIS_URL: env.REDIS_URL });
  await svc.running.ready;
  redis = new Redis(env.REDIS_URL);
  cleanup(async () => {
    await redis.quit();
  });
});

/** Writes a commit's features where the featurizer would (its online-store layout). */
async function storeFeatures(
  sha: string,
  values: Record<string, number>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const key = `${svc.featurePrefix}:{${REPO}}:${sha}`;
  await redis.hset(
    key,
    'jit_change_metrics@v1',
    JSON.stringify({ values, file_metrics: null, computed_at: 1, event_time: 1 }),
  );
  for (const [field, value] of Object.entries(extra)) await redis.hset(key, field, JSON.stringify(value));
  cleanup(async () => {
    await redis.del(key);
  });
  return key;
}

describe('Predict with inline features', () => {
  it('returns ONNX Runtime’s probability, the champion version and top contributions that explain it', async () => {
    const values = jitValues(42);
    const res = await call<PredictResponse>(svc.client, 'Predict', {
      features: {
        values,
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        repo_id: REPO,
        entity_id: 'abc123',
      },
      top_k: 3,
      request_id: 'req-1',
    });
    const [expected] = await referenceP1(champion, [jitRow(values)]);
    expect(res.bug_probability).toBeCloseTo(expected!, 6);
    expect(res).toMatchObject({
      request_id: 'req-1',
      model_name: 'jit-defect',
      model_version: 'v1',
      repo_id: REPO,
      entity_id: 'abc123',
      feature_set: 'jit_change_metrics',
      feature_set_version: 1,
    });
    expect(res.scores['bug_probability']).toBeCloseTo(expected!, 6);
    expect(res.top_contributions).toHaveLength(3);
    const abs = res.top_contributions.map((c) => Math.abs(c.contribution));
    expect([...abs].sort((a, b) => b - a)).toEqual(abs);
    for (const c of res.top_contributions) expect(c.value).toBe(values[c.feature]);
    // All 14 contributions add up to logit(p(x)) − logit(p(reference)) (baseline Shapley efficiency).
    const graph = readOnnxGraph(champion, 'features', 14);
    const all = contributions(graph.margin!, jitRow(values), 0, jitRow(reference), 14);
    const [pRef] = await referenceP1(champion, [jitRow(reference)]);
    expect(all.reduce((s, v) => s + v, 0)).toBeCloseTo(logit(expected!) - logit(pRef!), 4);
    expect(res.top_contributions[0]!.contribution).toBeCloseTo(
      Math.max(...all.map(Math.abs)) * Math.sign(res.top_contributions[0]!.contribution),
      6,
    );
    // Change metrics alone give a refactoring view, no code-metric scores.
    expect(res.complexity_score).toBeUndefined();
  });

  it('serves the challenger by version or by alias name', async () => {
    const values = jitValues(7);
    const byVersion = await call<PredictResponse>(svc.client, 'Predict', { model_version: 'v2', features: { values } });
    const byAlias = await call<PredictResponse>(svc.client, 'Predict', {
      model_version: 'challenger',
      features: { values },
    });
    expect(byVersion.model_version).toBe('v2');
    expect(byAlias.model_version).toBe('v2');
    expect(byAlias.bug_probability).toBe(byVersion.bug_probability);
  });
});

describe('bad input', () => {
  const field = (err: grpc.ServiceError) => err.metadata.get('omen-field')[0];

  it('names a missing feature (wrong feature count) with INVALID_ARGUMENT', async () => {
    const { la: _dropped, ...values } = jitValues(1);
    const err = await callError(svc.client, 'Predict', { features: { values } });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(field(err)).toBe('features.values.la');
    expect(err.details).toMatch(/13 values given, jit_change_metrics@v1 has 14/);
  });

  it('names an unknown feature and a value of the wrong type', async () => {
    const extra = await callError(svc.client, 'Predict', { features: { values: { ...jitValues(1), lines: 3 } } });
    expect(extra.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(field(extra)).toBe('features.values.lines');
    const fractional = await callError(svc.client, 'Predict', { features: { values: { ...jitValues(1), nf: 2.5 } } });
    expect(field(fractional)).toBe('features.values.nf');
    expect(fractional.details).toMatch(/nf is an integer, got 2.5/);
    const notBool = await callError(svc.client, 'Predict', { features: { values: { ...jitValues(1), fix: 2 } } });
    expect(field(notBool)).toBe('features.values.fix');
    const nan = await callError(svc.client, 'Predict', {
      features: { values: { ...jitValues(1), entropy: Number.NaN } },
    });
    expect(field(nan)).toBe('features.values.entropy');
  });

  it('refuses a feature set the model was not trained on, a request without input, and a bad top_k', async () => {
    const set = await callError(svc.client, 'Predict', {
      features: { values: jitValues(1), feature_set: 'code_metrics' },
    });
    expect(set.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(field(set)).toBe('features.feature_set');
    const none = await callError(svc.client, 'Predict', { top_k: 1 });
    expect(field(none)).toBe('input');
    const topK = await callError(svc.client, 'Predict', { features: { values: jitValues(1) }, top_k: -1 });
    expect(field(topK)).toBe('top_k');
  });

  it('answers NOT_FOUND for an unknown model or version, naming what is served', async () => {
    const model = await callError(svc.client, 'Predict', { model_name: 'nope', features: { values: jitValues(1) } });
    expect(model.code).toBe(grpc.status.NOT_FOUND);
    expect(model.details).toMatch(/model "nope" is not served here \(served: jit-defect\)/);
    const version = await callError(svc.client, 'Predict', { model_version: 'v9', features: { values: jitValues(1) } });
    expect(version.code).toBe(grpc.status.NOT_FOUND);
    expect(version.details).toMatch(/no version "v9" loaded \(served: v1 \(champion\), v2 \(challenger\)\)/);
  });
});

describe('Predict by commit reference (online store)', () => {
  it('reads the featurizer’s hash, scores it like the inline features, and caches by model version', async () => {
    const values = jitValues(99);
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    await storeFeatures(sha, values, {
      'code_metrics@v1': {
        values: { files_parsed: 1, complexity_max: 10, complexity_mean: 5, max_nesting: 4, sec_weak_hash: 1 },
        file_metrics: [{ path: 'src/a.js', values: { complexity_max: 30, security_hits: 1 } }],
        computed_at: 1,
        event_time: 1,
      },
    });
    const first = await call<PredictResponse>(svc.client, 'Predict', { commit: { repo_id: REPO, sha }, top_k: 2 });
    const inline = await call<PredictResponse>(svc.client, 'Predict', { features: { values } });
    expect(first.bug_probability).toBe(inline.bug_probability);
    expect(first).toMatchObject({ repo_id: REPO, entity_id: sha, model_version: 'v1' });
    // The code metrics stored beside the change metrics feed the quality fields.
    expect(first.complexity_score).toBeCloseTo(0.5, 12);
    expect(first.security_risks.map((r) => r.category)).toEqual(['security_pattern', 'weak_hash']);
    expect(first.refactoring_suggestions.map((s) => s.kind)).toContain('reduce_complexity');

    const cacheKey = `${svc.cachePrefix}:{${REPO}}:${sha}:jit-defect:v1`;
    await expect.poll(() => redis.exists(cacheKey)).toBe(1);
    expect(await redis.ttl(cacheKey)).toBeGreaterThan(0);
    cleanup(async () => {
      await redis.del(cacheKey);
    });
    // Change the stored features: a cached answer is still served for this model version…
    await storeFeatures(sha, jitValues(100));
    const second = await call<PredictResponse>(svc.client, 'Predict', { commit: { repo_id: REPO, sha }, top_k: 2 });
    expect(second.bug_probability).toBe(first.bug_probability);
    expect(second.top_contributions).toEqual(first.top_contributions);
    // …and another version has its own entry.
    const challenger = await call<PredictResponse>(svc.client, 'Predict', {
      commit: { repo_id: REPO, sha },
      model_version: 'v2',
    });
    expect(challenger.model_version).toBe('v2');
    const metrics = await (await fetch(`${svc.running.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/omen_inference_cache_lookups_total\{result="hit"[^}]*\} [1-9]/);
  });

  it('answers NOT_FOUND naming the commit, not the store key, when the store has no features for it (issue 11)', async () => {
    const sha = 'ffffffffffffffffffffffffffffffffffffffff';
    const err = await callError(svc.client, 'Predict', { commit: { repo_id: REPO, sha } });
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toContain(`commit "${sha}" of "${REPO}"`);
    expect(err.details).not.toContain(svc.featurePrefix);
    expect(err.metadata.get('omen-resource')[0]).toBe(`features/${REPO}/${sha}`);
  });

  it('refuses a malformed commit reference with INVALID_ARGUMENT', async () => {
    const err = await callError(svc.client, 'Predict', { commit: { repo_id: REPO, sha: 'not-a-sha' } });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.metadata.get('omen-field')[0]).toBe('commit.sha');
  });
});

describe('PredictBatch and PredictStream', () => {
  it('answer every entry in order, failing only the bad ones', async () => {
    const good = jitValues(5);
    const { nf: _gone, ...bad } = jitValues(6);
    const res = await call<{
      results: {
        index: number;
        prediction?: PredictResponse;
        error?: { code: string; message: string };
        outcome: string;
      }[];
    }>(svc.client, 'PredictBatch', {
      requests: [
        { features: { values: good } },
        { features: { values: bad } },
        { model_name: 'nope', features: { values: good } },
        { features: { values: good }, model_version: 'v2' },
      ],
    });
    expect(res.results.map((r) => [r.index, r.outcome])).toEqual([
      [0, 'prediction'],
      [1, 'error'],
      [2, 'error'],
      [3, 'prediction'],
    ]);
    expect(res.results[1]!.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(res.results[1]!.error!.message).toMatch(/requests\[1\]\.features\.values.*nf is missing/);
    expect(res.results[2]!.error!.code).toBe('NOT_FOUND');
    const [p] = await referenceP1(champion, [jitRow(good)]);
    expect(res.results[0]!.prediction!.bug_probability).toBeCloseTo(p!, 6);
  });

  it('scores packed rows like the same rows sent as maps, after the requests, and names a bad shape', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => jitValues(2000 + i));
    // Names in an order of the caller's choosing: the row's values follow the names given.
    const names = [...JIT_NAMES].reverse();
    const res = await call<{ results: { index: number; prediction?: PredictResponse; outcome: string }[] }>(
      svc.client,
      'PredictBatch',
      {
        requests: [{ features: { values: rows[0]! } }],
        packed: {
          feature_names: names,
          values: rows.flatMap((r) => names.map((n) => r[n]!)),
          entity_ids: rows.map((_, i) => `c${i}`),
          repo_id: REPO,
        },
      },
    );
    expect(res.results).toHaveLength(41);
    expect(res.results.every((r) => r.outcome === 'prediction')).toBe(true);
    const expected = await referenceP1(
      champion,
      rows.map((r) => jitRow(r)),
    );
    expect(res.results[0]!.prediction!.bug_probability).toBeCloseTo(expected[0]!, 6);
    for (const [i, r] of res.results.slice(1).entries()) {
      expect(r.prediction!.entity_id).toBe(`c${i}`);
      expect(r.prediction!.bug_probability).toBeCloseTo(expected[i]!, 6);
    }
    const err = await callError(svc.client, 'PredictBatch', { packed: { feature_names: names, values: [1, 2, 3] } });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/packed\.values has 3 values, not a multiple of the 14 feature names/);
  });

  it('answers packed rows as columns with packed_response: the per-row answers, contributions and errors in one block', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => jitValues(3000 + i));
    // One row far over the split_large_change threshold (a finding in the columns), one invalid.
    rows[5] = { ...rows[5]!, la: 900, ld: 100 };
    const names = [...JIT_NAMES].reverse();
    const values = rows.flatMap((r) => names.map((n) => r[n]!));
    values[7 * names.length + names.indexOf('nf')] = -1;
    const entity_ids = rows.map((_, i) => `c${i}`);
    type Columns = {
      rows: number;
      bug_probability: number[];
      top_k: number;
      contribution_features: number[];
      contributions: number[];
      details: { index: number; prediction?: PredictResponse; error?: { code: string; message: string } }[];
      model_version: string;
      feature_set: string;
      complexity_score: number[];
      technical_debt_score: number[];
      finding_kinds: string[];
      finding_rows: number[];
      finding_kind: number[];
      finding_scores: number[];
    };
    const packed = { feature_names: names, values, entity_ids, repo_id: REPO, top_k: 3 };
    const columns = await call<{ results: unknown[]; packed: Columns }>(svc.client, 'PredictBatch', {
      packed: { ...packed, packed_response: true },
    });
    const perRow = await call<{
      results: { index: number; prediction?: PredictResponse; error?: { code: string; message: string } }[];
    }>(svc.client, 'PredictBatch', { packed });
    expect(columns.results).toEqual([]);
    const c = columns.packed;
    expect(c.rows).toBe(40);
    expect(c.model_version).toBe('v1');
    expect(c.feature_set).toBe('jit_change_metrics');
    expect(c.top_k).toBe(3);
    for (let r = 0; r < 40; r++) {
      const one = perRow.results[r]!;
      if (r === 7) {
        expect(Number.isNaN(c.bug_probability[r])).toBe(true);
        expect(c.contribution_features.slice(r * 3, r * 3 + 3)).toEqual([-1, -1, -1]);
        continue;
      }
      expect(c.bug_probability[r]).toBeCloseTo(one.prediction!.bug_probability, 6);
      // The same features, as indexes into the names the caller sent, and the same values.
      expect(c.contribution_features.slice(r * 3, r * 3 + 3).map((j) => names[j])).toEqual(
        one.prediction!.top_contributions.map((t) => t.feature),
      );
      c.contributions
        .slice(r * 3, r * 3 + 3)
        .forEach((v, j) => expect(v).toBeCloseTo(one.prediction!.top_contributions[j]!.contribution, 9));
    }
    // details: only the row that failed; every row's quality fields are columns, the same
    // findings (kind and priority or score) each row's own answer has, in the same order.
    expect(c.details.map((d) => d.index)).toEqual([7]);
    expect(c.details[0]!.error).toEqual(perRow.results[7]!.error);
    const findings = (r: number) =>
      c.finding_rows.flatMap((row, i) =>
        row === r ? [[c.finding_kinds[c.finding_kind[i]!], c.finding_scores[i]]] : [],
      );
    const perRowFindings = (p: PredictResponse | undefined) => [
      ...(p?.refactoring_suggestions ?? []).map((s) => [`refactoring:${s.kind}`, s.priority]),
      ...(p?.security_risks ?? []).map((s) => [`security:${s.category}`, s.score]),
    ];
    for (let r = 0; r < 40; r++) expect(findings(r)).toEqual(perRowFindings(perRow.results[r]!.prediction));
    expect(findings(5).map(([kind]) => kind)).toContain('refactoring:split_large_change');
    // jit_change_metrics rows have no code metrics: no row has a complexity or debt score.
    expect(
      perRow.results.some((r) => r.prediction?.complexity_score != null || r.prediction?.technical_debt_score != null),
    ).toBe(false);
    expect([c.complexity_score, c.technical_debt_score]).toEqual([[], []]);
    // The same rows as float64 bytes: the same answer.
    const bytes = Buffer.from(Float64Array.from(values).buffer);
    const fromBytes = await call<{ packed: Columns }>(svc.client, 'PredictBatch', {
      packed: { ...packed, values: [], values_f64le: bytes, packed_response: true },
    });
    expect({ ...fromBytes.packed, latency_ms: 0, trace_id: '' }).toEqual({ ...c, latency_ms: 0, trace_id: '' });
    // What every row shares is checked once: names that do not match the model fail the call.
    const err = await callError(svc.client, 'PredictBatch', {
      packed: { feature_names: [...names.slice(1), 'bogus'], values: values.slice(0, 14), packed_response: true },
    });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(
      /packed\.feature_names: names do not match jit_change_metrics@v1: .* is missing; "bogus" is not a feature/,
    );
  });

  it('streams one result per request, each with its index', async () => {
    const requests = Array.from({ length: 70 }, (_, i) => ({
      features: { values: jitValues(1000 + i) },
      request_id: `r${i}`,
    }));
    const stream = (
      svc.client as unknown as {
        PredictStream(req: unknown): grpc.ClientReadableStream<{ index: number; prediction?: PredictResponse }>;
      }
    ).PredictStream({ requests });
    const results: { index: number; prediction?: PredictResponse }[] = [];
    for await (const r of stream) results.push(r as { index: number; prediction?: PredictResponse });
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(requests.map((_, i) => i));
    for (const r of results) expect(r.prediction?.request_id).toBe(`r${r.index}`);
    const expected = await referenceP1(
      champion,
      requests.map((r) => jitRow(r.features.values)),
    );
    for (const r of results) expect(r.prediction!.bug_probability).toBeCloseTo(expected[r.index]!, 6);
  });
});
