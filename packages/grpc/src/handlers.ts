import { once, type EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { INVALID_SPAN_CONTEXT, context, trace, type Span } from '@opentelemetry/api';
import { CancelledError, DeadlineExceededError, isOmenError, toGrpcStatus } from '@omen/errors';
import { createLogger, recordError, type Logger } from '@omen/telemetry';
import { callStates, deadlineReached } from './call-state.ts';
import { decodedRequest, decodedRequests } from './undecodable.ts';

/** What a handler gets besides the request. */
export interface CallContext {
  /** Request metadata (lower-case keys). */
  metadata: grpc.Metadata;
  /** The caller's deadline, if it set one. */
  deadline: Date | undefined;
  /** Milliseconds left before the deadline (Infinity without one); pass it on to downstream calls. */
  remainingMs(): number;
  /**
   * Aborted when the caller cancels or the deadline passes (reason: CancelledError or
   * DeadlineExceededError). Hand it to anything that accepts a signal.
   */
  signal: AbortSignal;
  /** The server span of this RPC (already active while the handler runs). */
  span: Span;
  /** A logger bound to this RPC; lines carry its trace id. */
  logger: Logger;
  /** `/pkg.Service/Method`. */
  method: string;
  peer: string;
}

let fallbackLogger: Logger | undefined;

// The parts of grpc-js's (unexported) ServerSurfaceCall that every call kind has.
interface ServerCall extends EventEmitter {
  metadata: grpc.Metadata;
  getPath(): string;
  getPeer(): string;
  getDeadline(): Date | number;
}

function makeContext(call: ServerCall): { ctx: CallContext; dispose: () => void } {
  const state = callStates.get(call.metadata);
  const controller = new AbortController();
  const raw = call.getDeadline();
  const deadlineMs = raw instanceof Date ? raw.getTime() : raw;
  const hasDeadline = Number.isFinite(deadlineMs);
  const abortForDeadline = () => controller.abort(new DeadlineExceededError(`deadline exceeded for ${call.getPath()}`));
  const timer = hasDeadline ? setTimeout(abortForDeadline, Math.max(0, deadlineMs - Date.now())) : undefined;
  // grpc-js also emits 'cancelled' after a normal finish; by then the handler is done and
  // nobody listens, so aborting is harmless.
  const onCancelled = () => {
    if (deadlineReached(deadlineMs)) abortForDeadline();
    else controller.abort(new CancelledError(`the caller cancelled ${call.getPath()}`));
  };
  call.once('cancelled', onCancelled);
  const ctx: CallContext = {
    metadata: call.metadata,
    deadline: hasDeadline ? new Date(deadlineMs) : undefined,
    remainingMs: () => (hasDeadline ? Math.max(0, deadlineMs - Date.now()) : Infinity),
    signal: controller.signal,
    span: state?.span ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
    logger: state?.logger ?? (fallbackLogger ??= createLogger({ service: 'grpc', level: 'silent' })),
    method: call.getPath(),
    peer: call.getPeer(),
  };
  return {
    ctx,
    dispose: () => {
      if (timer) clearTimeout(timer);
      call.off('cancelled', onCancelled);
    },
  };
}

/**
 * Runs the handler with its span active and settles as soon as the call is aborted, so a
 * handler that ignores `signal` still cannot hold the answer past the deadline.
 */
async function run<T>(ctx: CallContext, fn: () => T | Promise<T>): Promise<T> {
  const work = context.with(trace.setSpan(context.active(), ctx.span), async () => fn());
  if (ctx.signal.aborted) throw ctx.signal.reason;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(ctx.signal.reason as Error);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined); // a handler failing after the abort must not become an unhandled rejection
  }
}

/** The one place a thrown value becomes a gRPC status on the server. */
function toStatus(err: unknown, ctx: CallContext): grpc.StatusObject {
  // A handler that fails because it was aborted (AbortError from fetch, a driver) reports why it was aborted.
  const reason: unknown = ctx.signal.aborted && !isOmenError(err) ? ctx.signal.reason : err;
  const status = toGrpcStatus(reason);
  if (
    !isOmenError(reason) ||
    status.code === grpc.status.INTERNAL ||
    status.code === grpc.status.DATA_LOSS ||
    status.code === grpc.status.UNKNOWN
  ) {
    // Callers get a generic message (toGrpcStatus); the log and the span get the real error.
    ctx.logger.error({ err }, 'rpc failed');
    recordError(ctx.span, err);
  } else {
    ctx.logger.debug({ err: reason }, 'rpc refused: %s', status.details);
  }
  return status;
}

