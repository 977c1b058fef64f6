import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { InvalidArgumentError, NotFoundError, OmenError, isErrorCode, isOmenError, type ErrorCode } from './errors.ts';
import {
  ERROR_DOMAIN,
  STATUS_DETAILS_KEY,
  decodeStatusDetails,
  encodeStatusDetails,
  type StatusDetails,
} from './status-details.ts';
import { MAX_ECHOED_CHARS, decodeMetadataValue, encodeMetadataValue, escapeText, safeMessage } from './text.ts';

/** Metadata keys omen puts on a failed gRPC call besides code and message. */
export const metadataKeys = {
  /** The request field an INVALID_ARGUMENT refers to (non-ASCII percent-encoded, as every value here). */
  field: 'omen-field',
  /** The resource a NOT_FOUND / ALREADY_EXISTS refers to. */
  resource: 'omen-resource',
  /** When a retry may succeed, in ms; the standard pushback key that grpc retry policies read. */
  retryPushbackMs: 'grpc-retry-pushback-ms',
} as const;

const grpcCodeOf: Record<ErrorCode, GrpcStatus> = {
  CANCELLED: GrpcStatus.CANCELLED,
  UNKNOWN: GrpcStatus.UNKNOWN,
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ABORTED: GrpcStatus.ABORTED,
  OUT_OF_RANGE: GrpcStatus.OUT_OF_RANGE,
  UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  INTERNAL: GrpcStatus.INTERNAL,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DATA_LOSS: GrpcStatus.DATA_LOSS,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
};

// The mapping google.rpc.Code documents; 499 is the de-facto "client closed request".
const httpStatusOf: Record<ErrorCode, number> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

const INTERNAL_MESSAGE = 'internal error';

export interface GrpcStatusObject {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

/**
 * The one translation from a thrown value to a gRPC status. OmenErrors keep their code and
 * message; anything else becomes INTERNAL with a generic message, because an arbitrary
 * error's message may carry internals (SQL, hostnames, stack details) that callers must not see.
 *
 * The message is made one safe line (controls and bidi characters escaped, length capped) and
 * every value in the metadata is encoded, because messages and resources echo what a caller
 * sent and grpc-js throws on a metadata value outside printable ASCII. Besides the code and
 * message the status carries `google.rpc.Status` details in `grpc-status-details-bin`
 * (ErrorInfo with a stable reason in the omen.dev domain; BadRequest, ResourceInfo and
 * RetryInfo where they apply) for any gRPC client, and the same facts in omen's own readable
 * keys (`metadataKeys`).
 */
export function toGrpcStatus(err: unknown): GrpcStatusObject {
  const metadata = new Metadata();
  if (!isOmenError(err)) {
    return { code: GrpcStatus.INTERNAL, details: INTERNAL_MESSAGE, metadata };
  }
  const code = grpcCodeOf[err.code];
  let details = err.message;
  const info: Record<string, string> = { ...err.info };
  const facts: StatusDetails = {};
  if (err instanceof InvalidArgumentError && err.field !== undefined) {
    const field = wellFormed(err.field);
    info['field'] = field;
    metadata.set(metadataKeys.field, encodeMetadataValue(field));
    if (!mentions(details, field)) details = `${escapeText(field)}: ${details}`;
  }
  details = safeMessage(details);
  if (err instanceof InvalidArgumentError && err.field !== undefined) {
    facts.badRequest = { fieldViolations: [{ field: info['field'] ?? '', description: details }] };
  }
  const resource = resourceOf(err);
  if (resource !== undefined) {
    const name = wellFormed(resource);
    info['resource'] = name;
    metadata.set(metadataKeys.resource, encodeMetadataValue(name));
    const slash = name.indexOf('/');
    facts.resourceInfo = { resourceType: slash > 0 ? name.slice(0, slash) : '', resourceName: name, description: '' };
  }
  if (err.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(err.retryAfterMs));
    metadata.set(metadataKeys.retryPushbackMs, String(ms));
    facts.retryInfo = { retryDelayMs: ms };
  }
  facts.errorInfo = { reason: err.reason ?? err.code, domain: ERROR_DOMAIN, metadata: info };
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(code, details, facts));
  return { code, details, metadata };
}

// Whether a message already names the field, ignoring spacing (`inputs[0][0, 0]` names `inputs[0][0,0]`).
function mentions(message: string, field: string): boolean {
  const squeeze = (s: string) => s.replace(/\s+/g, '');
  return squeeze(message).includes(squeeze(field));
}

// Protobuf strings must be UTF-8, which has no form for an unpaired surrogate; clients in Go or
// Java would refuse the whole status. Truncated too, so a 1 MB id cannot swell the trailers.
function wellFormed(value: string): string {
  // A code point is at most two UTF-16 units, so the first 2 × MAX units hold the first MAX code points.
  const head = [...value.slice(0, MAX_ECHOED_CHARS * 2)].slice(0, MAX_ECHOED_CHARS).join('');
  return new TextDecoder().decode(new TextEncoder().encode(head));
}

