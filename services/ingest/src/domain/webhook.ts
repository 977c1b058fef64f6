import { githubRepoName, normalizeGithub } from './github.ts';
import { gitlabRepoName, normalizeGitlab } from './gitlab.ts';
import type { Normalized, NormalizeOptions } from './normalize.ts';

export type WebhookProvider = 'github' | 'gitlab';

/** Turns one verified webhook delivery into events, or says why it is ignored or rejected. */
export function normalizeWebhook(
  provider: WebhookProvider,
  event: string,
  payload: unknown,
  opts: NormalizeOptions,
): Normalized {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { outcome: 'rejected', reason: 'payload must be a JSON object' };
  }
  return provider === 'github' ? normalizeGithub(event, payload, opts) : normalizeGitlab(event, payload, opts);
}

/** `owner/name` (GitHub) or `group/project` (GitLab) of an unverified payload, for secret lookup. */
export function webhookRepoName(provider: WebhookProvider, payload: unknown): string | undefined {
  return provider === 'github' ? githubRepoName(payload) : gitlabRepoName(payload);
}
