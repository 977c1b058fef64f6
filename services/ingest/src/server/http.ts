import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { escapeText, toHttpStatus } from '@omen/errors';
import type { Logger } from '@omen/telemetry';
import { PushCompleter, type PushCompletion } from '../adapters/push-completer.ts';
import { dedupKeys } from '../domain/ids.ts';
import type { RepoRef } from '../domain/events.ts';
import type { NormalizeOptions } from '../domain/normalize.ts';
import type { PushRange } from '../domain/push.ts';
import { verifyGithubSignature, verifyGitlabToken, type VerifyResult } from '../domain/signature.ts';
import type { WebhookSecrets } from '../domain/secrets.ts';
import { normalizeWebhook, webhookRepoName, type WebhookProvider } from '../domain/webhook.ts';
import type { IngestMetrics } from '../metrics.ts';
import type { IngestPipeline } from '../pipeline.ts';

export interface WebhookServerOptions {
  pipeline: IngestPipeline;
  secrets: WebhookSecrets;
  normalize: NormalizeOptions;
  metrics: IngestMetrics;
  logger: Logger;
  /** Largest accepted body; larger ones get 413. @default 25 MiB (GitHub caps payloads at 25 MB) */
  maxBodyBytes?: number;
  /** Fetches what a truncated push hook left out. @default one with no API client: the gap is only counted */
  completer?: PushCompleter;
  /**
   * Requests one source (provider and client address) may send per window; more get 429 with
   * Retry-After before the body is read or a signature checked. 0 turns the limit off.
   * @default { max: 600, windowMs: 10000 }
   */
  rateLimit?: { max: number; windowMs: number };
}

interface Accepted {
  status: 'accepted' | 'duplicate' | 'ignored';
  delivery?: string;
  published?: number;
  duplicates?: number;
  reason?: string;
  notes?: string[];
}

class RateLimited extends Error {
  readonly statusCode = 429;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly outcome: string,
  ) {
    super(message);
  }
}

/** Retry-After for a 503 whose cause named no time (Kafka down): a broker restart takes this long. */
const defaultRetryAfterSeconds = 30;

const deliveryPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The webhook receiver: `POST /webhooks/github` and `POST /webhooks/gitlab`. The body is kept
 * as bytes until the signature or token checks out (the HMAC covers the exact bytes), then
 * parsed, validated, normalised and handed to the pipeline. Answers: 202 once Kafka
 * acknowledged (or for a duplicate / an ignored event type), 401 for a missing or wrong
 * signature, 400 with the reason for bad JSON or a payload that fails validation, 413 above the
 * size limit, 415 for other media types, 503 with Retry-After while Kafka or Redis is down.
 */
