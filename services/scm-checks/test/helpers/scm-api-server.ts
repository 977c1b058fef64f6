// A local GitHub + GitLab API for the integration tests, on 127.0.0.1 (no network). Every GitHub
// request is validated against GitHub's published OpenAPI description (the @octokit/openapi
// package: path, query parameters and JSON body of the matching operation, with ajv); every
// GitLab request against the payloads GitLab documents for the endpoints scm-checks uses (REST
// v4 "Commits: set the pipeline status of a commit" and "Notes: merge requests"). Credentials are
// checked as the real services do: the app's JWT (RS256, signed with the app's key, iss = app
// id) on the app endpoints, an installation token minted here on the repository endpoints, the
// PRIVATE-TOKEN on GitLab. A request that fails any check is answered 422 and recorded.
import { createRequire } from 'node:module';
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;

export interface Recorded {
  api: 'github' | 'gitlab';
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** What was wrong with it; empty when it was valid. */
  problems: string[];
}

interface Operation {
  template: RegExp;
  names: string[];
  op: {
    parameters?: { name: string; in: string; required?: boolean; schema?: Json }[];
    requestBody?: { content?: Record<string, { schema: Json }> };
  };
}

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function githubOperations(): Map<string, Operation[]> {
  const spec = require('@octokit/openapi/generated/api.github.com.deref.json') as {
    paths: Record<string, Record<string, Operation['op']>>;
  };
  const byMethod = new Map<string, Operation[]>();
  for (const [path, ops] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const template = new RegExp(
      `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`,
    );
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const list = byMethod.get(method.toUpperCase()) ?? [];
      list.push({ template, names, op });
      byMethod.set(method.toUpperCase(), list);
    }
  }
  return byMethod;
}

// GitLab REST v4, as documented: POST /projects/:id/statuses/:sha; merge-request notes.
const gitlabSchemas = {
  status: {
    type: 'object',
    required: ['state'],
    additionalProperties: false,
    properties: {
      state: { enum: ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] },
      ref: { type: 'string' },
      name: { type: 'string', maxLength: 255 },
      context: { type: 'string' },
      target_url: { type: 'string' },
      description: { type: 'string', maxLength: 255 },
      coverage: { type: 'number' },
      pipeline_id: { type: 'integer' },
    },
  },
  listNotes: {
    type: 'object',
    additionalProperties: false,
    properties: {
      sort: { enum: ['asc', 'desc'] },
      order_by: { enum: ['created_at', 'updated_at'] },
      page: { type: 'string', pattern: '^\\d+$' },
      per_page: { type: 'string', pattern: '^\\d+$' },
      pagination: { enum: ['offset', 'keyset'] },
    },
  },
  createNote: {
    type: 'object',
    required: ['body'],
    additionalProperties: false,
    properties: {
      body: { type: 'string', minLength: 1, maxLength: 1_000_000 },
      internal: { type: 'boolean' },
      created_at: { type: 'string' },
      merge_request_diff_head_sha: { type: 'string' },
    },
  },
  editNote: {
    type: 'object',
    required: ['body'],
    additionalProperties: false,
    properties: { body: { type: 'string', minLength: 1, maxLength: 1_000_000 }, confidential: { type: 'boolean' } },
  },
} as const;

export interface CheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string;
  output: { title: string; summary: string };
  updates: number;
}

export interface ScmApiServer {
  url: string;
  requests: Recorded[];
  checkRuns: CheckRun[];
  statuses: { project: string; sha: string; state: string; name: string; description: string }[];
  notes: { project: string; iid: number; id: number; body: string; edits: number }[];
  /** The next request whose path matches answers this once (rate limits). */
  failNext(path: RegExp, status: number, headers: Record<string, string>): void;
  close(): Promise<void>;
}

export interface ScmApiOptions {
  appId: string;
  /** The app's public key, to verify its JWTs. */
  appPublicKey: string;
  installationId: number;
  gitlabToken: string;
}

function verifyJwt(token: string, key: KeyObject, appId: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'RS256') return `alg ${header.alg} (GitHub Apps sign with RS256)`;
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(s, 'base64url'));
  if (!ok) return 'signature does not verify with the app key';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: unknown; exp?: number; iat?: number };
  if (String(claims.iss) !== appId) return `iss ${String(claims.iss)} is not the app id`;
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || claims.exp - (claims.iat ?? now) > 600)
    return 'exp missing, past, or more than 10 minutes after iat';
  return undefined;
}

