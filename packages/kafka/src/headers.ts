/** Header values as they arrive from the client: bytes, text, or repeated values of either. */
export type RawHeaderValue = Buffer | string | ReadonlyArray<Buffer | string> | undefined;
export type RawHeaders = Readonly<Record<string, RawHeaderValue>>;

/** Record headers as our API sees them: UTF-8 text, one value per name. */
export type Headers = Record<string, string>;

/** The idempotency id every event carries, so sinks can drop a redelivered record. */
export const EVENT_ID_HEADER = 'event-id';

/** Headers a dead-lettered record carries besides its original ones. */
export const DLQ_HEADERS = {
  errorCode: 'dlq.error.code',
  errorMessage: 'dlq.error.message',
  originTopic: 'dlq.origin.topic',
  originPartition: 'dlq.origin.partition',
  originOffset: 'dlq.origin.offset',
  originTimestamp: 'dlq.origin.timestamp',
  group: 'dlq.group',
  failedAt: 'dlq.failed-at',
  attempts: 'dlq.attempts',
} as const;

// Kafka allows a name to repeat; the last value wins, as a later writer meant to override.
function text(value: RawHeaderValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  const last = (value as ReadonlyArray<Buffer | string>).at(-1);
  return last === undefined ? undefined : text(last);
}

/** Client headers → text headers (UTF-8), dropping empty entries. */
export function decodeHeaders(raw: RawHeaders | undefined): Headers {
  const out: Headers = {};
  if (!raw) return out;
  for (const [name, value] of Object.entries(raw)) {
    const decoded = text(value);
    if (decoded !== undefined) out[name] = decoded;
  }
  return out;
}

/** Text headers → what the client sends; refuses values that are not strings, naming the header. */
export function encodeHeaders(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new TypeError(`header "${name}" must be a string; got ${typeof value}`);
    }
    out[name] = value;
  }
  return out;
}

/** Where a dead-lettered record came from and why it failed. */
export interface DlqInfo {
  errorCode: string;
  errorMessage: string;
  originTopic: string;
  originPartition: number;
  originOffset: string;
  originTimestamp?: string;
  group: string;
  failedAt: Date;
  attempts: number;
}

// A header is not a log: keep one pathological message from bloating every DLQ record.
const MAX_MESSAGE_BYTES = 4096;

function truncate(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= MAX_MESSAGE_BYTES) return message;
  return `${bytes
    .subarray(0, MAX_MESSAGE_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}...`;
}

/**
 * The failure description a DLQ record carries on top of its original headers (kept as they
 * were, so a replay still has its trace context and event id); these override any stale ones
 * from an earlier trip through a DLQ.
 */
export function dlqHeaders(info: DlqInfo): Headers {
  const out: Headers = {};
  out[DLQ_HEADERS.errorCode] = info.errorCode;
  out[DLQ_HEADERS.errorMessage] = truncate(info.errorMessage);
  out[DLQ_HEADERS.originTopic] = info.originTopic;
  out[DLQ_HEADERS.originPartition] = String(info.originPartition);
  out[DLQ_HEADERS.originOffset] = info.originOffset;
  if (info.originTimestamp !== undefined) out[DLQ_HEADERS.originTimestamp] = info.originTimestamp;
  out[DLQ_HEADERS.group] = info.group;
  out[DLQ_HEADERS.failedAt] = info.failedAt.toISOString();
  out[DLQ_HEADERS.attempts] = String(info.attempts);
  return out;
}

/** Reads the failure description back from a DLQ record's headers; undefined if it has none. */
export function parseDlqHeaders(headers: Readonly<Headers>): DlqInfo | undefined {
  const get = (name: string): string | undefined => headers[name];
  const errorCode = get(DLQ_HEADERS.errorCode);
  const originTopic = get(DLQ_HEADERS.originTopic);
  const originOffset = get(DLQ_HEADERS.originOffset);
  const group = get(DLQ_HEADERS.group);
  const failedAt = get(DLQ_HEADERS.failedAt);
  if (!errorCode || !originTopic || !originOffset || !group || !failedAt) return undefined;
  const originTimestamp = get(DLQ_HEADERS.originTimestamp);
  return {
    errorCode,
    errorMessage: get(DLQ_HEADERS.errorMessage) ?? '',
    originTopic,
    originPartition: Number(get(DLQ_HEADERS.originPartition)),
    originOffset,
    ...(originTimestamp !== undefined ? { originTimestamp } : {}),
    group,
    failedAt: new Date(failedAt),
    attempts: Number(get(DLQ_HEADERS.attempts)),
  };
}
