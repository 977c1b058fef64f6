// The grammar of every id and name that crosses a service boundary (gRPC fields, webhook payloads,
// Kafka keys, CLI arguments), in one place. Ids become Kafka keys, Redis keys, ClickHouse values,
// file names and log fields, so each is a short run of printable ASCII from a safe set: no
// control characters, NUL, bidi overrides, U+FFFF or other non-ASCII, no quotes or backslashes,
// no `.`/`..` path segments. Checked by pattern and length, never echoed back whole.
import { InvalidArgumentError } from '@omen/errors';

/** Longest accepted value of each kind, in characters. */
export const ID_LIMITS = {
  /** `github:owner/name`, `gitlab:group/…/project`, `git:name`. */
  repoId: 256,
  /** Model names, versions, aliases (they become registry paths). */
  name: 128,
  /** Experiment ids, run ids, request ids. */
  id: 128,
} as const;

const githubOwner = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})';
const githubName = '[A-Za-z0-9._-]{1,100}';
// GitLab group, subgroup and project paths; also the segments of a git mirror's name.
const segment = '[A-Za-z0-9_][A-Za-z0-9._-]{0,99}';
const repoPatterns: Record<string, RegExp> = {
  github: new RegExp(`^${githubOwner}/${githubName}$`),
  gitlab: new RegExp(`^${segment}(?:/${segment}){1,19}$`),
  git: new RegExp(`^${segment}(?:/${segment}){0,19}$`),
  other: new RegExp(`^${segment}(?:/${segment}){0,19}$`),
};
const repoGrammar =
  'github:owner/name, gitlab:group/.../project or git:name, of letters, digits, ".", "_" and "-" in "/"-separated segments';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const shaPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const shaPrefixPattern = /^[0-9a-f]{7,64}$/;

/** Why `value` is not a repository id, or null when it is one. */
export function repoIdProblem(value: string): string | null {
  if (value.length === 0) return 'is required';
  if (value.length > ID_LIMITS.repoId) return `is ${value.length} characters; at most ${ID_LIMITS.repoId}`;
  const colon = value.indexOf(':');
  const provider = colon > 0 ? value.slice(0, colon) : '';
  const pattern = repoPatterns[provider];
  const path = value.slice(colon + 1);
  if (!pattern) return `must start with github:, gitlab: or git: (${repoGrammar}); got ${shown(value)}`;
  if (!pattern.test(path) || path.split('/').some((s) => s === '.' || s === '..'))
    return `must be ${repoGrammar}; got ${shown(value)}`;
  return null;
}

/** Whether `value` is a model name, version or alias (checkName without the throw). */
export function isName(value: string): boolean {
  return namePattern.test(value);
}

/** A full commit id: 40 (SHA-1) or 64 (SHA-256) lower-case hex characters. */
export function isFullSha(value: string): boolean {
  return shaPattern.test(value);
}

/**
 * Whether `value` can stand for a commit a person typed: 7 to 64 lower-case hex characters, the
 * shortest abbreviation git prints by default up to a full SHA-256 id. Only for matching against
 * full shas (`full.startsWith(prefix)`); ids that cross a service boundary are full (isFullSha).
 */
export function isShaPrefix(value: string): boolean {
  return shaPrefixPattern.test(value);
}

/** Throws INVALID_ARGUMENT naming `field` unless `value` is a repository id; returns it. */
export function checkRepoId(value: string, field = 'repo_id'): string {
  const problem = repoIdProblem(value);
  if (problem) throw new InvalidArgumentError(`${field} ${problem}`, field);
  return value;
}

/** Throws INVALID_ARGUMENT naming `field` unless `value` is a full lower-case commit sha; returns it. */
export function checkSha(value: string, field = 'sha'): string {
  if (!isFullSha(value))
    throw new InvalidArgumentError(
      `${field} must be a full commit id: 40 or 64 lower-case hex characters; got ${shown(value)}`,
      field,
    );
  return value;
}

/**
 * Throws INVALID_ARGUMENT naming `field` unless `value` is a model name, version or alias: 1-128
 * letters, digits, ".", "_" or "-", not starting with a symbol (it becomes a registry path).
 */
export function checkName(value: string, field: string): string {
  if (value === '') throw new InvalidArgumentError(`${field} is required`, field);
  if (!namePattern.test(value)) {
    throw new InvalidArgumentError(
      `${field} must be 1-${ID_LIMITS.name} letters, digits, ".", "_" or "-" (not starting with a symbol); got ${shown(value)}`,
      field,
    );
  }
  return value;
}

/** Throws INVALID_ARGUMENT naming `field` unless `value` is an experiment, run or request id (names plus ":"). */
export function checkId(value: string, field: string): string {
  if (value === '') throw new InvalidArgumentError(`${field} is required`, field);
  if (!idPattern.test(value)) {
    throw new InvalidArgumentError(
      `${field} must be 1-${ID_LIMITS.id} letters, digits, ".", "_", ":" or "-" (not starting with a symbol); got ${shown(value)}`,
      field,
    );
  }
  return value;
}

/**
 * A refused value as it may be shown: JSON-escaped (so a newline or bidi override cannot forge
 * a log line or reorder the message) and cut at 40 characters with the full length said.
 */
export function shown(value: string): string {
  if (value.length <= 40) return escapeAll(value);
  return `${escapeAll(value.slice(0, 40))}... (${value.length} characters)`;
}

// JSON.stringify leaves U+2028/9, bidi controls and other non-ASCII readable: escape every one.
function escapeAll(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
