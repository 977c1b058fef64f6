export { createLogger, logLevels, redactPaths } from './logger.ts';
export type { Logger, LoggerOptions, LogLevel } from './logger.ts';
export {
  createMetrics,
  metricNameProblem,
  metricsFor,
  startMetricsServer,
  LATENCY_BUCKETS,
  Registry,
} from './metrics.ts';
export type {
  Metrics,
  MetricsOptions,
  MetricsServer,
  MetricsServerOptions,
  Counter,
  Gauge,
  Histogram,
} from './metrics.ts';
export {
  initTracing,
  getTracer,
  injectTraceContext,
  extractTraceContext,
  withSpan,
  recordError,
  currentTraceId,
  InMemorySpanExporter,
  TRACER_NAME,
} from './tracing.ts';
export type {
  Tracing,
  TracingOptions,
  WithSpanOptions,
  Carrier,
  Context,
  Span,
  Tracer,
  ReadableSpan,
  SpanExporter,
} from './tracing.ts';
