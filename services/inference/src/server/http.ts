// Inference's HTTP/JSON surface, beside gRPC on INFERENCE_HTTP_PORT: the Open Inference Protocol's
// REST binding (/v2/...), POST /v1/analyze (Predict as JSON) and its OpenAPI description at
// /openapi.json. Same models, batcher, limits and credentials as the gRPC side: @omen/auth's
// authenticator with the gRPC side's rule (reads open unless GRPC_REQUIRE_AUTH; a credential that
// is sent is always checked), per-client rate limit, body limit before parsing. The audit trail
// too: every call of a prediction route (POST /v1/analyze, POST .../infer), admitted or refused,
// becomes the record a gRPC Predict or ModelInfer call becomes — the caller's identity, the
// route, the outcome as a gRPC status name, the model version that answered and a hash of the
// inputs; never the credential, never the feature values or the diff.
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { httpOutcome, httpRequestId, inputsSha256, traceIdOfTraceparent } from '@omen/audit';
import { createAuthenticator, grants, type Authenticator, type Principal } from '@omen/auth';
import type { AuditRecord } from '@omen/grpc';
import { OmenError, escapeText, toHttpStatus } from '@omen/errors';
import type { Logger } from '@omen/telemetry';
import type { Scheduler } from '../domain/batcher.ts';
import type { InferenceMetrics } from '../metrics.ts';
import type { Predictor } from '../predictor.ts';
import type { ModelManager } from '../adapters/model-manager.ts';
import type { ServedLog } from '../adapters/served-log.ts';
import { analyze } from './http-analyze.ts';
import { oipInfer, oipMetadata, type OipInferRequest } from './http-oip.ts';
import { openApiDocument } from './http-openapi.ts';
import { timed } from './inference-service.ts';

export interface InferenceHttpOptions {
  models: ModelManager;
  predictor: Predictor;
  scheduler: Scheduler;
  logger: Logger;
  metrics?: InferenceMetrics | undefined;
  log?: Pick<ServedLog, 'recordInfer'> | undefined;
  defaultModel: string;
  serverName: string;
  serverVersion: string;
  /** INFERENCE_MAX_REQUEST_ROWS. */
  maxRequestRows: number;
  /** @default 4 MiB */
  maxBodyBytes?: number;
  /** Per client address; max 0 turns it off. @default { max: 6000, windowMs: 10000 } */
  rateLimit?: { max: number; windowMs: number };
  /** Either an authenticator or what makes one (ADMIN_TOKEN, AUTH_JWT_*). */
  authenticator?: Authenticator;
  /** GRPC_REQUIRE_AUTH: every route but health and /openapi.json needs a credential. */
  requireAuth?: boolean;
  /** The service's audit trail (`AuditTrail.record`): O(1), never waits. Undefined: not audited. */
  audit?: ((record: AuditRecord) => void) | undefined;
}

/** What the audit record of one HTTP call collects on its way: who, and what the handler adds. */
interface CallAudit {
  principal: Principal | undefined;
  details: Record<string, string>;
}
const callAudits = new WeakMap<FastifyRequest, CallAudit>();

/** The prediction routes, audited like their gRPC counterparts (Predict, ModelInfer). */
function isAuditedRoute(req: FastifyRequest): boolean {
  const route = req.routeOptions.url ?? '';
  return req.method === 'POST' && (route === '/v1/analyze' || route.endsWith('/infer'));
}

function annotate(req: FastifyRequest, fields: Record<string, string>): void {
  const audit = callAudits.get(req);
  if (audit) Object.assign(audit.details, fields);
}

/** Routes a load balancer or the protocol's health checks call; never behind a credential. */
const OPEN_PATHS = new Set(['/v2/health/live', '/v2/health/ready', '/openapi.json']);
const BINARY_HEADER = 'inference-header-content-length';

class RateLimited extends Error {
  readonly statusCode = 429;
}

/** The protocol's error body is `{"error": "<message>"}`; /v1 uses omen's `{error: {code, message}}`. */
const isOip = (req: FastifyRequest) => req.url.startsWith('/v2');

