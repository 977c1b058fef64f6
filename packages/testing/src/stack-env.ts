import { STACK_ENV_KEYS, readStackEnv, type StackEnvKey } from '@omen/stack';

/** The engines' addresses, every one present. */
export type StackEnvironment = Readonly<Record<StackEnvKey, string>>;

/**
 * Where the dev engines are: each variable from the process environment first, then from
 * `.omen/stack.env` at the repository root. Throws, naming what is missing, when the stack is
 * not up; pass keys to require only those.
 */
export function stackEnv(): StackEnvironment;
export function stackEnv<K extends StackEnvKey>(...keys: K[]): Readonly<Pick<StackEnvironment, K>>;
export function stackEnv(...keys: StackEnvKey[]): Partial<StackEnvironment> {
  const wanted = keys.length > 0 ? keys : [...STACK_ENV_KEYS];
  const env = readStackEnv();
  const missing = wanted.filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set and not in .omen/stack.env: run ./scripts/omen stack up (or export them to use other engines)`,
    );
  }
  const out: Partial<Record<StackEnvKey, string>> = {};
  for (const k of wanted) out[k] = env[k]!;
  return out;
}
