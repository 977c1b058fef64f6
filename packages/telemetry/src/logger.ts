import { context, trace } from '@opentelemetry/api';
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted by `createLogger` (pino's, plus `silent`). */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

// Keys whose values are credentials wherever they appear (top level and two levels down,
// which covers `req.headers.authorization` and `metadata.authorization`).
const secretKeys = [
  'authorization',
  'Authorization',
  'cookie',
  '"set-cookie"',
  '"x-api-key"',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'adminToken',
  'ADMIN_TOKEN',
  'idToken',
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
];

/** The redact paths every omen logger uses (exported so tests and HTTP layers can reuse them). */
export const redactPaths: readonly string[] = secretKeys.flatMap((k) => {
  const seg = k.startsWith('"') ? `[${k}]` : `.${k}`;
  const top = k.startsWith('"') ? `[${k}]` : k;
  return [top, `*${seg}`, `*.*${seg}`];
});

export interface LoggerOptions {
  /** Service name, the `service` field on every line. */
  service: string;
  /** Minimum level. @default 'info' */
  level?: string;
  /** Where JSON lines go. @default stdout (synchronous, so nothing is lost on exit) */
  destination?: DestinationStream;
  /** Extra fields on every line. @default {} */
  base?: Record<string, unknown>;
}

/**
 * A pino JSON logger with credentials redacted and, inside a span, `trace_id`/`span_id` on
 * every line so logs and traces join up.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { service, level = 'info', destination, base = {} } = options;
  return pino(
    {
      level,
      base: { service, pid: process.pid, ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...redactPaths], censor: '[redacted]' },
      mixin() {
        const span = trace.getSpan(context.active());
        if (!span) return {};
        const sc = span.spanContext();
        return trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
