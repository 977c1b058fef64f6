// scm-checks end to end on the dev stack's broker and Redis: pull-request events and predictions
// in, GitHub check runs and GitLab statuses and notes out, to a local API that validates every
// request against GitHub's OpenAPI description and GitLab's documented payloads.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroSchema, type Prediction, type PullRequest } from '@omen/contracts';
import { runService } from '@omen/service';
import {
  FAST_CONSUMER,
  createTestProducer,
  inProcessServiceEnv,
  randomName,
  readTopic,
  stackEnv,
  waitFor,
} from '@omen/testing';
import { startScmChecks } from '../../src/app.ts';
import { SCM_CHECKS_PORTS, scmChecksConfigSchema } from '../../src/config.ts';
import { CHECK_NAME, NOTE_MARKER } from '../../src/domain/summary.ts';
import { startScmApiServer, type ScmApiServer } from '../helpers/scm-api-server.ts';
import { startInferenceStub, type InferenceStub } from '../helpers/inference-stub.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const topics = { prs: randomName('scm-pullrequests'), predictions: randomName('predictions') };
const group = randomName('scm-checks');
const GH_REPO = 'github:acme/widgets';
const GL_REPO = 'gitlab:acme/platform/api';
const T0 = Date.UTC(2026, 0, 5);
let api: ScmApiServer;
let inference: InferenceStub;
const INFERENCE_TOKEN = 'inference-reader-token-0123456789';
let send: { prs: (prs: PullRequest[]) => Promise<unknown>; predictions: (ps: Prediction[]) => Promise<unknown> };

function pr(
  repo: string,
  provider: 'github' | 'gitlab',
  number: number,
  head: string,
  state: PullRequest['state'] = 'open',
  at = T0,
): PullRequest {
  return {
    event_id: `${repo}:pr:${number}:opened:${at}`,
    event_time: at,
    repo_id: repo,
    repo_name: repo.slice(repo.indexOf(':') + 1),
    provider,
    number,
    action: state === 'open' ? 'opened' : 'closed',
    state,
    title: 'Add a thing',
    body: null,
    author_id: 'a1',
    base_ref: 'main',
    base_sha: null,
    head_ref: 'feature',
    head_sha: head,
    merged: false,
    merge_commit_sha: null,
    commit_shas: [],
    labels: [],
    created_at: at,
    updated_at: at,
    closed_at: state === 'open' ? null : at,
    merged_at: null,
    source: 'webhook',
  };
}

function prediction(repo: string, sha: string, version: string, p: number, at: number): Prediction {
  return {
    event_id: `${repo}:${sha}:jit-defect:${version}`,
    event_time: at,
    repo_id: repo,
    entity_type: 'commit',
    entity_id: sha,
    model_name: 'jit-defect',
    model_version: version,
    bug_probability: p,
    scores: { bug_probability: p },
    contributions: [
      { feature: 'la', value: 900, contribution: 1.2 },
      { feature: 'nf', value: 30, contribution: -0.4 },
    ],
    features: null,
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    experiment_id: null,
    arm: null,
    latency_ms: 1,
    trace_id: null,
    source: 'stream',
  };
}

beforeAll(async () => {
  const engines = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  api = await startScmApiServer({
    appId: '4242',
    appPublicKey: publicKey,
    installationId: 77,
    gitlabToken: 'glpat-test-token-1234',
  });
  cleanup(() => api.close());
  inference = await startInferenceStub({ token: INFERENCE_TOKEN });
  cleanup(() => inference.close());
  const running = await runService({
    name: 'scm-checks',
    configSchema: scmChecksConfigSchema,
    ports: SCM_CHECKS_PORTS,
    ownProcess: false,
    env: {
      ...inProcessServiceEnv(),
      KAFKA_BROKERS: engines.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: engines.SCHEMA_REGISTRY_URL,
      REDIS_URL: engines.REDIS_URL,
      SCM_CHECKS_PREFIX: randomName('scm-checks'),
      SCM_CHECKS_GROUP: group,
      SCM_CHECKS_TOPIC_PREDICTIONS: topics.predictions,
      SCM_CHECKS_TOPIC_PULL_REQUESTS: topics.prs,
      SCM_CHECKS_THRESHOLD: '0.5',
      SCM_CHECKS_GITLAB_NOTES: 'true',
      GITHUB_APP_ID: '4242',
      GITHUB_APP_PRIVATE_KEY: privateKey,
      GITHUB_API_URL: api.url,
      GITLAB_TOKEN: 'glpat-test-token-1234',
      GITLAB_URL: `${api.url}/gitlab`,
      INFERENCE_ADDR: inference.address,
      INFERENCE_TOKEN,
    },
    start: (ctx) => {
      startScmChecks(ctx, { consumer: FAST_CONSUMER });
    },
  });
  cleanup(async () => {
    await running.stop('test finished');
  });
  await running.ready;
  const producer = await createTestProducer(cleanup, {
    schemas: { [topics.prs]: avroSchema('pull_request'), [topics.predictions]: avroSchema('prediction') },
  });
  send = {
    prs: (prs) =>
      producer.send(
        topics.prs,
        prs.map((v) => ({ key: v.repo_id, value: v, eventId: v.event_id, eventTime: v.event_time })),
      ),
    predictions: (ps) =>
      producer.send(
        topics.predictions,
        ps.map((v) => ({ key: v.repo_id, value: v, eventId: v.event_id, eventTime: v.event_time })),
      ),
  };
});

