import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '@omen/errors';
import { describeValue } from './secret.ts';

/** A config schema: environment variable name → schema (the helpers in `./schema.ts`, or any zod type). */
export type ConfigShape = Record<string, z.ZodType>;

export type ConfigOf<S extends ConfigShape> = z.output<z.ZodObject<S>>;

export type Env = Record<string, string | undefined>;

/**
 * Reads `schema`'s variables from `env` and returns the typed config, or throws one
 * `ConfigError` listing every refused variable (expected vs got, secrets never echoed).
 * Empty values count as unset, as `FOO=` in a compose file or manifest usually means "no value".
 */
export function loadConfig<S extends ConfigShape>(schema: S, env: Env = process.env): ConfigOf<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema)) {
    const raw = env[key];
    input[key] = raw === undefined || raw.trim() === '' ? undefined : raw;
  }
  const result = z.object(schema).safeParse(input);
  if (result.success) return result.data;

  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(config)');
    if (seen.has(variable)) continue; // one line per variable is enough to fix it
    seen.add(variable);
    const params = (issue as { params?: { expected?: unknown } }).params;
    const expected = typeof params?.expected === 'string' ? params.expected : zodExpected(issue);
    problems.push({ variable, expected, got: describeValue(variable, input[variable]) });
  }
  throw ConfigError.fromProblems(problems);
}

// For plain zod types in a shape (not our helpers), zod's message ("Invalid input: expected
// string, received undefined") is the best available description; keep it short.
function zodExpected(issue: z.core.$ZodIssue): string {
  return issue.message.replace(/^Invalid input: expected /i, '').replace(/, received .*$/, '');
}

/** Exit status for a refused configuration: EX_CONFIG from sysexits.h, distinct from a crash (1). */
export const CONFIG_EXIT_CODE = 78;

export interface ExitOptions {
  /** Where the problem lines go. @default process.stderr */
  stderr?: { write(chunk: string): unknown };
  /** @default process.exit */
  exit?: (code: number) => never;
}

/**
 * Runs `fn`; if it throws a `ConfigError`, prints one line per problem
 * (`config error: GRPC_PORT: expected ..., got "..."`) and exits with `CONFIG_EXIT_CODE`,
 * so a misconfigured container fails fast and says why, instead of crash-looping on a stack trace.
 * Other errors are rethrown.
 */
export async function exitOnConfigError<T>(fn: () => T | Promise<T>, options: ExitOptions = {}): Promise<T> {
  const { stderr = process.stderr, exit = (code: number) => process.exit(code) } = options;
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) stderr.write(`config error: ${p.variable}: expected ${p.expected}, got ${p.got}\n`);
    return exit(CONFIG_EXIT_CODE);
  }
}
