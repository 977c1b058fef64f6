export {
  errorCodes,
  isErrorCode,
  isOmenError,
  formatConfigProblem,
  OmenError,
  InvalidArgumentError,
  NotFoundError,
  AlreadyExistsError,
  PermissionDeniedError,
  UnauthenticatedError,
  ResourceExhaustedError,
  FailedPreconditionError,
  AbortedError,
  UnimplementedError,
  UnavailableError,
  DeadlineExceededError,
  CancelledError,
  InternalError,
  ConfigError,
} from './errors.ts';
export type { ErrorCode, OmenErrorOptions, ConfigProblem } from './errors.ts';
export {
  metadataKeys,
  toGrpcStatus,
  toHttpStatus,
  grpcCodeFor,
  errorCodeForGrpc,
  isRetryable,
  isRetryableGrpcStatus,
  fromGrpcError,
} from './mapping.ts';
export type { GrpcStatusObject, HttpErrorBody, HttpErrorResponse } from './mapping.ts';
export { ERROR_DOMAIN, STATUS_DETAILS_KEY, decodeStatusDetails, encodeStatusDetails } from './status-details.ts';
export type { FieldViolation, StatusDetails } from './status-details.ts';
export {
  MAX_ECHOED_CHARS,
  MAX_MESSAGE_CHARS,
  decodeMetadataValue,
  encodeMetadataValue,
  escapeText,
  quote,
  safeMessage,
} from './text.ts';
