import { repoIdProblem } from '@omen/ids';
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
  const normalized =
    provider === 'github' ? normalizeGithub(event, payload, opts) : normalizeGitlab(event, payload, opts);
  if (normalized.outcome !== 'accepted') return normalized;
  // The id becomes the Kafka key and a ClickHouse value: the shared grammar decides, not the SCM.
  const problem = knownRepoIds.has(normalized.repo.id) ? null : repoIdProblem(normalized.repo.id);
  if (problem === null) rememberRepoId(normalized.repo.id);
  const field = provider === 'github' ? 'repository.full_name' : 'project.path_with_namespace';
  return problem ? { outcome: 'rejected', reason: `${field}: repository id ${problem}` } : normalized;
}

// Ids that passed the grammar: a deployment's webhooks come from few repositories, so the check
// runs once per repository rather than per delivery. Bounded; cleared when full.
const knownRepoIds = new Set<string>();
function rememberRepoId(id: string): void {
  if (knownRepoIds.size >= 10_000) knownRepoIds.clear();
  knownRepoIds.add(id);
}

/** `owner/name` (GitHub) or `group/project` (GitLab) of an unverified payload, for secret lookup. */
export function webhookRepoName(provider: WebhookProvider, payload: unknown): string | undefined {
  return provider === 'github' ? githubRepoName(payload) : gitlabRepoName(payload);
}
