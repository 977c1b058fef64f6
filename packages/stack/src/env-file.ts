import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stackPaths, type StackPathOptions } from './paths.ts';

/** The variables through which everything finds the engines. */
export const STACK_ENV_KEYS = [
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'CLICKHOUSE_URL',
  'REDIS_URL',
  'NATS_URL',
  'PROMETHEUS_URL',
] as const;
export type StackEnvKey = (typeof STACK_ENV_KEYS)[number];

/**
 * Settings `stack up` writes beside the addresses, only in cluster mode (so never required):
 * CLICKHOUSE_CLUSTER names the `remote_servers` cluster the schema's ON CLUSTER DDL and
 * Distributed tables use (CLICKHOUSE_URL then points at its first node); OMEN_CLUSTER=1 says the
 * clustered forms run (REDIS_URL is then `redis-cluster://host:port,...` and NATS_URL lists the
 * servers, comma-separated), which the cluster-only integration tests wait for.
 */
export const STACK_SETTING_KEYS = ['CLICKHOUSE_CLUSTER', 'OMEN_CLUSTER'] as const;
export type StackSettingKey = (typeof STACK_SETTING_KEYS)[number];

/** Everything `.omen/stack.env` may hold, in the order it is written. */
export const STACK_FILE_KEYS: readonly (StackEnvKey | StackSettingKey)[] = [...STACK_ENV_KEYS, ...STACK_SETTING_KEYS];
export type StackEnv = Partial<Record<StackEnvKey | StackSettingKey, string>>;

/** `KEY=value` lines; blank lines and `#` comments are skipped, unknown keys kept. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    out[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return out;
}

export function formatEnvFile(env: StackEnv): string {
  return STACK_FILE_KEYS.filter((k) => env[k])
    .map((k) => `${k}=${env[k]}\n`)
    .join('');
}

/** What `.omen/stack.env` says (empty when there is none). */
export function readStackEnvFile(options: StackPathOptions = {}): StackEnv {
  const file = stackPaths(options).envFile;
  if (!existsSync(file)) return {};
  const parsed = parseEnvFile(readFileSync(file, 'utf8'));
  const out: StackEnv = {};
  for (const k of STACK_FILE_KEYS) if (parsed[k]) out[k] = parsed[k];
  return out;
}

export function writeStackEnvFile(env: StackEnv, options: StackPathOptions = {}): string {
  const file = stackPaths(options).envFile;
  // Through a rename: a test starting meanwhile reads the old file or the new one, never half.
  writeFileSync(`${file}.tmp`, formatEnvFile(env));
  renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * The engines' addresses: each variable from the process environment when set there, else from
 * `.omen/stack.env` (written by `./scripts/omen stack up`).
 */
export function readStackEnv(options: StackPathOptions & { env?: NodeJS.ProcessEnv } = {}): StackEnv {
  const env = options.env ?? process.env;
  const file = readStackEnvFile(options);
  const out: StackEnv = {};
  for (const k of STACK_FILE_KEYS) {
    const value = env[k] || file[k];
    if (value) out[k] = value;
  }
  return out;
}
