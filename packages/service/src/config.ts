import type { JwtOptions } from '@omen/auth';
import {
  bool,
  durationMs,
  enumOf,
  int,
  port,
  secret,
  str,
  url,
  type ConfigOf,
  type ConfigProblem,
  type ConfigShape,
} from '@omen/config';
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
 * - `ADMIN_TOKEN` (optional, >= 16 characters): static bearer token holding the admin role (local use)
 * - `AUTH_JWT_ISSUER`, `AUTH_JWT_AUDIENCE`, and one of `AUTH_JWT_JWKS_URL` / `AUTH_JWT_PUBLIC_KEY` (PEM):
 *   accept signed JWTs whose `roles` claim (`AUTH_JWT_ROLES_CLAIM`) grants reader, operator or admin
 * - `GRPC_REQUIRE_AUTH` (default `false`): require a credential on every RPC but health/reflection
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
    AUTH_JWT_ISSUER: str().optional(),
    AUTH_JWT_AUDIENCE: str().optional(),
    AUTH_JWT_JWKS_URL: url({ protocols: ['http', 'https'] }).optional(),
    AUTH_JWT_PUBLIC_KEY: str({
      pattern: /^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/,
      describe: 'a PEM public key (-----BEGIN PUBLIC KEY-----)',
    }).optional(),
    AUTH_JWT_ROLES_CLAIM: str({ default: 'roles' }),
    GRPC_REQUIRE_AUTH: bool({ default: false }),
    OTEL_EXPORTER_OTLP_ENDPOINT: url({ protocols: ['http', 'https'] }).optional(),
    SHUTDOWN_GRACE: durationMs({ default: '10s' }),
    GRPC_MAX_RECEIVE_BYTES: int({ min: 1024, max: 1024 * 1024 * 1024 }).optional(),
  } satisfies ConfigShape;
}

export type BaseConfigShape = ReturnType<typeof baseConfigSchema>;

/**
 * The JWT settings, or the problems with them: issuer and audience are required once a key
 * source is set (a token checked against keys alone would be accepted from any issuer those keys
 * sign for), and exactly one key source.
 */
export function jwtOptionsFrom(c: ConfigOf<BaseConfigShape>): {
  jwt: JwtOptions | undefined;
  problems: ConfigProblem[];
} {
  const sources = [c.AUTH_JWT_JWKS_URL, c.AUTH_JWT_PUBLIC_KEY].filter((v) => v !== undefined);
  const named = [c.AUTH_JWT_ISSUER, c.AUTH_JWT_AUDIENCE].some((v) => v !== undefined);
  if (sources.length === 0 && !named) return { jwt: undefined, problems: [] };
  const problems: ConfigProblem[] = [];
  if (sources.length !== 1)
    problems.push({
      variable: 'AUTH_JWT_JWKS_URL',
      expected: 'exactly one of AUTH_JWT_JWKS_URL and AUTH_JWT_PUBLIC_KEY when JWTs are accepted',
      got: sources.length === 0 ? 'neither' : 'both',
    });
  if (c.AUTH_JWT_ISSUER === undefined)
    problems.push({
      variable: 'AUTH_JWT_ISSUER',
      expected: 'the issuer (iss) tokens must carry, whenever JWTs are accepted',
      got: 'nothing',
    });
  if (c.AUTH_JWT_AUDIENCE === undefined)
    problems.push({
      variable: 'AUTH_JWT_AUDIENCE',
      expected: 'the audience (aud) tokens must name, whenever JWTs are accepted',
      got: 'nothing',
    });
  if (problems.length > 0) return { jwt: undefined, problems };
  return {
    jwt: {
      issuer: c.AUTH_JWT_ISSUER!,
      audience: c.AUTH_JWT_AUDIENCE!,
      jwksUrl: c.AUTH_JWT_JWKS_URL,
      publicKey: c.AUTH_JWT_PUBLIC_KEY,
      rolesClaim: c.AUTH_JWT_ROLES_CLAIM,
    },
    problems: [],
  };
}
