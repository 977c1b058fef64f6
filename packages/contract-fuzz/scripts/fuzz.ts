// ./scripts/omen bench fuzz: the contract fuzz of the CI suite, longer. Starts the six services
// as processes on the dev stack (./scripts/omen stack up first), calls every RPC in protos/ with
// --cases generated hostile requests (every credential kind: none, the admin token, JWTs of each
// role, expired/forged/malformed ones) and ingest's webhooks with --webhook-cases deliveries, the
// auth matrix (every RPC × every credential), then all of it again with GRPC_REQUIRE_AUTH=true
// (--cases / 4), and prints each failure, then JSON on the last line: cases and failures per RPC, the machine.
// Writes packages/contract-fuzz/results/fuzz.json unless --no-write.
//   options: --cases N (default 200) --webhook-cases N (default 1000) --seed N (default: the time)
//            --only TEXT (RPCs whose path contains it) --no-write
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@omen/contracts';
import { formatFailures, fuzzAuth, fuzzMesh, fuzzWebhooks, startMesh } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '200' },
    'webhook-cases': { type: 'string', default: '1000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const cases = Number(values.cases);
const webhookCases = Number(values['webhook-cases']);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (
  !Number.isInteger(cases) ||
  cases < 0 ||
  !Number.isInteger(webhookCases) ||
  webhookCases < 0 ||
  !Number.isInteger(seed)
) {
  console.error('--cases, --webhook-cases and --seed take whole numbers');
  process.exit(2);
}

const started = Date.now();
const mesh = await startMesh();
const meshSeconds = (Date.now() - started) / 1000;
console.log(`mesh up in ${meshSeconds.toFixed(1)} s; fuzzing with seed ${seed}`);
let done = 0;
try {
  const grpcReport = await fuzzMesh(mesh, {
    casesPerMethod: cases,
    seed,
    maxFailures: 500,
    ...(values.only ? { only: values.only } : {}),
    onCase: () => {
      if (++done % 500 === 0) console.log(`${done} cases`);
    },
  });
  const hooks = values.only ? undefined : await fuzzWebhooks(mesh, { cases: webhookCases, seed, maxFailures: 200 });
  const only = values.only ? { only: values.only } : {};
  const authOpen = await fuzzAuth(mesh, { seed, maxFailures: 500, ...only });
  await mesh.restart({ requireAuth: true });
  const authRequired = await fuzzAuth(mesh, { seed, maxFailures: 500, ...only });
  const requiredReport = await fuzzMesh(mesh, {
    casesPerMethod: Math.ceil(cases / 4),
    seed: seed + 1,
    maxFailures: 500,
    ...only,
  });
  const authFailures = [...authOpen.failures, ...authRequired.failures, ...requiredReport.failures];
  if (grpcReport.failures.length > 0) console.log(`gRPC failures:\n${formatFailures(grpcReport.failures)}`);
  if (authFailures.length > 0) console.log(`auth failures:\n${formatFailures(authFailures)}`);
  for (const f of hooks?.failures ?? [])
    console.log(`webhook ${f.provider} ${f.status} ${f.body}: ${f.problems.join('; ')}\n    ${f.request}`);
  const result = {
    bench: 'fuzz',
    seed,
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavg1: Number(loadavg()[0]?.toFixed(2)),
    },
    meshStartSeconds: meshSeconds,
    grpc: {
      cases: grpcReport.cases,
      failures: grpcReport.failures.length,
      seconds: grpcReport.seconds,
      unserved: grpcReport.unserved,
      perRpc: Object.fromEntries(
        grpcReport.methods.map((m) => [m.method, { cases: m.cases, failures: m.failures, codes: m.codes }]),
      ),
    },
    auth: {
      matrix: { cases: authOpen.cases, failures: authOpen.failures.length, seconds: authOpen.seconds },
      requireAuth: {
        matrixCases: authRequired.cases,
        fuzzCases: requiredReport.cases,
        failures: authRequired.failures.length + requiredReport.failures.length,
        seconds: authRequired.seconds + requiredReport.seconds,
      },
    },
    webhooks: hooks ? { cases: hooks.cases, failures: hooks.failures.length, statuses: hooks.statuses } : undefined,
  };
  if (!values['no-write']) {
    const dir = path.join(repoRoot, 'packages', 'contract-fuzz', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'fuzz.json'), `${JSON.stringify(result, null, 2)}\n`);
  }
  console.log(JSON.stringify(result));
  process.exitCode =
    grpcReport.failures.length + authFailures.length + (hooks?.failures.length ?? 0) + grpcReport.unserved.length > 0
      ? 1
      : 0;
} finally {
  await mesh.stop();
}
