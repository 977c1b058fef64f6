// The audit record of an HTTP call, in the terms the gRPC side's records use, so one query over
// audit_events covers both surfaces: the outcome as the gRPC status name the HTTP status stands
// for, the request id by the same rule as gRPC's x-request-id, the trace id of a W3C traceparent.
import { randomUUID } from 'node:crypto';

/** HTTP status → the gRPC status name (google.rpc.Code) omen answers that status for. */
export function httpOutcome(status: number): string {
  if (status >= 200 && status < 300) return 'OK';
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ALREADY_EXISTS';
    case 412:
      return 'FAILED_PRECONDITION';
    // 413: a body over the limit; 429: the rate limit. Both are limits on what the caller may send.
    case 413:
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The caller's X-Request-Id when printable and at most 128 characters, else a fresh UUID. */
export function httpRequestId(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The trace id of a W3C `traceparent` header; undefined when absent, malformed or all zeros. */
export function traceIdOfTraceparent(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header.trim());
  return m && !/^0+$/.test(m[1]!) ? m[1] : undefined;
}
