import type { CommitEvent, FileChange } from './events.ts';

/**
 * Default largest event ingest publishes: under Kafka's default `message.max.bytes` (1,048,588
 * bytes per record batch) with room for the key, headers (event id, trace context, source) and
 * the batch's own framing. A broker refuses a larger record batch whole (MESSAGE_TOO_LARGE).
 */
export const defaultMaxEventBytes = 900 * 1024;

function varintBytes(n: number): number {
  let bytes = 1;
  for (let v = Math.abs(n) * 2; v >= 128; v = Math.floor(v / 128)) bytes++;
  return bytes;
}

/**
 * An upper bound of a value's Avro binary size (plus the 5-byte Confluent wire header), from
 * the value alone: every value counts one byte for a possible union branch, strings and bytes
 * their length varint and UTF-8 bytes, integers their zig-zag varint, other numbers 8 bytes,
 * arrays their block counts. Own code rather than encoding twice with avsc: ingest needs only
 * "surely fits", and this costs one walk of the value.
 */
export function avroSizeBound(value: unknown): number {
  return 5 + sizeOf(value);
}

// Events are not changed once fitted: the publisher reads their bound here instead of walking
// each event a second time.
const fittedBounds = new WeakMap<object, number>();

/** avroSizeBound(value), taken from fitCommitEvent when it measured this very object. */
export function knownSizeBound(value: object): number {
  return fittedBounds.get(value) ?? avroSizeBound(value);
}

function sizeOf(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'boolean') return 2;
  if (typeof value === 'number') return 1 + (Number.isInteger(value) ? varintBytes(value) : 8);
  if (typeof value === 'string') {
    const n = Buffer.byteLength(value, 'utf8');
    return 1 + varintBytes(n) + n;
  }
  if (Buffer.isBuffer(value)) return 1 + varintBytes(value.length) + value.length;
  if (Array.isArray(value)) {
    let n = 1 + varintBytes(value.length) + 1;
    for (let i = 0; i < value.length; i++) n += sizeOf(value[i]);
    return n;
  }
  if (typeof value === 'object') {
    let n = 1;
    // for-in over own properties: Object.values built an array per object walked.
    const record = value as Record<string, unknown>;
    for (const k in record) if (Object.hasOwn(record, k)) n += sizeOf(record[k]);
    return n;
  }
  return 1;
}

export interface FittedCommit {
  event: CommitEvent;
  /** Files whose hunks were dropped to fit (their line counts stay). */
  hunksDropped: number;
  /** Size bound of the event as it will be published. */
  bytes: number;
  /** False when even without any hunks the event is over the limit: it must not be published. */
  fits: boolean;
}

/**
 * A commit event that fits in `maxBytes`: when it does not, the files with the most hunk text
 * lose their hunks (set to null; path, status and line counts kept) until it does, so the
 * numstat metrics are always computed and only blame and code metrics of those files are
 * skipped (the featurizer treats them like a numstat-only file). When the file list and message
 * alone are over the limit, `fits` is false: publishing it would make the broker refuse the
 * whole batch, so ingest refuses this one commit with the reason instead.
 */
export function fitCommitEvent(event: CommitEvent, maxBytes: number): FittedCommit {
  const bytes = avroSizeBound(event);
  if (bytes <= maxBytes) {
    fittedBounds.set(event, bytes);
    return { event, hunksDropped: 0, bytes, fits: true };
  }
  const hunkBytes = event.files.map((f: FileChange) => (f.hunks === null ? 0 : sizeOf(f.hunks) - 2));
  const order = hunkBytes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size || a.i - b.i);
  const files = event.files.slice();
  let total = bytes;
  let dropped = 0;
  for (const { size, i } of order) {
    if (total <= maxBytes || size === 0) break;
    files[i] = { ...files[i]!, hunks: null };
    total -= size;
    dropped++;
  }
  const fitted = { ...event, files };
  const after = avroSizeBound(fitted);
  fittedBounds.set(fitted, after);
  return { event: fitted, hunksDropped: dropped, bytes: after, fits: after <= maxBytes };
}
