import { createHash, createHmac } from 'node:crypto';
import type { ScmProvider } from './events.ts';

/**
 * The repository id and Kafka key: `<provider>:<path>`. GitHub and GitLab paths are
 * case-insensitive on the host, so they are lower-cased: a webhook saying `Codertocat/Hello-World`
 * and a backfill saying `codertocat/hello-world` must land on one key and one partition.
 */
export function repoId(provider: ScmProvider, path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  return `${provider}:${provider === 'github' || provider === 'gitlab' ? trimmed.toLowerCase() : trimmed}`;
}

/** Splits `github:owner/name` into its parts; `undefined` when there is no known provider prefix. */
export function parseRepoId(id: string): { provider: ScmProvider; path: string } | undefined {
  const m = /^(github|gitlab|git|other):(.+)$/.exec(id);
  if (!m?.[1] || !m[2]) return undefined;
  return { provider: m[1] as ScmProvider, path: m[2] };
}

export function commitEventId(repo: string, sha: string): string {
  return `${repo}:${sha.toLowerCase()}`;
}

/**
 * What distinguishes two deliveries of the same action on the same item within one second
 * (SCM times have 1-second resolution): the label added, the person assigned, the reviewer asked,
 * the fields changed. Hashed from the payload, so a redelivery (same payload) gets the same id
 * and "labeled bug" + "labeled p1" in one second get two. Empty when the payload has none.
 */
export function actionDetailKey(payload: unknown): string {
  if (payload === null || typeof payload !== 'object') return '';
  const p = payload as Record<string, unknown>;
  const attrs = (p['object_attributes'] ?? {}) as Record<string, unknown>;
  const detail = {
    label: p['label'] ?? null,
    assignee: p['assignee'] ?? null,
    requested_reviewer: p['requested_reviewer'] ?? null,
    requested_team: p['requested_team'] ?? null,
    changes: p['changes'] ?? null,
    oldrev: attrs['oldrev'] ?? null,
  };
  if (Object.values(detail).every((v) => v === null)) return '';
  return createHash('sha256').update(JSON.stringify(detail)).digest('hex').slice(0, 12);
}

export function pullRequestEventId(repo: string, num: number, action: string, updatedAt: number, detail = ''): string {
  return `${repo}:pr:${num}:${action}:${updatedAt}${detail ? `:${detail}` : ''}`;
}

export function issueEventId(repo: string, num: number, action: string, updatedAt: number, detail = ''): string {
  return `${repo}:issue:${num}:${action}:${updatedAt}${detail ? `:${detail}` : ''}`;
}

/**
 * Pseudonymous person id: HMAC-SHA256 of the normalised identity under a deployment key,
 * 16 hex characters (the width the express history uses). Keyed rather than a bare hash so
 * nobody can hash a known e-mail address and find that person's commits.
 */
export function pseudonym(key: string, identity: string): string {
  let known = pseudonyms.get(key);
  if (known === undefined) {
    known = new Map();
    pseudonyms.set(key, known);
  }
  const cached = known.get(identity);
  if (cached !== undefined) return cached;
  const id = createHmac('sha256', key).update(identity.trim().toLowerCase()).digest('hex').slice(0, 16);
  // A Map iterates in insertion order: the first entry is the oldest.
  if (known.size >= pseudonymCacheSize) known.delete(known.keys().next().value!);
  known.set(identity, id);
  return id;
}

// A repository's commits come from few people, and every commit names two of them: the HMACs
// were a tenth of a webhook's validation time (issue 16's profile). Bounded per key.
const pseudonymCacheSize = 10_000;
const pseudonyms = new Map<string, Map<string, string>>();

/** Redis keys of the dedup window. One namespace per kind so a sha can never collide with a delivery id. */
export const dedupKeys = {
  event: (eventId: string): string => `omen:ingest:event:${eventId}`,
  delivery: (provider: ScmProvider, deliveryId: string): string => `omen:ingest:delivery:${provider}:${deliveryId}`,
} as const;
