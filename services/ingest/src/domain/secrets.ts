import { repoId } from './ids.ts';
import type { WebhookProvider } from './webhook.ts';

export interface WebhookSecretsConfig {
  /** Secrets for every GitHub repository without its own (several while rotating). */
  github?: readonly string[];
  /** Tokens for every GitLab project without its own. */
  gitlab?: readonly string[];
  /** Repository id (`github:owner/name`, `gitlab:group/project`) → its own secrets. */
  perRepo?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Which secrets may sign a delivery. A repository with its own secrets accepts only those (a
 * leaked global secret cannot forge its events); the others accept the global ones.
 */
export class WebhookSecrets {
  readonly #config: WebhookSecretsConfig;

  constructor(config: WebhookSecretsConfig) {
    this.#config = config;
  }

  forRepo(provider: WebhookProvider, repoName: string | undefined): readonly string[] {
    if (repoName !== undefined) {
      const own = this.#config.perRepo?.get(repoId(provider, repoName));
      if (own) return own;
    }
    return (provider === 'github' ? this.#config.github : this.#config.gitlab) ?? [];
  }

  /** Whether any secret exists for the provider at all (else its route is not served). */
  configured(provider: WebhookProvider): boolean {
    const global = provider === 'github' ? this.#config.github : this.#config.gitlab;
    if (global && global.length > 0) return true;
    return [...(this.#config.perRepo?.keys() ?? [])].some((k) => k.startsWith(`${provider}:`));
  }
}

/**
 * Per-repository secrets from `{"github:owner/name": "secret" | ["old", "new"], ...}`; keys are
 * normalised like repository ids. Throws a message naming the bad entry.
 */
export function parseRepoSecrets(json: string): Map<string, string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('expected a JSON object of repository id → secret(s)');
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const m = /^(github|gitlab):(.+)$/.exec(key);
    if (!m?.[1] || !m[2]) throw new Error(`key "${key}" must be github:owner/name or gitlab:group/project`);
    const secrets = typeof value === 'string' ? [value] : value;
    if (
      !Array.isArray(secrets) ||
      secrets.length === 0 ||
      !secrets.every((s) => typeof s === 'string' && s.length > 0)
    ) {
      throw new Error(`"${key}" must map to a non-empty secret or a list of them`);
    }
    out.set(repoId(m[1] as WebhookProvider, m[2]), secrets as string[]);
  }
  return out;
}
