/**
 * Every failure omen reports carries one of these codes. They are the gRPC canonical codes
 * (minus OK) so that a code crosses a gRPC boundary unchanged; HTTP and retry behaviour are
 * derived from the code in one place (`./mapping.ts`).
 */
export const errorCodes = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'DATA_LOSS',
  'UNKNOWN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

export interface OmenErrorOptions {
  cause?: unknown;
  /**
   * Milliseconds after which a retry may succeed; surfaces as gRPC metadata `retry-after-ms`
   * and the HTTP `Retry-After` header.
   */
  retryAfterMs?: number;
  /**
   * A stable UPPER_SNAKE_CASE reason a program can switch on (google.rpc.ErrorInfo.reason),
   * e.g. `MODEL_NOT_SERVED`. @default the code
   */
  reason?: string;
  /**
   * Facts a program may read besides the reason (google.rpc.ErrorInfo.metadata), e.g. the role a
   * method needs. Sent to the caller: never put a secret or an unescaped caller value here.
   */
  info?: Readonly<Record<string, string>>;
  /** Extra structured fields for logs; never sent to clients. */
  [prop: string]: unknown;
}

/**
 * The one base error. `message` is safe to show to a caller: put internals in `cause` or in
 * extra props (logged, not sent).
 */
export class OmenError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly retryAfterMs: number | undefined;
  readonly reason: string | undefined;
  readonly info: Readonly<Record<string, string>>;
  readonly props: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: OmenErrorOptions = {}) {
    const { cause, retryAfterMs, reason, info, ...props } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
    this.info = info ?? {};
    this.props = props;
  }

  /** Structured form for logs (pino serialises this). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.props };
  }
}

export function isOmenError(err: unknown): err is OmenError {
  return err instanceof OmenError;
}

/** A request field is malformed or out of bounds; `field` names it (dot path). */
export class InvalidArgumentError extends OmenError<'INVALID_ARGUMENT'> {
  readonly field: string | undefined;
  constructor(message: string, field?: string, options: OmenErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
    this.field = field;
  }
}

export class NotFoundError extends OmenError<'NOT_FOUND'> {
  /** What was looked up, e.g. `model/jit-v3`. */
  readonly resource: string | undefined;
  constructor(message: string, resource?: string, options: OmenErrorOptions = {}) {
    super('NOT_FOUND', message, options);
    this.resource = resource;
  }
}

export class AlreadyExistsError extends OmenError<'ALREADY_EXISTS'> {
  readonly resource: string | undefined;
  constructor(message: string, resource?: string, options: OmenErrorOptions = {}) {
    super('ALREADY_EXISTS', message, options);
    this.resource = resource;
  }
}

export class PermissionDeniedError extends OmenError<'PERMISSION_DENIED'> {
  constructor(message = 'permission denied', options: OmenErrorOptions = {}) {
    super('PERMISSION_DENIED', message, options);
  }
}

export class UnauthenticatedError extends OmenError<'UNAUTHENTICATED'> {
  constructor(message = 'authentication required', options: OmenErrorOptions = {}) {
    super('UNAUTHENTICATED', message, options);
  }
}

/** A quota or capacity limit was hit; `limit` names it. */
export class ResourceExhaustedError extends OmenError<'RESOURCE_EXHAUSTED'> {
  readonly limit: string | undefined;
  constructor(message: string, options: OmenErrorOptions & { limit?: string } = {}) {
    const { limit, ...rest } = options;
    super('RESOURCE_EXHAUSTED', message, rest);
    this.limit = limit;
  }
}

export class FailedPreconditionError extends OmenError<'FAILED_PRECONDITION'> {
  constructor(message: string, options: OmenErrorOptions = {}) {
    super('FAILED_PRECONDITION', message, options);
  }
}

export class AbortedError extends OmenError<'ABORTED'> {
  constructor(message: string, options: OmenErrorOptions = {}) {
    super('ABORTED', message, options);
  }
}

export class UnimplementedError extends OmenError<'UNIMPLEMENTED'> {
  constructor(message: string, options: OmenErrorOptions = {}) {
    super('UNIMPLEMENTED', message, options);
  }
}

/** A dependency (broker, store, peer) is down; worth retrying, after `retryAfterMs` if given. */
export class UnavailableError extends OmenError<'UNAVAILABLE'> {
  constructor(message: string, options: OmenErrorOptions = {}) {
    super('UNAVAILABLE', message, options);
  }
}

export class DeadlineExceededError extends OmenError<'DEADLINE_EXCEEDED'> {
  constructor(message = 'deadline exceeded', options: OmenErrorOptions = {}) {
    super('DEADLINE_EXCEEDED', message, options);
  }
}

export class CancelledError extends OmenError<'CANCELLED'> {
  constructor(message = 'cancelled', options: OmenErrorOptions = {}) {
    super('CANCELLED', message, options);
  }
}

export class InternalError extends OmenError<'INTERNAL'> {
  constructor(message = 'internal error', options: OmenErrorOptions = {}) {
    super('INTERNAL', message, options);
  }
}

export interface ConfigProblem {
  /** The environment variable, e.g. `GRPC_PORT`. */
  variable: string;
  /** What a valid value looks like, e.g. `an integer port 0-65535`. */
  expected: string;
  /** What was found, already redacted for secret-looking variables. */
  got: string;
}

/**
 * Configuration was refused. Holds every problem found (not just the first) so an operator
 * fixes them in one go; `variable`/`expected`/`got` describe the first.
 */
export class ConfigError extends OmenError<'FAILED_PRECONDITION'> {
  readonly variable: string;
  readonly expected: string;
  readonly got: string;
  readonly problems: readonly ConfigProblem[];

  constructor(
    variable: string,
    expected: string,
    got: string,
    options: OmenErrorOptions & { more?: ConfigProblem[] } = {},
  ) {
    const { more = [], ...rest } = options;
    const problems = [{ variable, expected, got }, ...more];
    super('FAILED_PRECONDITION', problems.map(formatConfigProblem).join('\n'), rest);
    this.variable = variable;
    this.expected = expected;
    this.got = got;
    this.problems = problems;
  }

  static fromProblems(problems: readonly ConfigProblem[]): ConfigError {
    const [first, ...more] = problems;
    if (!first) throw new TypeError('ConfigError.fromProblems needs at least one problem');
    return new ConfigError(first.variable, first.expected, first.got, { more });
  }
}

export function formatConfigProblem(p: ConfigProblem): string {
  return `${p.variable}: expected ${p.expected}, got ${p.got}`;
}