function resourceOf(err: OmenError): string | undefined {
  if (err instanceof NotFoundError) return err.resource;
  const r = (err as { resource?: unknown }).resource;
  return typeof r === 'string' ? r : undefined;
}

export interface HttpErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export interface HttpErrorResponse {
  status: number;
  body: HttpErrorBody;
  headers: Record<string, string>;
}

/** The one translation from a thrown value to an HTTP response (same secrecy rule as gRPC). */
export function toHttpStatus(err: unknown): HttpErrorResponse {
  if (!isOmenError(err)) {
    return { status: 500, body: { error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } }, headers: {} };
  }
  const headers: Record<string, string> = {};
  if (err.retryAfterMs !== undefined) {
    // Retry-After is whole seconds; round up so a client never retries early.
    headers['Retry-After'] = String(Math.max(0, Math.ceil(err.retryAfterMs / 1000)));
  }
  if (err.code === 'UNAUTHENTICATED') headers['WWW-Authenticate'] = 'Bearer';
  const body: HttpErrorBody = { error: { code: err.code, message: safeMessage(err.message) } };
  if (err instanceof InvalidArgumentError && err.field !== undefined) body.error.field = err.field;
  return { status: httpStatusOf[err.code], body, headers };
}

/** The gRPC status number for an omen code. */
export function grpcCodeFor(code: ErrorCode): GrpcStatus {
  return grpcCodeOf[code];
}

/** The omen code for a gRPC status number (OK and unknown numbers give UNKNOWN). */
export function errorCodeForGrpc(code: number): ErrorCode {
  const name = GrpcStatus[code];
  return isErrorCode(name) ? name : 'UNKNOWN';
}

const retryableCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNAVAILABLE',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'DEADLINE_EXCEEDED',
]);

/**
 * Whether a gRPC status is worth retrying (for idempotent calls): the service or a quota may
 * recover, or the attempt simply ran out of time. Never for caller mistakes.
 */
export function isRetryableGrpcStatus(code: number): boolean {
  return retryableCodes.has(errorCodeForGrpc(code));
}

// Socket-level failures that mean "the other side is not there yet / went away".
const retryableSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether an error is transient: retryable omen codes, gRPC statuses, or socket failures. */
export function isRetryable(err: unknown): boolean {
  if (isOmenError(err)) return retryableCodes.has(err.code);
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return isRetryableGrpcStatus(code);
  if (typeof code === 'string') return retryableSystemCodes.has(code);
  return false;
}

/**
 * Rebuilds an OmenError from a failed gRPC call (a grpc-js ServiceError), so a client can
 * `instanceof`/`code`-match what the server threw, including the INVALID_ARGUMENT field, the
 * resource and the retry delay. Reads the `google.rpc.Status` details first (any server that
 * follows the rich error model), then omen's own metadata keys.
 */
export function fromGrpcError(err: unknown): OmenError {
  if (isOmenError(err)) return err;
  const e = err as { code?: unknown; details?: unknown; message?: unknown; metadata?: unknown };
  const code = typeof e.code === 'number' ? errorCodeForGrpc(e.code) : 'UNKNOWN';
  const message = typeof e.details === 'string' ? e.details : typeof e.message === 'string' ? e.message : String(err);
  const md = e.metadata instanceof Metadata ? e.metadata : undefined;
  const first = (key: string): string | undefined => {
    const v = md?.get(key)[0];
    return v === undefined ? undefined : decodeMetadataValue(String(v));
  };
  const bin = md?.get(STATUS_DETAILS_KEY)[0];
  const rich = bin instanceof Buffer ? decodeStatusDetails(bin) : undefined;
  const field =
    rich?.badRequest?.fieldViolations[0]?.field ?? rich?.errorInfo?.metadata['field'] ?? first(metadataKeys.field);
  const resource =
    rich?.resourceInfo?.resourceName ?? rich?.errorInfo?.metadata['resource'] ?? first(metadataKeys.resource);
  const pushback = first(metadataKeys.retryPushbackMs);
  const retryAfterMs = rich?.retryInfo?.retryDelayMs ?? (pushback !== undefined ? Number(pushback) : undefined);
  const ours = rich?.errorInfo?.domain === ERROR_DOMAIN ? rich.errorInfo : undefined;
  const reason = ours?.reason;
  const info = ours && Object.keys(ours.metadata).length > 0 ? { info: { ...ours.metadata } } : {};
  const options = {
    cause: err,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(reason ? { reason } : {}),
    ...info,
  };
  switch (code) {
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(message, field, options);
    case 'NOT_FOUND':
      return new NotFoundError(message, resource, options);
    default:
      return new OmenError(code, message, options);
  }
}
