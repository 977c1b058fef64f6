import * as grpc from '@grpc/grpc-js';
import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { extractTraceContext, getTracer, metricsFor, type Logger, type Registry } from '@omen/telemetry';
import { callStates, deadlineReached } from './call-state.ts';
import { splitMethodPath } from './proto.ts';

function rpcType(m: grpc.ServerMethodDefinition<unknown, unknown>): string {
  if (m.requestStream && m.responseStream) return 'bidi_stream';
  if (m.requestStream) return 'client_stream';
  if (m.responseStream) return 'server_stream';
  return 'unary';
}

const MAX_CACHED_METHOD_LOGGERS = 256;

// Health probes arrive every few seconds from every kubelet; a span each would drown the traces.
const untracedServices = new Set(['grpc.health.v1.Health']);

export interface ObserveOptions {
  logger: Logger;
  registry?: Registry;
}

/**
 * Metrics, a server span and a per-call logger for every RPC (our handlers and the built-in
 * health/reflection ones alike). The code recorded is the status actually sent; a call that
 * ends without one (grpc-js's own deadline timer answers below the interceptors, a client
 * cancel) is recorded as DEADLINE_EXCEEDED or CANCELLED.
 */
export function observeInterceptor(options: ObserveOptions): grpc.ServerInterceptor {
  const { logger } = options;
  const metrics = options.registry ? metricsFor(options.registry) : undefined;
  const labels = ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'] as const;
  const handling = metrics?.histogram(
    'omen_grpc_server_handling_duration_seconds',
    'Time from call start to status sent, by RPC and status code.',
    labels,
  );
  const handled = metrics?.counter('omen_grpc_server_handled_total', 'RPCs completed, by RPC and status code.', labels);
  const started = metrics?.counter('omen_grpc_server_started_total', 'RPCs started.', [
    'grpc_service',
    'grpc_method',
    'grpc_type',
  ] as const);

  // One child logger per method, made once: pino's child() runs its redaction over the bindings
  // each time, and per call that was a sixth of the inference service's allocations at 1,000
  // unary calls/s. Bounded, as a path is whatever a caller sent.
  const methodLoggers = new Map<string, Logger>();
  const loggerFor = (path: string): Logger => {
    let child = methodLoggers.get(path);
    if (!child) {
      child = logger.child({ rpc: path });
      if (methodLoggers.size < MAX_CACHED_METHOD_LOGGERS) methodLoggers.set(path, child);
    }
    return child;
  };

  return (methodDescriptor, call) => {
    const { service, method } = splitMethodPath(methodDescriptor.path);
    const type = rpcType(methodDescriptor);
    const begin = process.hrtime.bigint();
    started?.inc({ grpc_service: service, grpc_method: method, grpc_type: type });
    let span: Span | undefined;
    let finished = false;

    const finish = (code: grpc.status, details: string | undefined) => {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
      const codeName = grpc.status[code] ?? String(code);
      const l = { grpc_service: service, grpc_method: method, grpc_type: type, grpc_code: codeName };
      handling?.observe(l, seconds);
      handled?.inc(l);
      if (span) {
        span.setAttribute('rpc.grpc.status_code', code);
        // OTel semconv: for servers only codes that mean "we failed" are errors, not caller mistakes.
        if (serverFault.has(code))
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${codeName}: ${details ?? ''}` });
        span.end();
      }
      logger.debug({ rpc: methodDescriptor.path, code: codeName, seconds }, 'rpc finished');
    };

    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const callLogger = loggerFor(methodDescriptor.path);
        if (!untracedServices.has(service)) {
          const parent = extractTraceContext(metadata.getMap());
          span = getTracer().startSpan(
            `${service}/${method}`,
            {
              kind: SpanKind.SERVER,
              attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
            },
            parent,
          );
        }
        callStates.set(metadata, {
          span: span ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
          logger: callLogger,
          path: methodDescriptor.path,
        });
        next(metadata);
      })
      .withOnCancel(() => {
        finish(
          deadlineReached(call.getDeadline()) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED,
          'call ended without a status from the handler',
        );
      })
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        finish(status.code, status.details);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}

const serverFault = new Set<grpc.status>([
  grpc.status.UNKNOWN,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.INTERNAL,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);
