import { bool, durationMs, enumOf, int, port, secret, str, url, type ConfigShape } from '@omen/config';
import { logLevels } from '@omen/telemetry';

export interface PortDefaults {
  /** @default 50051 */
  grpcPort?: number;
  /** @default 9464 */
  metricsPort?: number;
}

/**
 * The variables every omen service reads, besides its own:
 * - `GRPC_HOST` (default `0.0.0.0`: reachable from outside a container) and `GRPC_PORT` (default per service, 50051 if none)
 * - `METRICS_HOST` (default `0.0.0.0`) and `METRICS_PORT` (default per service, 9464 if none): `/metrics`, `/healthz`, `/readyz`
 * - `LOG_LEVEL` (default `info`)
 * - `ADMIN_TOKEN` (optional, >= 16 characters): bearer token for admin RPCs; without it admin RPCs are refused
 * - `GRPC_REQUIRE_AUTH` (default `false`): require the token on every RPC but health/reflection
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (optional): OTLP/HTTP collector; unset = no trace export
 * - `SHUTDOWN_GRACE` (default `10s`): how long in-flight RPCs and each shutdown hook may take
 * - `GRPC_MAX_RECEIVE_BYTES` (optional): largest gRPC request message; unset = the service's own size
 */
export function baseConfigSchema(defaults: PortDefaults = {}) {
  return {
    GRPC_HOST: str({ default: '0.0.0.0' }),
    GRPC_PORT: port({ default: defaults.grpcPort ?? 50051 }),
    METRICS_HOST: str({ default: '0.0.0.0' }),
    METRICS_PORT: port({ default: defaults.metricsPort ?? 9464 }),
    LOG_LEVEL: enumOf(logLevels, { default: 'info' }),
    ADMIN_TOKEN: secret({ minLength: 16 }).optional(),
    GRPC_REQUIRE_AUTH: bool({ default: false }),
    OTEL_EXPORTER_OTLP_ENDPOINT: url({ protocols: ['http', 'https'] }).optional(),
    SHUTDOWN_GRACE: durationMs({ default: '10s' }),
    GRPC_MAX_RECEIVE_BYTES: int({ min: 1024, max: 1024 * 1024 * 1024 }).optional(),
  } satisfies ConfigShape;
}

export type BaseConfigShape = ReturnType<typeof baseConfigSchema>;
