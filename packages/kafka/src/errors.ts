import { OmenError, isOmenError, type ErrorCode } from '@omen/errors';

interface KafkaJsLikeError extends Error {
  retriable?: boolean;
  type?: string;
  cause?: unknown;
}

// Protocol error types that no retry will fix, by what they mean to our caller.
const PROTOCOL_CODES: Readonly<Record<string, ErrorCode>> = {
  MESSAGE_TOO_LARGE: 'INVALID_ARGUMENT',
  RECORD_LIST_TOO_LARGE: 'INVALID_ARGUMENT',
  INVALID_RECORD: 'INVALID_ARGUMENT',
  INVALID_TOPIC_EXCEPTION: 'INVALID_ARGUMENT',
  INVALID_REQUIRED_ACKS: 'INVALID_ARGUMENT',
  UNKNOWN_TOPIC_OR_PARTITION: 'NOT_FOUND',
  TOPIC_AUTHORIZATION_FAILED: 'PERMISSION_DENIED',
  GROUP_AUTHORIZATION_FAILED: 'PERMISSION_DENIED',
  CLUSTER_AUTHORIZATION_FAILED: 'PERMISSION_DENIED',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'PERMISSION_DENIED',
  SASL_AUTHENTICATION_FAILED: 'UNAUTHENTICATED',
  UNSUPPORTED_VERSION: 'UNIMPLEMENTED',
};

const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

function isKafkaJsError(err: unknown): err is KafkaJsLikeError {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

/** The innermost kafkajs error: "retries exceeded" wraps the failure that actually happened. */
function rootKafkaJsError(err: KafkaJsLikeError): KafkaJsLikeError {
  let current = err;
  for (let depth = 0; depth < 8 && isKafkaJsError(current.cause); depth++) current = current.cause;
  return current;
}

/**
 * Maps a kafkajs failure to our codes. A broker that is down, unreachable or slow is
 * UNAVAILABLE (retryable); protocol errors that no retry fixes keep their meaning.
 */
export function fromKafkaError(err: unknown, action: string): OmenError {
  if (isOmenError(err)) return err;
  if (!isKafkaJsError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new OmenError('INTERNAL', `${action}: ${message}`, { cause: err });
  }
  const root = rootKafkaJsError(err);
  const props = { cause: err, kafkaError: root.name, ...(root.type ? { kafkaType: root.type } : {}) };
  const mapped = root.type ? PROTOCOL_CODES[root.type] : undefined;
  if (mapped) return new OmenError(mapped, `${action}: ${root.message}`, props);
  if (UNAVAILABLE_NAMES.has(root.name) || root.retriable === true) {
    return new OmenError('UNAVAILABLE', `${action}: Kafka unavailable: ${root.message}`, props);
  }
  return new OmenError('INTERNAL', `${action}: ${root.message}`, props);
}

interface RegistryResponseError extends Error {
  status: number;
}

function isRegistryResponseError(err: unknown): err is RegistryResponseError {
  return (
    err instanceof Error && err.name === 'ResponseError' && typeof (err as { status?: unknown }).status === 'number'
  );
}

// The registry client reports a refused/reset connection as HTTP 400 (its HTTP layer's
// convention for client-side failures), so the message is the only way to tell it apart.
const NETWORK_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|timeout/i;

/** Maps a schema-registry client failure to our codes. */
export function fromRegistryError(err: unknown, action: string): OmenError {
  if (isOmenError(err)) return err;
  if (isRegistryResponseError(err)) {
    const { status } = err;
    const props = { cause: err, registryStatus: status };
    const detail = `${action}: schema registry answered ${status}: ${err.message}`;
    if (status === 404) return new OmenError('NOT_FOUND', detail, props);
    if (status === 409)
      return new OmenError('FAILED_PRECONDITION', `${detail} (incompatible with the subject's schemas)`, props);
    if (status === 422) return new OmenError('INVALID_ARGUMENT', detail, props);
    if (status === 401) return new OmenError('UNAUTHENTICATED', detail, props);
    if (status === 403) return new OmenError('PERMISSION_DENIED', detail, props);
    if (status >= 500 || status === 408 || status === 429 || NETWORK_FAILURE.test(err.message)) {
      return new OmenError('UNAVAILABLE', `${action}: schema registry unavailable: ${err.message}`, props);
    }
    return new OmenError('INTERNAL', detail, props);
  }
  if (err instanceof Error) {
    if (err.name === 'ConfluentSchemaRegistryValidationError') {
      const paths = ((err as { paths?: string[][] }).paths ?? []).map((p) => p.join('.') || '(root)');
      const where = paths.length > 0 ? ` (invalid at ${paths.join(', ')})` : '';
      return new OmenError('INVALID_ARGUMENT', `${action}: value does not match its Avro schema${where}`, {
        cause: err,
        paths,
      });
    }
    if (err.name === 'ConfluentSchemaRegistryCompatibilityError') {
      return new OmenError('FAILED_PRECONDITION', `${action}: ${err.message}`, { cause: err });
    }
    if (err.name === 'ConfluentSchemaRegistryArgumentError') {
      return new OmenError('INVALID_ARGUMENT', `${action}: ${err.message}`, { cause: err });
    }
    if (NETWORK_FAILURE.test(err.message)) {
      return new OmenError('UNAVAILABLE', `${action}: schema registry unavailable: ${err.message}`, { cause: err });
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new OmenError('INTERNAL', `${action}: ${message}`, { cause: err });
}