describe('GitHub check runs', () => {
  it('publishes one check run per commit as the app, honours Retry-After, and updates it in place for a newer model only', async () => {
    const sha = 'a1'.repeat(20);
    inference.answers.set(sha, {
      complexity_score: 0.62,
      security_risks: [
        {
          category: 'hardcoded_secret',
          path: '',
          score: 0.5,
          description: '1 added line(s) match security rule hardcoded_secret',
        },
      ],
      refactoring_suggestions: [
        {
          path: '',
          kind: 'split_large_change',
          message: '930 changed lines: changes over ~400 lines are reviewed less effectively; split it',
          priority: 0.7,
        },
      ],
    });
    // Scored before its pull request was opened: decorated when the request arrives.
    await send.predictions([prediction(GH_REPO, sha, 'v1', 0.72, T0)]);
    api.failNext(/^\/repos\/acme\/widgets\/check-runs$/, 429, { 'retry-after': '1' });
    await send.prs([pr(GH_REPO, 'github', 12, sha)]);
    const run = await waitFor(() => api.checkRuns.find((r) => r.head_sha === sha), {
      timeoutMs: 30_000,
      message: 'check run created',
    });
    expect(run).toMatchObject({
      owner: 'acme',
      repo: 'widgets',
      name: CHECK_NAME,
      status: 'completed',
      conclusion: 'action_required',
      external_id: 'omen:jit-defect:v1',
    });
    expect(run.output.title).toMatch(/72\.0%/);
    expect(run.output.summary).toMatch(/\| la \| 900 \| \+1\.200 \|/);
    // Security risks and refactoring suggestions: inference's Predict for this commit, asked
    // under the record's model version with scm-checks' credential.
    expect(run.output.summary).toContain(
      '**hardcoded\\_secret** (score 0.50): 1 added line\\(s\\) match security rule hardcoded\\_secret',
    );
    expect(run.output.summary).toContain(
      '930 changed lines: changes over \\~400 lines are reviewed less effectively; split it (split\\_large\\_change, priority 0.70)',
    );
    expect(run.output.summary).toContain('| complexity score | 0.62 |');
    expect(inference.calls).toContainEqual({ repoId: GH_REPO, sha, modelVersion: 'v1' });
    // The 429 was answered once and the create retried after it.
    const creates = api.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/widgets/check-runs');
    expect(creates.length).toBe(2);
    expect(api.checkRuns.filter((r) => r.head_sha === sha)).toHaveLength(1);

    // A redelivery of the same version, then a newer model that lowers the risk.
    const askedBefore = inference.calls.length;
    await send.predictions([
      prediction(GH_REPO, sha, 'v1', 0.72, T0),
      prediction(GH_REPO, sha, 'v2', 0.2, T0 + 60_000),
    ]);
    await waitFor(() => run.external_id === 'omen:jit-defect:v2', {
      timeoutMs: 30_000,
      message: 'check run updated to v2',
    });
    expect(api.checkRuns.filter((r) => r.head_sha === sha)).toHaveLength(1);
    expect(run.updates).toBe(1);
    expect(run.conclusion).toBe('neutral');
    // The redelivered v1 asked inference nothing; the newer model was asked about once.
    expect(
      inference.calls
        .slice(askedBefore)
        .filter((c) => c.sha === sha)
        .map((c) => c.modelVersion),
    ).toEqual(['v2']);
    // An older answer arriving late changes nothing; the next record's effect shows it was read.
    const sentinel = 'a2'.repeat(20);
    await send.predictions([prediction(GH_REPO, sha, 'v0', 0.9, T0 - 60_000)]);
    await send.prs([pr(GH_REPO, 'github', 13, sentinel)]);
    await send.predictions([prediction(GH_REPO, sentinel, 'v2', 0.3, T0)]);
    await waitFor(() => api.checkRuns.find((r) => r.head_sha === sentinel), {
      timeoutMs: 30_000,
      message: 'sentinel check run',
    });
    expect(run.updates).toBe(1);
    expect(run.external_id).toBe('omen:jit-defect:v2');
  });
});

