import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, fromGrpcError } from '@omen/errors';
import { checkHealth } from '@omen/grpc';
import {
  callRaw,
  contractMethods,
  credentialMetadata,
  encodeRequest,
  formatFailures,
  fuzzAuth,
  fuzzMesh,
  fuzzWebhooks,
  rawClient,
  startMesh,
  type Credential,
  type Mesh,
  type MeshServiceName,
} from '@omen/contract-fuzz';

// The six services as their own processes on the dev stack, every RPC of protos/ called with
// generated hostile requests. Seeded and bounded here (FUZZ_CASES cases per RPC, FUZZ_SEED);
// `./scripts/omen bench fuzz` runs the same for longer.
const CASES = Number(process.env['FUZZ_CASES'] ?? 12);
const WEBHOOK_CASES = Number(process.env['FUZZ_WEBHOOK_CASES'] ?? 60);
const SEED = Number(process.env['FUZZ_SEED'] ?? 11);

let mesh: Mesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 600_000);
afterAll(async () => {
  await mesh?.stop();
}, 60_000);

const methods = contractMethods();
const method = (path: string) => {
  const m = methods.find((x) => x.path === path);
  if (!m) throw new Error(`no ${path} in protos/`);
  return m;
};

/** One call as an outside client would make it (without a token unless `credential` says). */
async function ask(
  service: MeshServiceName,
  path: string,
  request: Record<string, unknown>,
  credential: Credential = 'none',
) {
  const svc = mesh.services.get(service)!;
  const m = method(path);
  const client = rawClient(svc.address);
  try {
    const outcome = await callRaw(
      client,
      m,
      Buffer.from(encodeRequest(m.requestType, request)),
      1,
      credentialMetadata(credential, mesh.credentials),
      10_000,
    );
    return { outcome, alive: svc.alive(), health: await checkHealth(svc.address, { timeoutMs: 5000 }) };
  } finally {
    client.close();
  }
}

// Issue 11: an id outside printable ASCII that ended in NOT_FOUND went into the omen-resource
// metadata, grpc-js threw inside the error callback, and the process died (the client saw
// UNAVAILABLE "Connection dropped").
describe('issue 11: a NOT_FOUND for a non-ASCII id no longer kills the service', () => {
  it.each([
    ['Trainer.GetRun "run-é"', 'trainer-coordinator', '/omen.trainer.v1.Trainer/GetRun', { run_id: 'run-é' }],
    [
      'AbRouter.GetExperiment "x\\ny"',
      'ab-router',
      '/omen.abrouter.v1.AbRouter/GetExperiment',
      { experiment_id: 'x\ny' },
    ],
    ['KServe ModelMetadata "modèle"', 'inference', '/inference.GRPCInferenceService/ModelMetadata', { name: 'modèle' }],
    [
      'Featurizer.GetFeatures "github:acme/🚀"',
      'featurizer',
      '/omen.featurizer.v1.Featurizer/GetFeatures',
      { repo_id: 'github:acme/🚀', sha: 'a'.repeat(40) },
    ],
    [
      'DriftDetector.GetDriftReport "modèle\\u202e"',
      'drift-detector',
      '/omen.drift.v1.DriftDetector/GetDriftReport',
      { model_name: 'modèle\u202e' },
    ],
  ] as const)('%s', async (_name, service, path, request) => {
    const { outcome, alive, health } = await ask(service, path, request);
    expect(alive).toBe(true);
    expect(health).toBe('SERVING');
    expect(
      [grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT],
      `${grpc.status[outcome.code]} ${outcome.details}`,
    ).toContain(outcome.code);
    expect(outcome.details).not.toMatch(/[\n\u202e]/);
    if (outcome.code === grpc.status.NOT_FOUND)
      expect(
        fromGrpcError({ code: outcome.code, details: outcome.details, metadata: outcome.metadata }),
      ).toBeInstanceOf(NotFoundError);
  });
});

// What the fuzz found beyond the list, each kept as a case of its own.
describe('found by the contract fuzz', () => {
  it('DriftDetector.GetDriftReport with a 1 MiB repo_id is refused, not INTERNAL (the ClickHouse query grew too large)', async () => {
    // 1 MiB is over the drift-detector's request size (64 KiB): refused before decoding.
    const huge = await ask('drift-detector', '/omen.drift.v1.DriftDetector/GetDriftReport', {
      model_name: mesh.model,
      repo_id: 'x'.repeat(1 << 20),
    });
    expect(huge.alive).toBe(true);
    expect(grpc.status[huge.outcome.code]).toBe('RESOURCE_EXHAUSTED');
    // Long but within the request size: the filter's own bound answers.
    const { outcome, alive } = await ask('drift-detector', '/omen.drift.v1.DriftDetector/GetDriftReport', {
      model_name: mesh.model,
      repo_id: 'x'.repeat(60_000),
    });
    expect(alive).toBe(true);
    expect(grpc.status[outcome.code]).toBe('INVALID_ARGUMENT');
    expect(outcome.details).toBe('repo_id is longer than 200 characters');
  });

  it('bytes that are not a request are INVALID_ARGUMENT on a client stream too (Ingest.PublishCommits), not INTERNAL', async () => {
    const ingest = mesh.services.get('ingest')!;
    const client = rawClient(ingest.address);
    try {
      const outcome = await callRaw(
        client,
        method('/omen.ingest.v1.Ingest/PublishCommits'),
        Buffer.from([0xff, 0xff, 0xff]),
        2,
        new grpc.Metadata(),
        10_000,
      );
      expect(grpc.status[outcome.code]).toBe('INVALID_ARGUMENT');
      expect(outcome.details).toBe('the request is not a valid /omen.ingest.v1.Ingest/PublishCommits request message');
    } finally {
      client.close();
    }
  });
});

