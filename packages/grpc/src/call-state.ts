import type { Metadata } from '@grpc/grpc-js';
import type { Span } from '@opentelemetry/api';
import type { Logger } from '@omen/telemetry';

/**
 * What the server interceptor knows about a call (its span, a logger bound to the method),
 * handed to the handler wrappers. Keyed by the request Metadata object because that is the
 * one object grpc-js passes unchanged from the interceptor chain to the handler.
 */
export interface CallState {
  span: Span;
  logger: Logger;
  path: string;
}

export const callStates = new WeakMap<Metadata, CallState>();

/**
 * A caller's deadline fires at the caller first: it resets the stream a moment before the
 * server's own timer (computed from `grpc-timeout` on arrival) would. A cancel that lands this
 * close to the deadline is therefore the deadline, not a caller changing its mind.
 */
export const DEADLINE_SLACK_MS = 250;

/** Whether a cancel at this moment should count as the deadline having passed. */
export function deadlineReached(deadline: Date | number): boolean {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && Date.now() >= ms - DEADLINE_SLACK_MS;
}