describe('GitLab commit statuses and notes', () => {
  it('sets the status and one note per merge request, edited in place for a newer model', async () => {
    const sha = 'b1'.repeat(20);
    await send.prs([pr(GL_REPO, 'gitlab', 7, sha)]);
    api.failNext(/\/statuses\//, 429, { 'retry-after': '1' });
    await send.predictions([prediction(GL_REPO, sha, 'v1', 0.81, T0)]);
    const note = await waitFor(() => api.notes.find((n) => n.iid === 7), {
      timeoutMs: 30_000,
      message: 'note created',
    });
    expect(note.project).toBe('acme/platform/api');
    expect(note.body.startsWith(NOTE_MARKER)).toBe(true);
    // Inference had no code metrics for this commit: the note says so rather than "None found".
    expect(note.body).toContain('Not analysed: inference has no code metrics for this commit.');
    expect(api.statuses.filter((s) => s.sha === sha)).toEqual([
      {
        project: 'acme/platform/api',
        sha,
        state: 'failed',
        name: CHECK_NAME,
        description: expect.stringMatching(/^Bug risk 81\.0%/),
      },
    ]);
    await send.predictions([prediction(GL_REPO, sha, 'v2', 0.1, T0 + 1)]);
    await waitFor(() => note.edits === 1, { timeoutMs: 30_000, message: 'note edited' });
    expect(api.notes.filter((n) => n.iid === 7)).toHaveLength(1);
    expect(api.statuses.filter((s) => s.sha === sha).map((s) => s.state)).toEqual(['failed', 'success']);
    // The first status was answered 429 and sent again: three POSTs for two statuses.
    expect(api.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/statuses/${sha}`))).toHaveLength(3);
  });

  it('closes: a closed request is no longer decorated', async () => {
    const sha = 'b2'.repeat(20);
    const before = 'b3'.repeat(20);
    const after = 'b4'.repeat(20);
    // The two topics are read independently, so the close must be read before the prediction is
    // sent: a sentinel request after it on the repository's partition shows it was.
    await send.prs([
      pr(GL_REPO, 'gitlab', 8, sha),
      pr(GL_REPO, 'gitlab', 8, sha, 'closed', T0 + 1),
      pr(GL_REPO, 'gitlab', 9, before),
      pr(GL_REPO, 'gitlab', 10, after),
    ]);
    await send.predictions([prediction(GL_REPO, before, 'v1', 0.9, T0)]);
    await waitFor(() => api.statuses.find((s) => s.sha === before), {
      timeoutMs: 30_000,
      message: 'status of the request after the close',
    });
    // And a prediction after the closed one's, on the same partition, shows it was handled.
    await send.predictions([prediction(GL_REPO, sha, 'v1', 0.9, T0), prediction(GL_REPO, after, 'v1', 0.9, T0)]);
    await waitFor(() => api.statuses.find((s) => s.sha === after), {
      timeoutMs: 30_000,
      message: 'status of the prediction after the closed one',
    });
    expect(api.statuses.filter((s) => s.sha === sha)).toEqual([]);
  });
});

describe('bad records and the API contracts', () => {
  it('dead-letters a prediction it cannot use, with the reason', async () => {
    const bad = { ...prediction(GH_REPO, 'c1'.repeat(20), 'v1', 0.5, T0), entity_id: 'not-a-sha' };
    await send.predictions([bad]);
    const dlq = await readTopic(`${topics.predictions}.dlq.${group}`, { until: 1, timeoutMs: 30_000 });
    expect(dlq).toHaveLength(1);
    expect(JSON.stringify(dlq[0]!.headers)).toMatch(/full sha/);
  });

  it('sent only requests that GitHub’s OpenAPI description and GitLab’s documented payloads accept', () => {
    expect(api.requests.length).toBeGreaterThan(8);
    expect(api.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}: ${p}`))).toEqual([]);
    // The app authenticated with its JWT and then used installation tokens.
    expect(api.requests.some((r) => r.path === '/repos/acme/widgets/installation')).toBe(true);
    expect(api.requests.some((r) => r.path === '/app/installations/77/access_tokens')).toBe(true);
  });
});