describe("issue 11 follow-ups: auth and the trainer's files", () => {
  it('a reader JWT never gets past an admin method: PERMISSION_DENIED, ErrorInfo ROLE_REQUIRED naming the admin role', async () => {
    for (const path of [
      '/omen.trainer.v1.Trainer/Promote',
      '/omen.trainer.v1.Trainer/Rollback',
      '/omen.trainer.v1.Trainer/ImportModel',
    ]) {
      const { outcome } = await ask(
        'trainer-coordinator',
        path,
        { model_name: mesh.model, version: 'v1' },
        'jwt-reader',
      );
      expect(grpc.status[outcome.code], path).toBe('PERMISSION_DENIED');
      const err = fromGrpcError({ code: outcome.code, details: outcome.details, metadata: outcome.metadata });
      expect(err.reason, path).toBe('ROLE_REQUIRED');
      expect(err.info, path).toMatchObject({ required_role: 'admin', method: path });
    }
  });

  it('issue 11: StartRun row_source csv:<path> tells a token holder whether a file exists — now one refusal for every path outside TRAINER_CSV_DIR', async () => {
    const answers = [];
    for (const p of ['/etc/passwd', '/etc/no-such-file', '../../../../etc/hostname', 'missing.csv.gz']) {
      const { outcome, alive } = await ask(
        'trainer-coordinator',
        '/omen.trainer.v1.Trainer/StartRun',
        { model_name: mesh.model, row_source: `csv:${p}`, algorithm: 'logistic' },
        'jwt-operator',
      );
      expect(alive).toBe(true);
      expect(grpc.status[outcome.code], p).toBe('INVALID_ARGUMENT');
      answers.push(outcome.details);
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/inside the trainer's CSV directory \(TRAINER_CSV_DIR\)/);
  });
});

describe('contract fuzz', () => {
  it('serves every service declared in protos/', async () => {
    const report = await fuzzMesh(mesh, { casesPerMethod: 0, seed: SEED });
    expect(report.unserved).toEqual([]);
  });

  it("enforces every method's role (METHOD_ROLES) for every kind of caller, refusals with google.rpc.Status details", async () => {
    const report = await fuzzAuth(mesh, { seed: SEED });
    console.log(
      `auth matrix: ${report.cases} cases over ${report.methods.length} RPCs in ${report.seconds.toFixed(1)} s`,
    );
    expect(report.methods.length).toBe(methods.length);
    expect(formatFailures(report.failures)).toBe('');
  }, 600_000);

  it(`survives ${CASES} hostile requests per RPC, with and without tokens`, async () => {
    const report = await fuzzMesh(mesh, { casesPerMethod: CASES, seed: SEED });
    console.log(
      `contract fuzz: ${report.cases} cases over ${report.methods.length} RPCs in ${report.seconds.toFixed(1)} s`,
    );
    expect(report.methods.length).toBe(methods.length);
    expect(report.methods.every((m) => m.cases === CASES || m.failures > 0)).toBe(true);
    expect(formatFailures(report.failures)).toBe('');
  }, 600_000);

  it(`answers ${WEBHOOK_CASES} hostile webhook deliveries below 500 and stays up`, async () => {
    const report = await fuzzWebhooks(mesh, { cases: WEBHOOK_CASES, seed: SEED });
    console.log(`webhook fuzz: ${report.cases} deliveries, statuses ${JSON.stringify(report.statuses)}`);
    expect(
      report.failures
        .map((f) => `${f.provider} ${f.status} ${f.body}: ${f.problems.join('; ')}\n    ${f.request}`)
        .join('\n'),
    ).toBe('');
    expect(report.cases).toBe(WEBHOOK_CASES);
  }, 600_000);
});

// Last, because it restarts the six processes: GRPC_REQUIRE_AUTH=true (what deploy/ runs) puts
// every method, reads included, behind a credential.
describe('contract fuzz with GRPC_REQUIRE_AUTH=true', () => {
  beforeAll(async () => {
    await mesh.restart({ requireAuth: true });
  }, 600_000);

  it('refuses every method without a credential and lets each role through where METHOD_ROLES does', async () => {
    const report = await fuzzAuth(mesh, { seed: SEED });
    console.log(`auth matrix with GRPC_REQUIRE_AUTH: ${report.cases} cases in ${report.seconds.toFixed(1)} s`);
    expect(report.unserved).toEqual([]);
    expect(report.methods.length).toBe(methods.length);
    expect(formatFailures(report.failures)).toBe('');
  }, 600_000);

  it(`survives ${Math.ceil(CASES / 3)} hostile requests per RPC`, async () => {
    const report = await fuzzMesh(mesh, { casesPerMethod: Math.ceil(CASES / 3), seed: SEED + 1 });
    console.log(`contract fuzz with GRPC_REQUIRE_AUTH: ${report.cases} cases in ${report.seconds.toFixed(1)} s`);
    expect(formatFailures(report.failures)).toBe('');
  }, 600_000);
});
