import { homedir } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { ERROR_DOMAIN, STATUS_DETAILS_KEY, decodeStatusDetails } from '@omen/errors';
import { featureNames, featureRegistry } from '@omen/features';
import { checkHealth } from '@omen/grpc';
import { CREDENTIALS, authProblemsOf, credentialMetadata, type Credential } from './credentials.ts';
import { contractMethods, type ContractMethod } from './descriptors.ts';
import { rawClient, type Mesh, type MeshService } from './mesh.ts';
import { caseBytes, describeCase, requestCases, type RequestCase } from './values.ts';

/**
 * Statuses a service may answer a client's mistake with. UNKNOWN and INTERNAL say "our fault",
 * UNAVAILABLE "try again" (every dependency is up during the fuzz, so it means the call broke
 * something), DEADLINE_EXCEEDED that no answer came in time.
 */
export const ALLOWED_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.OK,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.ALREADY_EXISTS,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
]);

// Codes that come from omen's handlers or its auth interceptor (not grpc-js) and so must carry google.rpc.Status details.
const RICH_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.ALREADY_EXISTS,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
]);

export interface CallOutcome {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
  ms: number;
  /** Response messages received. */
  messages: number;
}

const identity = (b: Buffer): Buffer => b;

/** One call with raw request bytes, whatever the method's streaming kind; resolves with the final status. */
export function callRaw(
  client: grpc.Client,
  method: ContractMethod,
  payload: Buffer,
  copies: number,
  metadata: grpc.Metadata,
  deadlineMs: number,
): Promise<CallOutcome> {
  const started = Date.now();
  const options: grpc.CallOptions = { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    let messages = 0;
    const settle = (s: grpc.StatusObject) =>
      resolve({ code: s.code, details: s.details, metadata: s.metadata, ms: Date.now() - started, messages });
    const noop = () => undefined;
    if (!method.requestStream && !method.responseStream) {
      const call = client.makeUnaryRequest(method.path, identity, identity, payload, metadata, options, noop);
      call.on('status', settle);
    } else if (!method.requestStream) {
      const call = client.makeServerStreamRequest(method.path, identity, identity, payload, metadata, options);
      call.on('data', () => messages++);
      call.on('error', noop);
      call.on('status', settle);
    } else if (!method.responseStream) {
      const call = client.makeClientStreamRequest(method.path, identity, identity, metadata, options, noop);
      call.on('status', settle);
      call.on('error', noop);
      for (let i = 0; i < copies; i++) call.write(payload);
      call.end();
    } else {
      const call = client.makeBidiStreamRequest(method.path, identity, identity, metadata, options);
      call.on('data', () => messages++);
      call.on('error', noop);
      call.on('status', settle);
      for (let i = 0; i < copies; i++) call.write(payload);
      call.end();
    }
  });
}

/** A stack frame or a source location, in any message a caller reads. */
export const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s+\(\S+:\d+:\d+\)|\.[cm]?[jt]s:\d+:\d+|node:internal/;

function squeeze(s: string): string {
  return s.replace(/\s+/g, '');
}

/**
 * What is wrong with an outcome, or nothing. `forbidden` is text no message may hold (storage
 * key prefixes, state directories).
 */
export function problemsOf(outcome: CallOutcome, deadlineMs: number, forbidden: readonly string[]): string[] {
  const problems: string[] = [];
  const name = grpc.status[outcome.code] ?? String(outcome.code);
  if (outcome.code === grpc.status.DEADLINE_EXCEEDED) problems.push(`no answer within the ${deadlineMs} ms deadline`);
  else if (!ALLOWED_CODES.has(outcome.code)) problems.push(`status ${name} is not an answer to a client's mistake`);
  const d = outcome.details;
  if (STACK_TRACE.test(d)) problems.push('the message holds a stack trace');
  for (const secret of [...forbidden, '/node_modules/', homedir()]) {
    if (secret && d.includes(secret))
      problems.push(`the message holds ${secret.startsWith('/') ? 'a server path' : 'a storage key'} (${secret})`);
  }
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(d))
    problems.push('the message holds control or bidi characters');
  if (d.length > 2048) problems.push(`the message is ${d.length} characters long`);
  const prefix = /^(.{1,80}?): (.*)$/s.exec(d);
  if (prefix && squeeze(prefix[2] ?? '').startsWith(squeeze(prefix[1] ?? '')))
    problems.push('the message repeats its prefix');
  if (RICH_CODES.has(outcome.code)) {
    const bin = outcome.metadata.get(STATUS_DETAILS_KEY)[0];
    const rich = bin instanceof Buffer ? decodeStatusDetails(bin) : undefined;
    if (!rich) problems.push(`${name} without google.rpc.Status details`);
    else if (rich.code !== Number(outcome.code) || rich.errorInfo?.domain !== ERROR_DOMAIN)
      problems.push(
        `${name} whose google.rpc.Status does not match (code ${rich.code}, domain ${rich.errorInfo?.domain ?? 'none'})`,
      );
  }
  return problems;
}