const FALLBACK_STATUS: grpc.StatusObject = {
  code: grpc.status.INTERNAL,
  details: 'internal error',
  metadata: new grpc.Metadata(),
};

/**
 * Sends the answer; if sending throws (grpc-js refuses a metadata value, a response does not
 * serialize), the caller gets a plain INTERNAL instead and the failure is logged. This runs in
 * a promise callback where nothing above would catch a throw: it would become an unhandled
 * rejection and take the whole process down, so nothing may escape from here.
 */
function answer(ctx: CallContext, send: () => void, sendStatus: (status: grpc.StatusObject) => void): void {
  try {
    send();
  } catch (err) {
    try {
      ctx.logger.error({ err, rpc: ctx.method }, 'could not send the answer; sent INTERNAL instead');
      recordError(ctx.span, err);
      sendStatus({ ...FALLBACK_STATUS, metadata: new grpc.Metadata() });
    } catch (again) {
      // The call is beyond saving (stream already ended or destroyed); the log is all that is left.
      try {
        ctx.logger.error({ err: again, rpc: ctx.method }, 'could not send INTERNAL either');
      } catch {
        // A logger that throws must not take the process down either.
      }
    }
  }
}

/**
 * Runs `work` for the call and answers with its outcome: `ok` with the result, or the thrown
 * value as a status through `sendStatus` (also the fallback when sending fails). The one answer
 * path of every call kind.
 */
function respond<T>(
  call: ServerCall,
  work: (ctx: CallContext) => T | Promise<T>,
  ok: (result: T) => void,
  sendStatus: (status: grpc.StatusObject) => void,
): void {
  const { ctx, dispose } = makeContext(call);
  run(ctx, () => work(ctx))
    .then(
      (result) => answer(ctx, () => ok(result), sendStatus),
      (err: unknown) => answer(ctx, () => sendStatus(toStatus(err, ctx)), sendStatus),
    )
    .finally(dispose);
}

/** A unary handler: `unary(async (req, ctx) => response)`; throw OmenErrors to refuse. */
export function unary<Req, Res>(
  fn: (request: Req, ctx: CallContext) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) =>
    respond(
      call,
      (ctx) => fn(decodedRequest(call.request), ctx),
      (res) => callback(null, res),
      (status) => callback(status),
    );
}

/**
 * A server-streaming handler: an (async) generator yielding responses. Writes respect
 * backpressure; the generator is stopped (its `finally` runs) when the call is aborted.
 */
export function serverStream<Req, Res>(
  fn: (request: Req, ctx: CallContext) => AsyncIterable<Res> | Iterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) =>
    respond(
      call,
      (ctx) => pump(fn(decodedRequest(call.request), ctx), call, ctx),
      () => call.end(),
      (status) => call.emit('error', status),
    );
}

/** A client-streaming handler: consumes the request stream, returns one response. */
export function clientStream<Req, Res>(
  fn: (requests: AsyncIterable<Req>, ctx: CallContext) => Res | Promise<Res>,
): grpc.handleClientStreamingCall<Req, Res> {
  return (call, callback) =>
    respond(
      call,
      (ctx) => fn(decodedRequests(call as AsyncIterable<Req>), ctx),
      (res) => callback(null, res),
      (status) => callback(status),
    );
}

/** A bidirectional handler: an async generator over the request stream. */
export function bidiStream<Req, Res>(
  fn: (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<Res> | Iterable<Res>,
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) =>
    respond(
      call,
      (ctx) => pump(fn(decodedRequests(call as AsyncIterable<Req>), ctx), call, ctx),
      () => call.end(),
      (status) => call.emit('error', status),
    );
}

async function pump<Res>(
  source: AsyncIterable<Res> | Iterable<Res>,
  call: grpc.ServerWritableStream<unknown, Res> | grpc.ServerDuplexStream<unknown, Res>,
  ctx: CallContext,
): Promise<void> {
  for await (const message of source) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (!call.write(message)) await once(call, 'drain', { signal: ctx.signal });
  }
}
