import { describe, expect, it } from 'vitest';
import {
  DLQ_HEADERS,
  decodeHeaders,
  dlqHeaders,
  encodeHeaders,
  parseDlqHeaders,
  type DlqInfo,
} from '../../src/headers.ts';

describe('decodeHeaders', () => {
  it('turns bytes into UTF-8 text and keeps the last of repeated values', () => {
    expect(
      decodeHeaders({
        traceparent: Buffer.from('00-abc-def-01'),
        plain: 'text',
        repeated: [Buffer.from('first'), 'second'],
        snow: Buffer.from('☃', 'utf8'),
        missing: undefined,
        empty: [],
      }),
    ).toEqual({ traceparent: '00-abc-def-01', plain: 'text', repeated: 'second', snow: '☃' });
  });

  it('gives an empty object for no headers', () => {
    expect(decodeHeaders(undefined)).toEqual({});
  });
});

describe('encodeHeaders', () => {
  it('passes strings and drops undefined', () => {
    expect(encodeHeaders({ a: '1', b: undefined })).toEqual({ a: '1' });
  });

  it('names a header whose value is not a string', () => {
    expect(() => encodeHeaders({ count: 3 })).toThrow('header "count" must be a string; got number');
  });
});

describe('DLQ headers', () => {
  const info: DlqInfo = {
    errorCode: 'INVALID_ARGUMENT',
    errorMessage: 'undecodable record: wrong magic byte 7',
    originTopic: 'scm.commits.v1',
    originPartition: 3,
    originOffset: '9007199254740993',
    originTimestamp: '1700000000000',
    group: 'featurizer',
    failedAt: new Date('2024-05-06T07:08:09.010Z'),
    attempts: 4,
  };

  it('round-trips through headers', () => {
    const headers = dlqHeaders(info);
    expect(headers[DLQ_HEADERS.originOffset]).toBe('9007199254740993');
    expect(headers[DLQ_HEADERS.failedAt]).toBe('2024-05-06T07:08:09.010Z');
    expect(parseDlqHeaders(headers)).toEqual(info);
  });

  it('survives the byte form the broker hands back', () => {
    const bytes = Object.fromEntries(Object.entries(dlqHeaders(info)).map(([k, v]) => [k, Buffer.from(v)]));
    expect(parseDlqHeaders(decodeHeaders(bytes))).toEqual(info);
  });

  it('truncates a huge error message to 4 KiB on a character boundary', () => {
    const message = '€'.repeat(5000);
    const stored = dlqHeaders({ ...info, errorMessage: message })[DLQ_HEADERS.errorMessage]!;
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(4096);
    expect(stored.endsWith('...')).toBe(true);
    expect(stored).not.toContain('\uFFFD');
  });

  it('is undefined for a record that was never dead-lettered', () => {
    expect(parseDlqHeaders({ traceparent: 'x' })).toBeUndefined();
  });
});