export interface Failure {
  method: string;
  credential: Credential;
  request: string;
  code: string;
  details: string;
  problems: string[];
}

export interface MethodReport {
  method: string;
  cases: number;
  failures: number;
  /** How many answers of each status. */
  codes: Record<string, number>;
}

export interface FuzzReport {
  methods: MethodReport[];
  failures: Failure[];
  /** Contract services no process of the mesh serves. */
  unserved: string[];
  cases: number;
  seconds: number;
}

export interface FuzzOptions {
  /** Cases per method. */
  casesPerMethod: number;
  /** fast-check seed; each method derives its own from it and its path, so adding a method changes no other's cases. */
  seed: number;
  /** Deadline of each call. @default 10000 */
  deadlineMs?: number;
  /** Only methods whose path contains this. */
  only?: string;
  /** Stop after this many failures (a broken service fails every case after the first). @default 50 */
  maxFailures?: number;
  onCase?: (method: string, failed: boolean) => void;
}

// The features the trained champion scores, as the keys a `values` map should have.
const CHAMPION_FEATURES = [...featureNames(featureRegistry.get('jit_change_metrics', 1))];

/** Valid values for string fields by name, so cases also reach the code behind the first check. */
export function plausibleValues(mesh: Pick<Mesh, 'model'>): Record<string, string[]> {
  const sha = ['a'.repeat(40), '0123456789abcdef0123456789abcdef01234567'];
  const repo = ['github:acme/app', 'gitlab:group/sub/project', 'git:express'];
  const model = [mesh.model, 'jit-defect'];
  const version = ['v1', 'champion', 'challenger', ''];
  return {
    repo_id: repo,
    repo_ids: repo,
    sha,
    parent_shas: sha,
    parents: sha,
    model_name: model,
    model,
    name: model,
    model_version: version,
    version,
    alias: ['champion', 'challenger'],
    feature_set: ['jit_change_metrics', 'code_metrics'],
    algorithm: ['logistic', 'gbdt', 'ensemble'],
    row_source: ['clickhouse'],
    datatype: ['FP32', 'FP64', 'INT64', 'BYTES', 'BOOL'],
    control_version: version,
    treatment_version: version,
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Which process serves each contract service, asked of each process's health service. */
async function servingProcesses(mesh: Mesh, services: readonly string[]): Promise<Map<string, MeshService>> {
  const out = new Map<string, MeshService>();
  for (const name of services) {
    for (const svc of mesh.services.values()) {
      if ((await checkHealth(svc.address, { service: name, timeoutMs: 5000 })) !== null) {
        out.set(name, svc);
        break;
      }
    }
  }
  return out;
}

/** One case: a request, how it authenticates, how many copies a client stream sends, which malformed header. */
type Case = readonly [RequestCase, Credential, number, number];

/**
 * Calls every method of every contract service with `casesPerMethod` generated requests and
 * credentials, checking after each: the process lives, health is SERVING, the outcome passes
 * `problemsOf`, and auth answered as METHOD_ROLES asks (`authProblemsOf`).
 */
export async function fuzzMesh(mesh: Mesh, options: FuzzOptions): Promise<FuzzReport> {
  const plausible = plausibleValues(mesh);
  return runMethods(mesh, options, (method) => {
    const arb = fc.tuple(
      requestCases(method.requestType, { plausible, plausibleKeys: { values: CHAMPION_FEATURES } }),
      fc.constantFrom<Credential>(...CREDENTIALS, 'admin'),
      fc.integer({ min: 1, max: 3 }),
      fc.nat(),
    );
    return fc.sample(arb, { seed: (options.seed ^ hash(method.path)) | 0, numRuns: options.casesPerMethod });
  });
}

/**
 * The auth matrix: every method with every credential once (a default request), so each
 * method's role is checked against each kind of caller whatever the random cases drew — a
 * reader never gets past an operator or admin method, every refusal carries its details.
 */
export async function fuzzAuth(mesh: Mesh, options: Omit<FuzzOptions, 'casesPerMethod'>): Promise<FuzzReport> {
  return runMethods(mesh, options, (method) =>
    CREDENTIALS.map((credential): Case => [
      { kind: 'message', value: {} },
      credential,
      1,
      hash(method.path) + options.seed,
    ]),
  );
}

async function runMethods(
  mesh: Mesh,
  options: Omit<FuzzOptions, 'casesPerMethod'>,
  casesOf: (method: ContractMethod) => readonly Case[],
): Promise<FuzzReport> {
  const started = Date.now();
  const deadlineMs = options.deadlineMs ?? 10_000;
  const maxFailures = options.maxFailures ?? 50;
  const methods = contractMethods().filter((m) => !options.only || m.path.includes(options.only));
  const services = [...new Set(methods.map((m) => m.service))];
  const hosts = await servingProcesses(mesh, services);
  const report: FuzzReport = {
    methods: [],
    failures: [],
    unserved: services.filter((s) => !hosts.has(s)),
    cases: 0,
    seconds: 0,
  };
  const clients = new Map<string, grpc.Client>();
  try {
    for (const method of methods) {
      const host = hosts.get(method.service);
      if (!host) continue;
      let client = clients.get(host.address);
      if (!client) clients.set(host.address, (client = rawClient(host.address)));
      const entry: MethodReport = { method: method.path, cases: 0, failures: 0, codes: {} };
      report.methods.push(entry);
      for (const c of casesOf(method)) {
        if (report.failures.length >= maxFailures) break;
        const failure = await runCase(mesh, host, client, method, c, deadlineMs);
        entry.cases++;
        report.cases++;
        entry.codes[failure.code] = (entry.codes[failure.code] ?? 0) + 1;
        if (failure.problems.length > 0) {
          entry.failures++;
          report.failures.push(failure);
        }
        options.onCase?.(method.path, failure.problems.length > 0);
        if (!host.alive()) break;
      }
    }
  } finally {
    for (const c of clients.values()) c.close();
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

const HEALTH_GRACE_MS = 5_000;

async function runCase(
  mesh: Mesh,
  host: MeshService,
  client: grpc.Client,
  method: ContractMethod,
  [c, credential, copies, variant]: Case,
  deadlineMs: number,
): Promise<Failure> {
  const outcome = await callRaw(
    client,
    method,
    caseBytes(method.requestType, c),
    copies,
    credentialMetadata(credential, mesh.credentials, variant),
    deadlineMs,
  );
  const problems = [
    ...problemsOf(outcome, deadlineMs, mesh.secrets),
    ...authProblemsOf(method.path, credential, mesh.requireAuth, outcome),
  ];
  if (!host.alive()) problems.push(`${host.name} died (last log lines: ${host.logs.slice(-3).join(' | ')})`);
  else {
    // SERVING again within a grace period, without a restart: decoding a hostile request of
    // 100,000 entries still keeps a loaded 2-core machine's event loop busy for about a second
    // (validation stops at the first bad entry; it took 10 s when it walked them all), long
    // enough for a dependency probe to time out once; the service must recover by itself.
    let health = await checkHealth(host.address, { timeoutMs: 5000 });
    for (const until = Date.now() + HEALTH_GRACE_MS; health !== 'SERVING' && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 250));
      health = await checkHealth(host.address, { timeoutMs: 5000 });
    }
    if (health !== 'SERVING')
      problems.push(
        `${host.name} health is ${health ?? 'not answering'} after the call (last log lines: ${host.logs.slice(-3).join(' | ')})`,
      );
  }
  return {
    method: method.path,
    credential,
    request: describeCase(c),
    code: grpc.status[outcome.code] ?? String(outcome.code),
    details: outcome.details.slice(0, 300),
    problems,
  };
}

/** One line per failure, for a test's message. */
export function formatFailures(failures: readonly Failure[]): string {
  return failures
    .map(
      (f) =>
        `${f.method} [${f.credential}] → ${f.code} "${f.details}": ${f.problems.join('; ')}\n    request: ${f.request}`,
    )
    .join('\n');
}
