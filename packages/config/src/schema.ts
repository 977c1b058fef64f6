import { z } from 'zod';
import { Secret } from './secret.ts';

/**
 * Every helper is a zod schema from `string | undefined` (an environment variable) to a typed
 * value. The refusal message is the "expected" phrase, so `loadConfig` can report
 * `VAR: expected <phrase>, got <value>`. An unset or empty variable takes the default, or is
 * refused as required; `.optional()` on any helper makes it `T | undefined` instead.
 */
export type EnvSchema<T> = z.ZodType<T, string | undefined>;

interface Parsed<T> {
  ok: boolean;
  value?: T;
}

function envVar<T>(expected: string, parse: (raw: string) => Parsed<T>, fallback: T | undefined): EnvSchema<T> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined) {
        if (fallback !== undefined) return fallback;
        ctx.issues.push({ code: 'custom', message: expected, input: raw, params: { expected } });
        return z.NEVER;
      }
      const r = parse(raw.trim());
      if (!r.ok) {
        ctx.issues.push({ code: 'custom', message: expected, input: raw, params: { expected } });
        return z.NEVER;
      }
      return r.value as T;
    });
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad: Parsed<never> = { ok: false };

function parseIntStrict(raw: string): number | undefined {
  if (!/^[+-]?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface IntOptions {
  /** Smallest accepted value (inclusive). @default Number.MIN_SAFE_INTEGER */
  min?: number;
  /** Largest accepted value (inclusive). @default Number.MAX_SAFE_INTEGER */
  max?: number;
  /** Value when the variable is unset or empty. @default undefined (required) */
  default?: number;
}

/** An integer within `[min, max]`. */
export function int(options: IntOptions = {}): EnvSchema<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const bounds =
    min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
      ? ''
      : max === Number.MAX_SAFE_INTEGER
        ? ` >= ${min}`
        : min === Number.MIN_SAFE_INTEGER
          ? ` <= ${max}`
          : ` in ${min}..${max}`;
  return envVar(
    `an integer${bounds}`,
    (raw) => {
      const n = parseIntStrict(raw);
      return n !== undefined && n >= min && n <= max ? ok(n) : bad;
    },
    options.default,
  );
}

export interface NumberOptions {
  /** @default -Infinity */
  min?: number;
  /** @default Infinity */
  max?: number;
  /** @default undefined (required) */
  default?: number;
}

/** A finite decimal number within `[min, max]`. */
export function num(options: NumberOptions = {}): EnvSchema<number> {
  const { min = -Infinity, max = Infinity } = options;
  const bounds = Number.isFinite(min) || Number.isFinite(max) ? ` in ${min}..${max}` : '';
  return envVar(
    `a number${bounds}`,
    (raw) => {
      const n = raw === '' ? NaN : Number(raw);
      return Number.isFinite(n) && n >= min && n <= max ? ok(n) : bad;
    },
    options.default,
  );
}

export interface PortOptions {
  /** @default undefined (required) */
  default?: number;
}

/** A TCP port 0-65535 (0 = let the OS pick, useful in tests). */
export function port(options: PortOptions = {}): EnvSchema<number> {
  return envVar(
    'a TCP port 0..65535',
    (raw) => {
      const n = parseIntStrict(raw);
      return n !== undefined && n >= 0 && n <= 65535 ? ok(n) : bad;
    },
    options.default,
  );
}

export interface StrOptions {
  /** @default undefined (required) */
  default?: string;
  /** @default 1 */
  minLength?: number;
  /** Accepted shape, described in errors by `describe`. @default undefined (anything) */
  pattern?: RegExp;
  /** How the pattern reads in an error. @default `matching ${pattern}` */
  describe?: string;
}

/** A plain string. */
export function str(options: StrOptions = {}): EnvSchema<string> {
  const { minLength = 1, pattern } = options;
  const expected = pattern
    ? (options.describe ?? `a string matching ${pattern}`)
    : minLength > 1
      ? `a string of at least ${minLength} characters`
      : 'a non-empty string';
  return envVar(
    expected,
    (raw) => (raw.length >= minLength && (!pattern || pattern.test(raw)) ? ok(raw) : bad),
    options.default,
  );
}

export interface UrlOptions {
  /** Accepted schemes without the colon, e.g. `['http', 'https']`. @default any scheme */
  protocols?: string[];
  /** @default undefined (required) */
  default?: string;
}

/** An absolute URL, returned as the string given (trimmed). */
export function url(options: UrlOptions = {}): EnvSchema<string> {
  const { protocols } = options;
  const expected = protocols
    ? `a URL with scheme ${protocols.join(' or ')} (e.g. ${protocols[0]}://host:port)`
    : 'an absolute URL (scheme://host...)';
  return envVar(
    expected,
    (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return bad;
      }
      return !protocols || protocols.includes(u.protocol.replace(/:$/, '')) ? ok(raw) : bad;
    },
    options.default,
  );
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `2m`, `1h`, `7d`, `1.5s` or a plain number of milliseconds. */
export function parseDurationMs(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * (durationUnits[m[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

export interface DurationOptions {
  /** A number of ms or a duration string. @default undefined (required) */
  default?: number | string;
  /** @default 0 */
  minMs?: number;
  /** @default Infinity */
  maxMs?: number;
}

/** A duration in milliseconds: `500ms`, `30s`, `2m`, `1h`, or plain ms (`1500`). */
export function durationMs(options: DurationOptions = {}): EnvSchema<number> {
  const { minMs = 0, maxMs = Infinity } = options;
  const fallback = typeof options.default === 'string' ? parseDurationMs(options.default) : options.default;
  if (options.default !== undefined && fallback === undefined)
    throw new TypeError(`durationMs default ${JSON.stringify(options.default)} is not a duration`);
  const bounds = Number.isFinite(maxMs)
    ? ` between ${minMs}ms and ${maxMs}ms`
    : minMs > 0
      ? ` of at least ${minMs}ms`
      : '';
  return envVar(
    `a duration like 500ms, 30s, 2m, 1h, 7d or plain milliseconds${bounds}`,
    (raw) => {
      const n = parseDurationMs(raw);
      return n !== undefined && n >= minMs && n <= maxMs ? ok(n) : bad;
    },
    fallback,
  );
}

const truthy = new Set(['true', '1', 'yes', 'on']);
const falsy = new Set(['false', '0', 'no', 'off']);

export interface BoolOptions {
  /** @default undefined (required) */
  default?: boolean;
}

/** A boolean: true/false, 1/0, yes/no, on/off (any case). */
export function bool(options: BoolOptions = {}): EnvSchema<boolean> {
  return envVar(
    'a boolean (true/false, 1/0, yes/no, on/off)',
    (raw) => {
      const v = raw.toLowerCase();
      return truthy.has(v) ? ok(true) : falsy.has(v) ? ok(false) : bad;
    },
    options.default,
  );
}

export interface ListOptions {
  /** @default ',' */
  separator?: string;
  /** @default undefined (required) */
  default?: string[];
  /** Fewest items accepted. @default 1 */
  minItems?: number;
  /** A check per item, e.g. `(s) => /^[a-z0-9.-]+:\d+$/.test(s)`, with its description. */
  item?: { test: (item: string) => boolean; describe: string };
}

/** A separated list (`a,b, c`), trimmed, empty items dropped. */
export function list(options: ListOptions = {}): EnvSchema<string[]> {
  const { separator = ',', minItems = 1, item } = options;
  const what = item ? item.describe : 'item';
  const expected = `a '${separator}'-separated list of ${minItems > 1 ? `at least ${minItems} ` : ''}${what}${what.endsWith('s') ? '' : 's'}`;
  return envVar(
    expected,
    (raw) => {
      const items = raw
        .split(separator)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      return items.length >= minItems && (!item || items.every(item.test)) ? ok(items) : bad;
    },
    options.default,
  );
}

export interface EnumOptions<T extends string> {
  /** @default undefined (required) */
  default?: T;
}

/** One of a fixed set of strings (exact match). */
export function enumOf<const T extends string>(values: readonly T[], options: EnumOptions<T> = {}): EnvSchema<T> {
  return envVar(
    `one of ${values.join(', ')}`,
    (raw) => ((values as readonly string[]).includes(raw) ? ok(raw as T) : bad),
    options.default,
  );
}

export interface SecretOptions {
  /** @default 1 */
  minLength?: number;
}

/**
 * A credential, wrapped in `Secret` so it prints as `[redacted]`. Required unless
 * `.optional()`; secrets have no defaults on purpose (a default secret is a shared secret).
 */
export function secret(options: SecretOptions = {}): EnvSchema<Secret> {
  const { minLength = 1 } = options;
  return envVar(
    minLength > 1 ? `a secret of at least ${minLength} characters` : 'a non-empty secret',
    (raw) => (raw.length >= minLength ? ok(new Secret(raw)) : bad),
    undefined,
  );
}