export async function createWebhookServer(options: WebhookServerOptions): Promise<FastifyInstance> {
  const { metrics, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 25 * 1024 * 1024;
  const completer = options.completer ?? new PushCompleter({ pseudonymKey: options.normalize.pseudonymKey });
  const app = Fastify({ bodyLimit: maxBodyBytes, logger: false, return503OnClosing: true });

  const limit = options.rateLimit ?? { max: 600, windowMs: 10_000 };
  if (limit.max > 0) {
    // Per source, in this process's memory (each replica limits on its own): a flood from one
    // sender, signed or not, costs a map lookup instead of an HMAC over up to 25 MiB.
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (req) => `${providerOf(req)}|${req.ip}`,
      errorResponseBuilder: (_req, context) =>
        new RateLimited(
          `more than ${context.max} requests from this source within ${limit.windowMs} ms; retry in ${context.after}`,
        ),
    });
  }

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const provider = providerOf(req);
    if (err instanceof RateLimited) {
      // The plugin has set Retry-After and the x-ratelimit-* headers.
      metrics.webhooks.inc({ provider, event: eventLabel(eventOf(req)), outcome: 'rate_limited' });
      return reply.code(429).send({ error: { code: 'RESOURCE_EXHAUSTED', message: err.message } });
    }
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      metrics.webhooks.inc({ provider, event: eventLabel(eventOf(req)), outcome: 'too_large' });
      return reply.code(413).send({
        error: { code: 'RESOURCE_EXHAUSTED', message: `payload is larger than the ${maxBodyBytes} byte limit` },
      });
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      metrics.webhooks.inc({ provider, event: eventLabel(eventOf(req)), outcome: 'rejected' });
      return reply.code(err.statusCode).send({ error: { code: 'INVALID_ARGUMENT', message: err.message } });
    }
    logger.error({ err }, 'webhook handler failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route ${escapeText(req.method)} ${escapeText(req.url.split('?')[0] ?? '')}; webhooks go to POST /webhooks/github or /webhooks/gitlab`,
      },
    }),
  );

  for (const provider of ['github', 'gitlab'] as const) {
    app.post(`/webhooks/${provider}`, async (req, reply) => handle(provider, req, reply));
  }

  async function handle(provider: WebhookProvider, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const event = eventOf(req);
    try {
      const result = await receive(provider, req);
      metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: result.status });
      if (result.status === 'ignored') metrics.ignored.inc({ provider, event: eventLabel(event) });
      return reply.code(202).send(result);
    } catch (err) {
      if (err instanceof HttpRefusal) {
        metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: err.outcome });
        if (err.status === 401) reply.header('www-authenticate', provider === 'github' ? 'HMAC-SHA256' : 'Token');
        return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
      }
      const http = toHttpStatus(err);
      metrics.webhooks.inc({
        provider,
        event: eventLabel(event),
        outcome: http.status === 503 ? 'unavailable' : 'failed',
      });
      if (http.status >= 500) logger.warn({ err, provider, event }, 'webhook not stored');
      for (const [k, v] of Object.entries(http.headers)) reply.header(k, v);
      // Every 503 says when to come back, even when the failure (a broker error) did not.
      if (http.status === 503 && http.headers['Retry-After'] === undefined)
        reply.header('retry-after', String(defaultRetryAfterSeconds));
      return reply.code(http.status).send(http.body);
    }
  }

  async function receive(provider: WebhookProvider, req: FastifyRequest): Promise<Accepted> {
    const headers = req.headers;
    const event = header(headers, provider === 'github' ? 'x-github-event' : 'x-gitlab-event');
    const delivery = header(headers, provider === 'github' ? 'x-github-delivery' : 'x-gitlab-event-uuid');
    const credential = header(headers, provider === 'github' ? 'x-hub-signature-256' : 'x-gitlab-token');
    // Authentication comes first: an unauthenticated caller learns nothing about the payload.
    if (credential === undefined) {
      throw new HttpRefusal(
        401,
        'UNAUTHENTICATED',
        `missing ${provider === 'github' ? 'X-Hub-Signature-256' : 'X-Gitlab-Token'} header`,
        'unauthorized',
      );
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const decoded = decodeBody(body, header(headers, 'content-type'));
    const repoName = decoded.ok ? webhookRepoName(provider, decoded.payload) : undefined;
    const secrets = options.secrets.forRepo(provider, repoName);
    const verdict: VerifyResult =
      provider === 'github' ? verifyGithubSignature(body, credential, secrets) : verifyGitlabToken(credential, secrets);
    if (!verdict.ok) throw new HttpRefusal(401, 'UNAUTHENTICATED', verdict.reason, 'unauthorized');

    if (!decoded.ok) throw new HttpRefusal(decoded.status, 'INVALID_ARGUMENT', decoded.reason, 'rejected');
    if (event === undefined) {
      throw new HttpRefusal(
        400,
        'INVALID_ARGUMENT',
        `missing ${provider === 'github' ? 'X-GitHub-Event' : 'X-Gitlab-Event'} header`,
        'rejected',
      );
    }
    if (delivery !== undefined && !deliveryPattern.test(delivery)) {
      throw new HttpRefusal(
        400,
        'INVALID_ARGUMENT',
        `${provider === 'github' ? 'X-GitHub-Delivery' : 'X-Gitlab-Event-UUID'} must be 1-128 characters of letters, digits, ".", "_", ":" or "-"`,
        'rejected',
      );
    }

    const normalized = normalizeWebhook(provider, event, decoded.payload, options.normalize);
    if (normalized.outcome === 'rejected')
      throw new HttpRefusal(400, 'INVALID_ARGUMENT', normalized.reason, 'rejected');
    if (normalized.outcome === 'ignored')
      return { status: 'ignored', reason: normalized.reason, ...(delivery ? { delivery } : {}) };
    const push = normalized.push;
    // A truncated push's note is logged with the completion's outcome, below.
    if (normalized.notes.length > 0 && !push?.truncated)
      logger.warn({ provider, event, delivery, notes: normalized.notes }, 'webhook accepted with notes');
    const completion = push?.truncated
      ? await completer.complete(normalized.repo, push, normalized.commits)
      : undefined;
    const notes =
      completion && push ? [...normalized.notes, completionNote(provider, push, completion)] : normalized.notes;
    const result = await options.pipeline.ingest({
      repo: normalized.repo,
      commits: completion?.commits ?? normalized.commits,
      pullRequests: normalized.pullRequests,
      issues: normalized.issues,
      ...(delivery ? { deliveryKey: dedupKeys.delivery(provider, delivery) } : {}),
      headers: {
        'omen-source': 'webhook',
        'omen-scm-event': event,
        ...(delivery ? { 'omen-delivery-id': delivery } : {}),
      },
      path: 'webhook',
    });
    // Counted once the listed commits are in Kafka, and once per delivery: a 503 or a
    // redelivery of a stored push must not count its gap again.
    if (completion && push && result.delivery === 'new') reportCompletion(normalized.repo, push, completion, delivery);
    return {
      status: result.delivery === 'duplicate' ? 'duplicate' : 'accepted',
      ...(delivery ? { delivery } : {}),
      published: result.published,
      duplicates: result.duplicates,
      ...(notes.length > 0 ? { notes } : {}),
    };
  }

  function reportCompletion(repo: RepoRef, push: PushRange, c: PushCompletion, delivery: string | undefined): void {
    metrics.pushCompletions.inc({ provider: repo.provider, outcome: c.outcome });
    if (c.missing > 0) metrics.pushCommitsMissing.inc({ provider: repo.provider }, c.missing);
    const fields = {
      repo: repo.id,
      delivery,
      outcome: c.outcome,
      listed: push.listed,
      fetched: c.fetched,
      missing: c.missing,
    };
    if (c.outcome === 'complete') {
      logger.info(fields, 'truncated push completed from the SCM API');
      return;
    }
    const rev = backfillRev(push, c);
    logger.warn(
      { ...fields, rev, ...(c.error ? { err: c.error } : {}) },
      `push webhook incomplete: ${c.missing > 0 ? `${c.missing} commits` : 'an unknown number of commits'} not published; ` +
        `backfill them with ./scripts/omen backfill --git <clone> --repo ${repo.id} --rev ${rev}`,
    );
  }

  await app.ready();
  return app;
}

