// GitLab commit statuses and merge-request notes through @gitbeaker/core, with a request
// handler of our own under it: gitbeaker's stock one (@gitbeaker/rest) retries 429 on a fixed
// exponential schedule and never reads Retry-After, which GitLab sends with every 429. This one
// waits what Retry-After (seconds or an HTTP date) says, bounded, and otherwise parses answers
// as the stock handler does. A commit status is naturally idempotent (GitLab keeps the latest per
// sha and name); the note is found by its marker and edited in place.
import { Gitlab } from '@gitbeaker/core';
import {
  GitbeakerRequestError,
  createRequesterFn,
  type FormattedResponse,
  type RequestOptions,
} from '@gitbeaker/requester-utils';
import { backoffDelayMs } from '@omen/service/retry';
import type { Logger } from '@omen/telemetry';
import { CHECK_NAME, NOTE_MARKER, type Rendered } from '../domain/summary.ts';

export interface GitlabOptions {
  /** e.g. https://gitlab.com */
  host: string;
  token: string;
  logger: Logger;
  /** Attempts after a 429/502/503. @default 3 */
  maxRetries?: number;
  /** Longest single wait, ms (a Retry-After beyond it is capped). @default 60000 */
  maxWaitMs?: number;
}

/** Milliseconds a Retry-After header asks for, or undefined when it says nothing usable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function handler(options: Required<Pick<GitlabOptions, 'maxRetries' | 'maxWaitMs'>> & { logger: Logger }) {
  return async (endpoint: string, opts?: Record<string, unknown>): Promise<FormattedResponse> => {
    const {
      prefixUrl,
      searchParams,
      method,
      asStream: _s,
      rateLimiters: _r,
      agent: _a,
      ...rest
    } = (opts ?? {}) as RequestOptions & { prefixUrl?: string; searchParams?: string; method?: string };
    const url = new URL(endpoint, prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl ?? ''}/`);
    url.search = searchParams ?? '';
    for (let attempt = 0; ; attempt++) {
      const request = new Request(url, { ...(rest as RequestInit), ...(method ? { method } : {}) });
      const response = await fetch(request);
      if (response.ok) {
        const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
        const body =
          response.status === 204
            ? null
            : type === 'application/json'
              ? (((await response.json()) as object) ?? {})
              : await response.text();
        return {
          body,
          headers: Object.fromEntries(response.headers.entries()),
          status: response.status,
        } as FormattedResponse;
      }
      const retryable = response.status === 429 || response.status === 502 || response.status === 503;
      if (retryable && attempt < options.maxRetries) {
        const wait = Math.min(
          options.maxWaitMs,
          retryAfterMs(response.headers.get('retry-after')) ??
            backoffDelayMs(attempt + 1, { initialDelayMs: 250, maxDelayMs: Infinity, jitter: 0 }),
        );
        options.logger.warn(
          { status: response.status, wait, url: url.pathname, attempt },
          'gitlab asked to slow down: waiting Retry-After before the retry',
        );
        await response.body?.cancel();
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const text = await response.text();
      let description = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
        const m = parsed.error ?? parsed.message;
        if (m !== undefined) description = typeof m === 'string' ? m : JSON.stringify(m).slice(0, 300);
      } catch {
        // Not JSON: the text itself.
      }
      throw new GitbeakerRequestError(description, { cause: { description, request, response } });
    }
  };
}

export interface MergeRequestRef {
  /** Project path, `group/sub/project`. */
  project: string;
  iid: number;
}

export class GitlabStatuses {
  readonly #api: InstanceType<typeof Gitlab<false>>;

  constructor(options: GitlabOptions) {
    const requesterFn = createRequesterFn(
      (_service, req) => Promise.resolve(req),
      handler({ maxRetries: options.maxRetries ?? 3, maxWaitMs: options.maxWaitMs ?? 60_000, logger: options.logger }),
    );
    this.#api = new Gitlab({ host: options.host, token: options.token, requesterFn });
  }

  /** Sets the commit's status (`name` = CHECK_NAME: GitLab replaces the previous one of that name). */
  async status(project: string, sha: string, rendered: Rendered): Promise<void> {
    await this.#api.Commits.editStatus(project, sha, rendered.gitlabState, {
      name: CHECK_NAME,
      description: rendered.description,
    });
  }

  /** Creates or edits the merge request's omen note; returns its id. */
  async note(mr: MergeRequestRef, body: string, knownId?: number): Promise<number> {
    let id = knownId;
    if (id === undefined) {
      const notes = await this.#api.MergeRequestNotes.all(mr.project, mr.iid, {
        sort: 'desc',
        orderBy: 'updated_at',
        perPage: 100,
        maxPages: 3,
      });
      id = notes.find((n) => typeof n.body === 'string' && n.body.startsWith(NOTE_MARKER))?.id;
    }
    if (id !== undefined) {
      await this.#api.MergeRequestNotes.edit(mr.project, mr.iid, id, { body });
      return id;
    }
    const created = await this.#api.MergeRequestNotes.create(mr.project, mr.iid, body);
    return created.id;
  }
}
