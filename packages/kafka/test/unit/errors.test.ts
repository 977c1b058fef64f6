import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isRetryable } from '@omen/errors';
import { fromKafkaError, fromRegistryError } from '../../src/errors.ts';

function responseError(status: number, message: string): Error {
  return Object.assign(new Error(message), { name: 'ResponseError', status });
}

// kafkajs builds protocol errors from its error-code table entries ({ message, type, retriable }).
function protocolError(message: string, type: string, retriable: boolean): Error {
  return new KafkaJSProtocolError({ message, type, retriable } as unknown as Error);
}

describe('fromKafkaError', () => {
  it('maps a broker that is down to UNAVAILABLE, retryable, even behind "retries exceeded"', () => {
    const down = new KafkaJSNumberOfRetriesExceeded(
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9'),
      {
        retryCount: 5,
        retryTime: 100,
      },
    );
    const err = fromKafkaError(down, 'sending 1 record(s) to "t"');
    expect(err.code).toBe('UNAVAILABLE');
    expect(isRetryable(err)).toBe(true);
    expect(err.message).toContain(
      'sending 1 record(s) to "t": Kafka unavailable: Connection error: connect ECONNREFUSED',
    );
  });

  it('keeps the meaning of protocol errors no retry fixes', () => {
    const tooLarge = protocolError('too large', 'MESSAGE_TOO_LARGE', false);
    expect(fromKafkaError(tooLarge, 'x').code).toBe('INVALID_ARGUMENT');
    const denied = protocolError('no', 'TOPIC_AUTHORIZATION_FAILED', false);
    expect(fromKafkaError(denied, 'x').code).toBe('PERMISSION_DENIED');
  });

  it('treats retriable protocol errors as UNAVAILABLE', () => {
    const leader = protocolError('no leader', 'LEADER_NOT_AVAILABLE', true);
    expect(fromKafkaError(leader, 'x').code).toBe('UNAVAILABLE');
  });
});

describe('fromRegistryError', () => {
  it('maps an unknown id to NOT_FOUND and an incompatible schema to FAILED_PRECONDITION', () => {
    expect(fromRegistryError(responseError(404, 'Schema not found'), 'x').code).toBe('NOT_FOUND');
    expect(fromRegistryError(responseError(409, 'incompatible'), 'x').code).toBe('FAILED_PRECONDITION');
  });

  it('maps a refused connection (reported as HTTP 400 by the client) and 5xx to UNAVAILABLE', () => {
    const refused = fromRegistryError(
      responseError(400, ' - Error, status 400: connect ECONNREFUSED 127.0.0.1:1'),
      'x',
    );
    expect(refused.code).toBe('UNAVAILABLE');
    expect(fromRegistryError(responseError(503, 'busy'), 'x').code).toBe('UNAVAILABLE');
  });

  it('names the invalid paths of a value that does not match its schema', () => {
    const invalid = Object.assign(new Error('Invalid message'), {
      name: 'ConfluentSchemaRegistryValidationError',
      paths: [['sha'], ['files', '0', 'lines_added']],
    });
    const err = fromRegistryError(invalid, 'encoding');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('encoding: value does not match its Avro schema (invalid at sha, files.0.lines_added)');
  });
});
