import { OmenError } from '@omen/errors';
import type { ConsumedRecord, ConsumerScope, DeferredAck, HandlerContext } from './types.ts';

/** One deferral: open while the handler runs, registered with the tracker once it returned. */
export interface Deferral {
  topic: string;
  partition: number;
  offset: string;
  state: 'open' | 'registered' | 'acked' | 'void';
  ticket: number;
  ack: DeferredAck;
}

/** `records` are those the call may defer; its deferrals are collected in `mine`. */
function handlerContext<V>(
  scope: ConsumerScope<V>,
  acknowledge: (d: Deferral) => void,
  attempt: number,
  records: readonly ConsumedRecord<V>[],
  mine: Deferral[],
): HandlerContext {
  const defer = (record: ConsumedRecord<unknown>): DeferredAck => {
    const found = mine.find(
      (d) => d.topic === record.topic && d.partition === record.partition && d.offset === record.offset,
    );
    if (found) return found.ack;
    if (
      !records.some((r) => r.topic === record.topic && r.partition === record.partition && r.offset === record.offset)
    ) {
      throw new OmenError(
        'INVALID_ARGUMENT',
        `defer: ${record.topic}/${record.partition}@${record.offset} is not a record of this handler call`,
      );
    }
    const d: Deferral = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      state: 'open',
      ticket: 0,
      ack: () => acknowledge(d),
    };
    mine.push(d);
    return d.ack;
  };
  return { group: scope.group, attempt, signal: scope.signal, logger: scope.log, defer };
}

/**
 * One handler call: its deferrals join `into` when it succeeds, and are voided when it throws
 * — the record is then retried or dead-lettered, and a late ack of the failed call must not
 * complete it. `acknowledge` is what an ack of a deferral does.
 */
export async function callHandler<V>(
  scope: ConsumerScope<V>,
  acknowledge: (d: Deferral) => void,
  attempt: number,
  records: readonly ConsumedRecord<V>[],
  into: Deferral[],
  call: (ctx: HandlerContext) => Promise<void> | void,
): Promise<void> {
  const mine: Deferral[] = [];
  try {
    await call(handlerContext(scope, acknowledge, attempt, records, mine));
  } catch (err) {
    for (const d of mine) d.state = 'void';
    throw err;
  }
  into.push(...mine);
}