export async function startScmApiServer(options: ScmApiOptions): Promise<ScmApiServer> {
  const ops = githubOperations();
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: false }));
  const compiled = new Map<object, ValidateFunction>();
  const validate = (schema: object, value: unknown): string[] => {
    let fn = compiled.get(schema);
    if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
    return fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
  const appKey = createPublicKey(options.appPublicKey);
  const tokens = new Set<string>();
  const requests: Recorded[] = [];
  const checkRuns: CheckRun[] = [];
  const statuses: ScmApiServer['statuses'] = [];
  const notes: ScmApiServer['notes'] = [];
  const failures: { path: RegExp; status: number; headers: Record<string, string> }[] = [];
  let nextId = 1000;

  const github = (
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    auth: string | undefined,
    rec: Recorded,
  ): [number, unknown] => {
    const candidates = ops.get(method) ?? [];
    const match = candidates.map((o) => ({ o, m: o.template.exec(path) })).find((x) => x.m);
    if (!match)
      return (
        rec.problems.push(`no operation ${method} ${path} in GitHub's OpenAPI description`),
        [404, { message: 'Not Found' }]
      );
    const params = Object.fromEntries(match.o.names.map((n, i) => [n, decodeURIComponent(match.m![i + 1]!)]));
    for (const p of match.o.op.parameters ?? []) {
      if (p.in !== 'query') continue;
      const v = query[p.name];
      if (v === undefined) {
        if (p.required) rec.problems.push(`query ${p.name} is required`);
        continue;
      }
      const coerced = p.schema?.['type'] === 'integer' ? (/^-?\d+$/.test(v) ? Number(v) : v) : v;
      rec.problems.push(...validate(p.schema ?? {}, coerced).map((e) => `query ${p.name}${e}`));
    }
    for (const k of Object.keys(query))
      if (!(match.o.op.parameters ?? []).some((p) => p.in === 'query' && p.name === k))
        rec.problems.push(`query ${k} is not a parameter of ${method} ${path}`);
    const bodySchema = match.o.op.requestBody?.content?.['application/json']?.schema;
    if (bodySchema) rec.problems.push(...validate(bodySchema, body ?? {}).map((e) => `body${e}`));
    else if (body !== undefined && method !== 'GET') rec.problems.push('a body where the operation takes none');

    // Credentials, as GitHub checks them for an app.
    const appRoute = path.startsWith('/app/') || /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path);
    if (appRoute) {
      const jwt = /^bearer (.+)$/i.exec(auth ?? '')?.[1];
      const problem = jwt ? verifyJwt(jwt, appKey, options.appId) : 'no bearer JWT';
      if (problem)
        return (
          rec.problems.push(`app authentication: ${problem}`),
          [401, { message: 'A JSON web token could not be decoded' }]
        );
    } else {
      const token = /^(?:token|bearer) (.+)$/i.exec(auth ?? '')?.[1];
      if (!token || !tokens.has(token))
        return (rec.problems.push('no valid installation token'), [401, { message: 'Bad credentials' }]);
    }
    if (rec.problems.length > 0) return [422, { message: 'Validation Failed', errors: rec.problems }];

    if (method === 'GET' && path.endsWith('/installation'))
      return [200, { id: options.installationId, app_id: Number(options.appId), account: { login: params['owner'] } }];
    if (method === 'POST' && path === `/app/installations/${options.installationId}/access_tokens`) {
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      tokens.add(token);
      return [
        201,
        {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { checks: 'write' },
          repository_selection: 'all',
        },
      ];
    }
    const b = (body ?? {}) as Record<string, string | undefined>;
    if (method === 'GET' && /\/commits\/[^/]+\/check-runs$/.test(path)) {
      const runs = checkRuns.filter(
        (r) =>
          r.owner === params['owner'] &&
          r.repo === params['repo'] &&
          r.head_sha === params['ref'] &&
          (!query['check_name'] || r.name === query['check_name']),
      );
      return [200, { total_count: runs.length, check_runs: runs.slice(-Number(query['per_page'] ?? 30)).reverse() }];
    }
    if (method === 'POST' && /\/check-runs$/.test(path)) {
      const run: CheckRun = {
        id: nextId++,
        owner: params['owner']!,
        repo: params['repo']!,
        name: String(b['name']),
        head_sha: String(b['head_sha']),
        status: String(b['status'] ?? 'queued'),
        conclusion: (b['conclusion'] as string) ?? null,
        external_id: String(b['external_id'] ?? ''),
        output: (body as Json)['output'] as CheckRun['output'],
        updates: 0,
      };
      checkRuns.push(run);
      return [201, { ...run }];
    }
    if (method === 'PATCH' && /\/check-runs\/\d+$/.test(path)) {
      const run = checkRuns.find((r) => r.id === Number(params['check_run_id']));
      if (!run) return [404, { message: 'Not Found' }];
      Object.assign(run, {
        status: b['status'] ?? run.status,
        conclusion: b['conclusion'] ?? run.conclusion,
        external_id: b['external_id'] ?? run.external_id,
        output: b['output'] ?? run.output,
        updates: run.updates + 1,
      });
      return [200, { ...run }];
    }
    return [404, { message: 'Not Found' }];
  };

  const gitlab = (
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    token: string | undefined,
    rec: Recorded,
  ): [number, unknown] => {
    if (token !== options.gitlabToken)
      return (rec.problems.push('PRIVATE-TOKEN missing or wrong'), [401, { message: '401 Unauthorized' }]);
    const status = /^\/api\/v4\/projects\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(path);
    const noteList = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/.exec(path);
    const note = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/.exec(path);
    const args = { ...query, ...((body ?? {}) as Record<string, string>) } as Record<string, string | undefined>;
    if (method === 'POST' && status) {
      rec.problems.push(...validate(gitlabSchemas.status, args));
      if (rec.problems.length > 0) return [400, { message: rec.problems.join('; ') }];
      const s = {
        project: decodeURIComponent(status[1]!),
        sha: status[2]!,
        state: String(args['state']),
        name: String(args['name'] ?? 'default'),
        description: String(args['description'] ?? ''),
      };
      statuses.push(s);
      return [201, { id: nextId++, sha: s.sha, status: s.state, name: s.name, description: s.description }];
    }
    if (noteList && method === 'GET') {
      rec.problems.push(...validate(gitlabSchemas.listNotes, query));
      if (rec.problems.length > 0) return [400, { message: rec.problems.join('; ') }];
      const list = notes.filter((n) => n.project === decodeURIComponent(noteList[1]!) && n.iid === Number(noteList[2]));
      return [200, list.map((n) => ({ id: n.id, body: n.body, system: false }))];
    }
    if (noteList && method === 'POST') {
      rec.problems.push(...validate(gitlabSchemas.createNote, args));
      if (rec.problems.length > 0) return [400, { message: rec.problems.join('; ') }];
      const n = {
        project: decodeURIComponent(noteList[1]!),
        iid: Number(noteList[2]),
        id: nextId++,
        body: String(args['body']),
        edits: 0,
      };
      notes.push(n);
      return [201, { id: n.id, body: n.body }];
    }
    if (note && method === 'PUT') {
      rec.problems.push(...validate(gitlabSchemas.editNote, args));
      if (rec.problems.length > 0) return [400, { message: rec.problems.join('; ') }];
      const n = notes.find((x) => x.id === Number(note[3]));
      if (!n) return [404, { message: '404 Not found' }];
      n.body = String(args['body']);
      n.edits++;
      return [200, { id: n.id, body: n.body }];
    }
    rec.problems.push(`no documented endpoint ${method} ${path} used by scm-checks`);
    return [404, { message: '404 Not Found' }];
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const raw = Buffer.concat(chunks).toString('utf8');
      const isGitlab = url.pathname.startsWith('/gitlab/');
      const path = isGitlab ? url.pathname.slice('/gitlab'.length) : url.pathname;
      const query = Object.fromEntries(url.searchParams.entries());
      const rec: Recorded = {
        api: isGitlab ? 'gitlab' : 'github',
        method: req.method ?? 'GET',
        path,
        query,
        body: undefined,
        problems: [],
      };
      requests.push(rec);
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(payload));
      };
      const failure = failures.findIndex((f) => f.path.test(path));
      if (failure >= 0) {
        const f = failures.splice(failure, 1)[0]!;
        return reply(f.status, { message: 'API rate limit exceeded' }, f.headers);
      }
      if (raw !== '') {
        try {
          rec.body = JSON.parse(raw) as unknown;
        } catch {
          rec.problems.push('body is not JSON');
          return reply(400, { message: 'Problems parsing JSON' });
        }
      }
      const [status, payload] = isGitlab
        ? gitlab(rec.method, path, query, rec.body, req.headers['private-token'] as string | undefined, rec)
        : github(rec.method, path, query, rec.body, req.headers.authorization, rec);
      reply(status, payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    checkRuns,
    statuses,
    notes,
    failNext: (path, status, headers) => failures.push({ path, status, headers }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