/** The revision range a backfill needs to publish what a push left out. */
function backfillRev(push: PushRange, c: PushCompletion): string {
  return c.base ? `${c.base}..${push.after}` : push.after;
}

function completionNote(provider: WebhookProvider, push: PushRange, c: PushCompletion): string {
  const api = provider === 'github' ? 'GitHub' : 'GitLab';
  switch (c.outcome) {
    case 'complete':
      return `the ${api} API listed every commit of the push; ${c.fetched} were not in the hook`;
    case 'partial':
      return `fetched ${c.fetched} unlisted commits from the ${api} API; ${c.missing} are still missing (backfill ${backfillRev(push, c)})`;
    case 'no_client':
      return `no ${api} API token is configured to fetch the unlisted commits (backfill ${backfillRev(push, c)})`;
    case 'failed':
      return `the ${api} API could not list the unlisted commits (backfill ${backfillRev(push, c)})`;
    case 'new_branch':
      return `the push created the branch, so there is no range to fetch the unlisted commits from (backfill ${backfillRev(push, c)})`;
    case 'too_large':
      return `the push is too large to complete in a webhook (backfill ${backfillRev(push, c)})`;
  }
}

type Decoded = { ok: true; payload: unknown } | { ok: false; status: 400 | 415; reason: string };

/** GitHub sends `application/json` or `application/x-www-form-urlencoded` (`payload=<json>`). */
function decodeBody(body: Buffer, contentType: string | undefined): Decoded {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let text: string;
  if (type === 'application/json' || type === '' || type.endsWith('+json')) {
    text = body.toString('utf8');
  } else if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(body.toString('utf8')).get('payload');
    if (payload === null) return { ok: false, status: 400, reason: 'form body has no "payload" field' };
    text = payload;
  } else {
    return { ok: false, status: 415, reason: `content type "${type}" is not supported; send application/json` };
  }
  if (text.trim() === '') return { ok: false, status: 400, reason: 'body is empty; expected a JSON object' };
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, status: 400, reason: `body is not valid JSON: ${(err as Error).message}` };
  }
}

function header(headers: FastifyRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function providerOf(req: FastifyRequest): string {
  return req.url.startsWith('/webhooks/github')
    ? 'github'
    : req.url.startsWith('/webhooks/gitlab')
      ? 'gitlab'
      : 'unknown';
}

function eventOf(req: FastifyRequest): string {
  return header(req.headers, 'x-github-event') ?? header(req.headers, 'x-gitlab-event') ?? 'unknown';
}

// Event names come from the caller: only known ones become label values, so a fuzzer cannot
// create unbounded series.
const knownEvents = new Set([
  'push',
  'pull_request',
  'issues',
  'ping',
  'Push Hook',
  'Merge Request Hook',
  'Issue Hook',
  'Tag Push Hook',
  'Note Hook',
  'Pipeline Hook',
  'Job Hook',
]);
function eventLabel(event: string): string {
  return knownEvents.has(event) ? event : 'other';
}
