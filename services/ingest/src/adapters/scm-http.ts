import { NotFoundError, OmenError, PermissionDeniedError, UnauthenticatedError, UnavailableError } from '@omen/errors';
import { backoffDelayMs } from '@omen/service/retry';

// One small fetch-based client for both SCM APIs instead of @octokit/rest + its throttling
// plugin and a GitLab SDK: ingest needs two GET endpoints, and one retry/rate-limit policy for
// both SCMs is easier to reason about (and to bound inside a webhook's latency) than two.

export interface ScmHttpOptions {
  /** Total tries per request, the first included. @default 4 */
  maxAttempts?: number;
  /** First backoff step; doubles per retry, with full jitter. @default 250 */
  baseDelayMs?: number;
  /** Ceiling of one backoff step. @default 5000 */
  maxDelayMs?: number;
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number;
  /**
   * The longest wait a Retry-After or rate-limit reset may impose inside one request. Longer
   * waits fail at once with UNAVAILABLE carrying `retryAfterMs`, so a webhook is answered 503
   * with Retry-After instead of being held open. @default 30000
   */
  maxWaitMs?: number;
  /** For tests: how waiting happens. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: the clock. @default Date.now */
  now?: () => number;
  /** For tests: the jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Called for every retry, e.g. to count it. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface ScmResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GETs JSON from an SCM API with bounded retries: 5xx, timeouts and network errors back off
 * exponentially; 429 and rate-limited 403 wait for Retry-After or the rate-limit reset (GitHub
 * `x-ratelimit-*`, GitLab `RateLimit-*`); a window that ran out on an earlier response blocks
 * later requests until its reset instead of spending them. 401, 403 and 404/422 are final.
 */
export class ScmHttpClient {
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #onRetry: ScmHttpOptions['onRetry'];
  #blockedUntil = 0;
  readonly #name: string;
  readonly #defaultHeaders: Readonly<Record<string, string>>;

  constructor(name: string, defaultHeaders: Readonly<Record<string, string>>, options: ScmHttpOptions = {}) {
    this.#name = name;
    this.#defaultHeaders = defaultHeaders;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxWaitMs = options.maxWaitMs ?? 30_000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
  }

  async getJson(url: string): Promise<ScmResponse> {
    let lastReason = '';
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      await this.#waitForWindow(url);
      let response: Response;
      try {
        response = await fetch(url, { headers: this.#defaultHeaders, signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (err) {
        lastReason = describeFetchError(err, this.#timeoutMs);
        await this.#backoff(url, attempt, lastReason);
        continue;
      }
      this.#noteRateLimit(response.headers);
      if (response.ok) {
        const text = await response.text();
        try {
          return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
        } catch {
          throw new OmenError('DATA_LOSS', `${this.#name} answered ${url} with a body that is not JSON`);
        }
      }
      const detail = await errorDetail(response);
      const limitedFor = this.#rateLimitWait(response);
      if (limitedFor !== undefined) {
        lastReason = `${response.status} rate limited${detail}`;
        if (limitedFor > this.#maxWaitMs || attempt === this.#maxAttempts) {
          throw new UnavailableError(`${this.#name} rate limit: retry in ${Math.ceil(limitedFor / 1000)} s`, {
            retryAfterMs: limitedFor,
            url,
          });
        }
        this.#onRetry?.({ url, attempt, delayMs: limitedFor, reason: lastReason });
        await this.#sleep(limitedFor);
        continue;
      }
      if (response.status === 401) throw new UnauthenticatedError(`${this.#name} refused the API token (401)${detail}`);
      if (response.status === 403)
        throw new PermissionDeniedError(`${this.#name} denied access to ${url} (403)${detail}`);
      if (response.status === 404 || response.status === 422) {
        throw new NotFoundError(`${this.#name} has no such commit (${response.status})${detail}`, url);
      }
      if (response.status >= 500 || response.status === 408) {
        lastReason = `${response.status}${detail}`;
        await this.#backoff(url, attempt, lastReason);
        continue;
      }
      throw new OmenError('FAILED_PRECONDITION', `${this.#name} answered ${response.status} for ${url}${detail}`);
    }
    throw new UnavailableError(`${this.#name} unreachable after ${this.#maxAttempts} attempts: ${lastReason}`, {
      retryAfterMs: this.#maxDelayMs,
      url,
    });
  }

  async #backoff(url: string, attempt: number, reason: string): Promise<void> {
    if (attempt >= this.#maxAttempts) return;
    const delayMs = backoffDelayMs(
      attempt,
      { initialDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs, jitter: 1 },
      this.#random,
    );
    this.#onRetry?.({ url, attempt, delayMs, reason });
    await this.#sleep(delayMs);
  }

  async #waitForWindow(url: string): Promise<void> {
    const wait = this.#blockedUntil - this.#now();
    if (wait <= 0) return;
    if (wait > this.#maxWaitMs) {
      throw new UnavailableError(`${this.#name} rate limit exhausted: retry in ${Math.ceil(wait / 1000)} s`, {
        retryAfterMs: wait,
        url,
      });
    }
    await this.#sleep(wait);
  }

  /** Remembers an exhausted window so the next request waits for its reset up front. */
  #noteRateLimit(headers: Headers): void {
    const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
    const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
    if (remaining !== null && Number(remaining) <= 0 && reset !== null && Number.isFinite(Number(reset))) {
      this.#blockedUntil = Math.max(this.#blockedUntil, Number(reset) * 1000);
    }
  }

  /** Milliseconds to wait when the response says "rate limited"; undefined when it does not. */
  #rateLimitWait(response: Response): number | undefined {
    const h = response.headers;
    const retryAfter = parseRetryAfter(h.get('retry-after'), this.#now());
    if (response.status === 429 || (response.status === 403 && retryAfter !== undefined)) {
      return retryAfter ?? this.#resetWait(h) ?? this.#maxDelayMs;
    }
    if (response.status === 403) {
      const remaining = h.get('x-ratelimit-remaining') ?? h.get('ratelimit-remaining');
      if (remaining !== null && Number(remaining) <= 0) return this.#resetWait(h) ?? this.#maxDelayMs;
    }
    return undefined;
  }

  #resetWait(h: Headers): number | undefined {
    const reset = h.get('x-ratelimit-reset') ?? h.get('ratelimit-reset');
    if (reset === null || !Number.isFinite(Number(reset))) return undefined;
    return Math.max(0, Number(reset) * 1000 - this.#now());
  }
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

async function errorDetail(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 300);
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return cause ?? (err instanceof Error ? err.message : String(err));
}
