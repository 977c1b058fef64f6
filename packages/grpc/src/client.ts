import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { getTracer, injectTraceContext } from '@omen/telemetry';
import { splitMethodPath } from './proto.ts';

export interface ClientOptions {
  /** Sent as `authorization: Bearer <token>` on every call. @default undefined */
  token?: string | { reveal(): string } | undefined;
  /** Deadline for calls that set none; 0 = none. @default 10000 */
  deadlineMs?: number;
  /** @default grpc.credentials.createInsecure() */
  credentials?: grpc.ChannelCredentials;
  /** @default {} */
  channelOptions?: grpc.ChannelOptions;
}

type ClientCtor<C extends grpc.Client> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => C;

/**
 * A client whose every call carries the caller's trace context (a CLIENT span, propagated as
 * `traceparent`), the bearer token if given, and a default deadline, so no call waits forever.
 */
export function createClient<C extends grpc.Client>(
  Ctor: ClientCtor<C>,
  address: string,
  options: ClientOptions = {},
): C {
  const { deadlineMs = 10_000, token, credentials = grpc.credentials.createInsecure(), channelOptions = {} } = options;
  const bearer = token === undefined ? undefined : `Bearer ${typeof token === 'string' ? token : token.reveal()}`;

  const interceptor: grpc.Interceptor = (callOptions, nextCall) => {
    const withDeadline =
      callOptions.deadline === undefined && deadlineMs > 0
        ? { ...callOptions, deadline: Date.now() + deadlineMs }
        : callOptions;
    const { service, method } = splitMethodPath(callOptions.method_definition.path);
    // Captured now: the interceptor runs synchronously inside the caller's context.
    const span = getTracer().startSpan(
      `${service}/${method}`,
      { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } },
      context.active(),
    );
    const spanContext = trace.setSpan(context.active(), span);
    return new grpc.InterceptingCall(nextCall(withDeadline), {
      start(metadata, _listener, next) {
        for (const [k, v] of Object.entries(injectTraceContext<Record<string, string>>({}, spanContext)))
          metadata.set(k, v);
        if (bearer !== undefined && metadata.get('authorization').length === 0) metadata.set('authorization', bearer);
        // A partial listener: grpc-js passes the other events through unchanged.
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            span.setAttribute('rpc.grpc.status_code', status.code);
            if (status.code !== grpc.status.OK)
              span.setStatus({ code: SpanStatusCode.ERROR, message: `${grpc.status[status.code]}: ${status.details}` });
            span.end();
            nextStatus(status);
          },
        });
      },
    });
  };

  return new Ctor(address, credentials, { ...channelOptions, interceptors: [interceptor] });
}

export interface CallOptions {
  /** Overrides the client's default deadline for this call. */
  deadlineMs?: number;
  metadata?: grpc.Metadata;
  signal?: AbortSignal;
}

/**
 * Promise form of a unary call by method name (`callUnary(client, 'Predict', req)`); rejects
 * with grpc-js's ServiceError (`code`, `details`, `metadata`); `fromGrpcError` turns that
 * into an OmenError.
 */
export function callUnary<Res = unknown, Req = unknown>(
  client: grpc.Client,
  method: string,
  request: Req,
  options: CallOptions = {},
): Promise<Res> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new TypeError(`client has no method ${method}`);
  const callOptions: grpc.CallOptions =
    options.deadlineMs !== undefined ? { deadline: Date.now() + options.deadlineMs } : {};
  return new Promise<Res>((resolve, reject) => {
    const call = (
      fn as (
        r: Req,
        m: grpc.Metadata,
        o: grpc.CallOptions,
        cb: (err: grpc.ServiceError | null, res?: Res) => void,
      ) => grpc.ClientUnaryCall
    ).call(client, request, options.metadata ?? new grpc.Metadata(), callOptions, (err, res) =>
      err ? reject(err) : resolve(res as Res),
    );
    options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
  });
}
