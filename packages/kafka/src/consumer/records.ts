import type { KafkaMessage } from 'kafkajs';
import type { AvroCodec } from '../codec.ts';
import { EVENT_ID_HEADER, decodeHeaders, type Headers } from '../headers.ts';
import { extractTrace, type Context } from '../tracing.ts';
import type { ConsumedRecord } from './types.ts';

/** A fetched message on its way to a handler: headers and trace at once, the value once decoded. */
export interface Pending<V> {
  message: KafkaMessage;
  headers: Headers;
  trace: Context;
  record?: ConsumedRecord<V>;
}

export function pending<V>(message: KafkaMessage): Pending<V> {
  const headers = decodeHeaders(message.headers);
  return { message, headers, trace: extractTrace(headers) };
}

/**
 * The record a handler sees; decoded once and kept on `item`, so a retry does not decode again.
 * Throws what the codec throws for a poison record (no decoding without `codec`: the raw bytes).
 */
export async function toRecord<V>(
  topic: string,
  partition: number,
  item: Pending<V>,
  codec: AvroCodec | undefined,
): Promise<ConsumedRecord<V>> {
  if (item.record) return item.record;
  const { message, headers } = item;
  let value: unknown = message.value;
  let schemaId: number | undefined;
  if (codec) {
    const decoded = await codec.decode(message.value);
    value = decoded.value;
    schemaId = decoded.schemaId;
  }
  item.record = {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: value as V,
    headers,
    timestamp: Number(message.timestamp),
    eventId: headers[EVENT_ID_HEADER],
    schemaId,
    rawValue: message.value,
  };
  return item.record;
}
