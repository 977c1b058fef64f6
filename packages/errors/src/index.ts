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
