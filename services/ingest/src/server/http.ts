import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { FixedWindowLimiter } from './rate-limit.ts';

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

/** The webhook receiver, not yet listening. */
export interface WebhookServer {
  /** The node:http server (its address once listening). */
  readonly server: Server;
  /** Starts listening; resolves with the base URL. */
  listen(at: { host: string; port: number }): Promise<string>;
  /** Answers new requests 503 and resolves once those in flight are answered and the sockets closed. */
  close(): Promise<void>;
}

interface Accepted {
  status: 'accepted' | 'duplicate' | 'ignored';
  delivery?: string;
  published?: number;
  duplicates?: number;
  reason?: string;
  notes?: string[];
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

class ClientAborted extends Error {
  constructor() {
    super('the client closed the connection before the body was complete');
  }
}

/** Retry-After for a 503 whose cause named no time (Kafka down): a broker restart takes this long. */
const defaultRetryAfterSeconds = 30;

const deliveryPattern = /^[A-Za-z0-9._:-]{1,128}$/;

const routes: ReadonlyMap<string, WebhookProvider> = new Map([
  ['/webhooks/github', 'github'],
  ['/webhooks/gitlab', 'gitlab'],
]);

/**
 * The webhook receiver: `POST /webhooks/github` and `POST /webhooks/gitlab`. The body is kept
 * as bytes until the signature or token checks out (the HMAC covers the exact bytes), then
 * parsed, validated, normalised and handed to the pipeline. Answers: 202 once Kafka
 * acknowledged (or for a duplicate / an ignored event type), 401 for a missing or wrong
 * signature, 400 with the reason for bad JSON or a payload that fails validation, 413 above the
 * size limit, 415 for other media types, 429 past the per-source rate limit, 503 with
 * Retry-After while Kafka or Redis is down.
 *
 * node:http directly rather than a framework: two routes with one body type do not need
 * routing, hooks or content-type parsers, and at thousands of deliveries a second those were
 * the largest part of the HTTP cost (issue 16's profile).
 */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { metrics, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 25 * 1024 * 1024;
  const completer = options.completer ?? new PushCompleter({ pseudonymKey: options.normalize.pseudonymKey });
  const limit = options.rateLimit ?? { max: 600, windowMs: 10_000 };
  // Per source, in this process's memory (each replica limits on its own): a flood from one
  // sender, signed or not, costs a map lookup instead of an HMAC over up to 25 MiB.
  const limiter = limit.max > 0 ? new FixedWindowLimiter(limit.max, limit.windowMs) : undefined;
  let closing = false;

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      // The sender went away mid-body: nobody is left to answer.
      if (err instanceof ClientAborted) return void res.destroy();
      logger.error({ err }, 'webhook handler failed');
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  });
  // As fastify had them: no idle cut-off shorter than common load balancers' (60 s).
  server.keepAliveTimeout = 72_000;

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const provider = req.method === 'POST' ? routes.get(path) : undefined;
    if (provider === undefined) {
      req.resume();
      send(res, 404, {
        error: {
          code: 'NOT_FOUND',
          message: `no route ${escapeText(req.method ?? '')} ${escapeText(path)}; webhooks go to POST /webhooks/github or /webhooks/gitlab`,
        },
      });
      return;
    }
    const event = eventOf(req.headers);
    if (closing) {
      req.resume();
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '5');
      send(res, 503, { error: { code: 'UNAVAILABLE', message: 'ingest is shutting down; retry' } });
      return;
    }
    if (limiter) {
      const window = limiter.hit(`${provider}|${req.socket.remoteAddress ?? ''}`);
      res.setHeader('x-ratelimit-limit', String(limit.max));
      res.setHeader('x-ratelimit-remaining', String(window.remaining));
      res.setHeader('x-ratelimit-reset', String(window.resetSeconds));
      if (window.limited) {
        req.resume();
        metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: 'rate_limited' });
        res.setHeader('retry-after', String(window.resetSeconds));
        send(res, 429, {
          error: {
            code: 'RESOURCE_EXHAUSTED',
            message: `more than ${limit.max} requests from this source within ${limit.windowMs} ms; retry in ${window.resetSeconds} s`,
          },
        });
        return;
      }
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: 'too_large' });
      // The rest of the body is not read: the connection cannot carry another request.
      res.setHeader('connection', 'close');
      send(res, 413, {
        error: { code: 'RESOURCE_EXHAUSTED', message: `payload is larger than the ${maxBodyBytes} byte limit` },
      });
      res.once('finish', () => req.destroy());
      return;
    }
    await handle(provider, event, req.headers, body, res);
  }

  async function handle(
    provider: WebhookProvider,
    event: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    try {
      const result = await receive(provider, headers, body);
      metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: result.status });
      if (result.status === 'ignored') metrics.ignored.inc({ provider, event: eventLabel(event) });
      send(res, 202, result);
    } catch (err) {
      if (err instanceof HttpRefusal) {
        metrics.webhooks.inc({ provider, event: eventLabel(event), outcome: err.outcome });
        if (err.status === 401) res.setHeader('www-authenticate', provider === 'github' ? 'HMAC-SHA256' : 'Token');
        send(res, err.status, { error: { code: err.code, message: err.message } });
        return;
      }
      const http = toHttpStatus(err);
      metrics.webhooks.inc({
        provider,
        event: eventLabel(event),
        outcome: http.status === 503 ? 'unavailable' : 'failed',
      });
      if (http.status >= 500) logger.warn({ err, provider, event }, 'webhook not stored');
      for (const [k, v] of Object.entries(http.headers)) res.setHeader(k, v);
      // Every 503 says when to come back, even when the failure (a broker error) did not.
      if (http.status === 503 && http.headers['Retry-After'] === undefined)
        res.setHeader('retry-after', String(defaultRetryAfterSeconds));
      send(res, http.status, http.body);
    }
  }

  async function receive(provider: WebhookProvider, headers: IncomingHttpHeaders, body: Buffer): Promise<Accepted> {
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

  return {
    server,
    listen: ({ host, port }) =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!server.listening) return resolve();
        // Idle keep-alive sockets are closed now, busy ones once their answer is written.
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
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

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function eventOf(headers: IncomingHttpHeaders): string {
  return header(headers, 'x-github-event') ?? header(headers, 'x-gitlab-event') ?? 'unknown';
}

/**
 * The request body as one buffer, or undefined when it is (or announces to be) larger than
 * `max` bytes: reading stops there, so an oversized upload costs no memory.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const announced = Number(req.headers['content-length']);
  if (announced > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', () => reject(new ClientAborted()));
    req.once('close', () => {
      if (!req.complete) reject(new ClientAborted());
    });
  });
}

/** Writes a JSON answer in one go, with its length (no chunked encoding). */
function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
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