function send(reply: FastifyReply, req: FastifyRequest, err: unknown): FastifyReply {
  const http = toHttpStatus(err);
  for (const [k, v] of Object.entries(http.headers)) reply.header(k, v);
  return reply.code(http.status).send(isOip(req) ? { error: http.body.error.message } : http.body);
}

/** An abort signal for the request: the client went away before its answer. */
function requestSignal(req: FastifyRequest, reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  req.raw.socket.once('close', () => {
    if (!reply.sent) ac.abort(new OmenError('CANCELLED', 'the client closed the connection'));
  });
  return ac.signal;
}

export async function createInferenceHttp(options: InferenceHttpOptions): Promise<FastifyInstance> {
  const { models, predictor, scheduler, metrics, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const authenticator = options.authenticator ?? createAuthenticator({});
  const app = Fastify({ bodyLimit: maxBodyBytes, logger: false, return503OnClosing: true });

  const limit = options.rateLimit ?? { max: 6000, windowMs: 10_000 };
  if (limit.max > 0) {
    // Before auth and body parsing: a flood costs a map lookup, not a JWT verification.
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.windowMs,
      errorResponseBuilder: (_req, context) =>
        new RateLimited(
          `more than ${context.max} requests from this client within ${limit.windowMs} ms; retry in ${context.after}`,
        ),
    });
  }

  // Binary-data extension: an octet-stream body is a JSON header of Inference-Header-Content-Length
  // bytes followed by the tensors' bytes.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  if (options.audit) {
    const sink = options.audit;
    app.addHook('onRequest', (req, _reply, done) => {
      if (isAuditedRoute(req)) callAudits.set(req, { principal: undefined, details: {} });
      done();
    });
    // After the answer went out, whatever it was (a refusal by auth, the rate limit or the body
    // limit included): the record says how the call ended.
    app.addHook('onResponse', (req, reply, done) => {
      const audit = callAudits.get(req);
      if (!audit && !isAuditedRoute(req)) return done();
      sink({
        method: `POST ${req.routeOptions.url ?? req.url.split('?')[0] ?? ''}`,
        principal: audit?.principal,
        outcome: httpOutcome(reply.statusCode),
        at: Math.round(Date.now() - reply.elapsedTime),
        requestId: httpRequestId(req.headers['x-request-id']),
        traceId: traceIdOfTraceparent(req.headers['traceparent']),
        peer: `${req.socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4'}:${req.ip}:${req.socket.remotePort ?? 0}`,
        details: audit?.details ?? {},
      });
      done();
    });
  }

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (OPEN_PATHS.has(path)) return;
    const header = req.headers.authorization;
    const needed = options.requireAuth ? 'reader' : undefined;
    if (header === undefined || !authenticator.configured) {
      if (needed === undefined) return;
      if (header === undefined) {
        reply.header('www-authenticate', 'Bearer');
        return send(
          reply,
          req,
          new OmenError('UNAUTHENTICATED', 'this endpoint needs "Authorization: Bearer <token>", and none arrived', {
            reason: 'MISSING_CREDENTIAL',
          }),
        );
      }
    }
    const outcome = await authenticator.authenticate(header ?? '');
    if (!outcome.ok) return send(reply, req, new OmenError(outcome.code, outcome.message, { reason: outcome.reason }));
    const audit = callAudits.get(req);
    if (audit) audit.principal = outcome.principal;
    if (needed !== undefined && !grants(outcome.principal.roles, needed)) {
      return send(
        reply,
        req,
        new OmenError('PERMISSION_DENIED', `this endpoint needs the ${needed} role`, { reason: 'ROLE_REQUIRED' }),
      );
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof RateLimited) {
      // The plugin has set Retry-After and the x-ratelimit-* headers.
      return reply
        .code(429)
        .send(isOip(req) ? { error: err.message } : { error: { code: 'RESOURCE_EXHAUSTED', message: err.message } });
    }
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // 413, not the 429 RESOURCE_EXHAUSTED maps to: retrying the same body cannot succeed.
      const message = `request body is larger than the ${maxBodyBytes} byte limit`;
      return reply.code(413).send(isOip(req) ? { error: message } : { error: { code: 'RESOURCE_EXHAUSTED', message } });
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own refusals: bad JSON, an unsupported media type.
      const status = err.statusCode;
      const message = escapeText(err.message).slice(0, 200);
      return reply
        .code(status)
        .send(isOip(req) ? { error: message } : { error: { code: 'INVALID_ARGUMENT', message } });
    }
    if (!(err instanceof OmenError)) logger.error({ err, url: req.url }, 'http handler failed');
    return send(reply, req, err);
  });

  app.setNotFoundHandler((req, reply) =>
    send(
      reply,
      req,
      new OmenError(
        'NOT_FOUND',
        `no route ${escapeText(req.method)} ${escapeText((req.url.split('?')[0] ?? '').slice(0, 128))}; see /openapi.json`,
      ),
    ),
  );

  const oip = {
    models,
    scheduler,
    defaultModel: options.defaultModel,
    serverName: options.serverName,
    serverVersion: options.serverVersion,
    maxRows: options.maxRequestRows,
    log: options.log,
  };
  const meta = oipMetadata(oip);
  type ModelParams = { name: string; version?: string };

  app.get('/v2/health/live', () => Promise.resolve({ live: true }));
  app.get('/v2/health/ready', (_req, reply) => {
    const ready = meta.serverReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2', () => Promise.resolve(meta.server()));
  const modelPaths = ['/v2/models/:name', '/v2/models/:name/versions/:version'];
  for (const base of modelPaths) {
    app.get<{ Params: ModelParams }>(base, (req) =>
      Promise.resolve().then(() => meta.model(req.params.name, req.params.version ?? '')),
    );
    app.get<{ Params: ModelParams }>(`${base}/ready`, (req, reply) => {
      const ready = meta.modelReady(req.params.name, req.params.version ?? '');
      return reply.code(ready ? 200 : 400).send({ name: req.params.name, ready });
    });
    app.post<{ Params: ModelParams }>(`${base}/infer`, async (req, reply) =>
      timed(metrics, 'REST/infer', async () => {
        const { json, binary } = splitBinary(req);
        const signal = requestSignal(req, reply);
        const out = await oipInfer(oip, req.params.name, req.params.version ?? '', json, binary, { signal });
        annotate(req, {
          model_name: out.json.model_name,
          model_version: out.json.model_version ?? '',
          inputs_sha256: inputsSha256(binary.byteLength > 0 ? binary : json.inputs),
        });
        if (out.binary.length === 0) return reply.send(out.json);
        const head = Buffer.from(JSON.stringify(out.json));
        reply.header(BINARY_HEADER, String(head.byteLength)).type('application/octet-stream');
        return reply.send(Buffer.concat([head, ...out.binary]));
      }),
    );
  }

  app.post('/v1/analyze', async (req, reply) =>
    timed(metrics, 'REST/analyze', async () => {
      const res = await analyze(predictor, req.body, { signal: requestSignal(req, reply), served: true });
      // The whole body's hash: a commit reference, the inline values or the diff, never the text.
      annotate(req, {
        repo_id: res.repo_id ?? '',
        model_name: res.model_name ?? '',
        model_version: res.model_version ?? '',
        inputs_sha256: inputsSha256(req.body),
      });
      return reply.send(res);
    }),
  );
  const document = openApiDocument(options.serverVersion);
  app.get('/openapi.json', () => Promise.resolve(document));
  return app;
}

/** The JSON request and the bytes after it (binary-data extension), from either kind of body. */
function splitBinary(req: FastifyRequest): { json: OipInferRequest; binary: Buffer } {
  const bad = (message: string) => new OmenError('INVALID_ARGUMENT', message);
  if (!Buffer.isBuffer(req.body)) {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
      throw bad('the request body must be a JSON object ($inference_request)');
    return { json: req.body as OipInferRequest, binary: Buffer.alloc(0) };
  }
  const raw = req.headers[BINARY_HEADER];
  const length = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(length) || length > req.body.byteLength)
    throw bad(
      `an application/octet-stream body needs an Inference-Header-Content-Length header within its ${req.body.byteLength} bytes`,
    );
  let json: unknown;
  try {
    json = JSON.parse(req.body.subarray(0, length).toString('utf8'));
  } catch {
    throw bad('the first Inference-Header-Content-Length bytes are not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw bad('the JSON header must be an object ($inference_request)');
  return { json: json as OipInferRequest, binary: req.body.subarray(length) };
}
