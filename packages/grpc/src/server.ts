import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, service as healthService, type ServingStatus } from 'grpc-health-check';
import { AUDITED_METHODS, METHOD_ROLES, createAuthenticator, type JwtOptions, type Role } from '@omen/auth';
import type { Logger, Registry } from '@omen/telemetry';
import { authInterceptor, type AuditRecord } from './auth.ts';
import { observeInterceptor } from './interceptors.ts';
import { splitMethodPath } from './proto.ts';
import { tolerantDecoding } from './undecodable.ts';

export type { ServingStatus } from 'grpc-health-check';

export interface GrpcServerOptions {
  /** The omen service name (logs). */
  service: string;
  logger: Logger;
  /** Where `grpc_server_*` metrics go. @default undefined (no metrics) */
  registry?: Registry;
  /** The static admin token (`ADMIN_TOKEN`): a credential holding the admin role. @default undefined */
  adminToken?: string | { reveal(): string } | undefined;
  /** Signed JWTs with roles (`AUTH_JWT_*`). @default undefined (only the static token) */
  jwt?: JwtOptions | undefined;
  /** Methods that need the admin role besides those @omen/auth's METHOD_ROLES names, by full name, `pkg.Service/Method`. @default [] */
  adminMethods?: string[];
  /**
   * `'admin'`: only methods that need more than `reader` need a credential; `'all'`: every
   * method does (health and reflection stay open so probes and tooling work). @default 'admin'
   */
  requireAuth?: 'admin' | 'all';
  /** The least role per method. @default @omen/auth's METHOD_ROLES */
  methodRoles?: Readonly<Record<string, Role>>;
  /** Methods whose calls go to the audit sink. @default @omen/auth's AUDITED_METHODS */
  auditedMethods?: ReadonlySet<string>;
  /** Extra grpc-js server options (message size limits, keepalive). @default {} */
  serverOptions?: grpc.ServerOptions;
}

export interface AddServiceOptions {
  /** Method names of this service that need the admin role besides METHOD_ROLES, e.g. `['Reset']`. @default [] */
  adminMethods?: string[];
}

export interface HealthControl {
  /** Sets one service's status; `''` is the whole server. */
  set(serviceName: string, status: ServingStatus): void;
  /** Sets `''` and every added service. */
  setAll(status: ServingStatus): void;
  /** The status last set for a name (undefined if never set). */
  get(serviceName: string): ServingStatus | undefined;
}

export interface GrpcServer {
  readonly server: grpc.Server;
  /** Registers a service; its methods become visible to reflection and health (at the overall status). */
  addService(
    definition: grpc.ServiceDefinition,
    implementation: grpc.UntypedServiceImplementation,
    options?: AddServiceOptions,
  ): void;
  readonly health: HealthControl;
  /** Binds (insecure; TLS terminates at the mesh/ingress) and returns the bound port (`port` 0 picks one). */
  start(host?: string, port?: number): Promise<number>;
  /**
   * Marks everything NOT_SERVING, stops accepting calls, waits up to `graceMs` for in-flight
   * ones, then cancels the rest. @param graceMs @default 10000
   */
  shutdown(graceMs?: number): Promise<void>;
  /** The bound port after `start`. */
  readonly port: number | undefined;
  /**
   * Where records of audited calls (@omen/auth's AUDITED_METHODS) go. It must not block: push
   * into a bounded buffer. Until one is set, audited calls are only logged.
   */
  setAuditSink(sink: ((record: AuditRecord) => void) | undefined): void;
}

// Open to everyone even with requireAuth 'all': kubelets and grpcurl have no token.
const alwaysOpen = new Set([
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
]);

function normalize(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

function serviceNameOf(definition: grpc.ServiceDefinition): string {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('service definition has no methods');
  return splitMethodPath(first.path).service;
}

/**
 * A grpc-js server with omen's conventions built in: `grpc.health.v1.Health`, server
 * reflection (v1 and v1alpha) over every added service, per-RPC metrics/spans/logs, bearer
 * auth on admin methods, and graceful shutdown. Handlers written with `unary`/`serverStream`/
 * `clientStream` also get deadlines, cancellation and the one error mapping.
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { logger, requireAuth = 'admin', methodRoles = METHOD_ROLES, auditedMethods = AUDITED_METHODS } = options;
  const protectedPaths = new Set((options.adminMethods ?? []).map(normalize));
  const requiredRole = (path: string): Role | undefined => {
    if (alwaysOpen.has(splitMethodPath(path).service)) return undefined;
    const role = protectedPaths.has(path) ? 'admin' : (methodRoles[path] ?? 'reader');
    return role === 'reader' && requireAuth !== 'all' ? undefined : role;
  };
  const authenticator = createAuthenticator({ adminToken: options.adminToken, jwt: options.jwt });
  if (!authenticator.configured)
    logger.warn('no ADMIN_TOKEN and no JWT issuer configured: protected gRPC methods will refuse every call');
  let auditSink: ((record: AuditRecord) => void) | undefined;

  const server = new grpc.Server({
    ...options.serverOptions,
    // Order matters: observe is nearest the wire so it also sees calls auth refuses.
    interceptors: [
      observeInterceptor({ logger, ...(options.registry ? { registry: options.registry } : {}) }),
      authInterceptor({
        authenticator,
        requiredRole,
        audited: (path) => auditedMethods.has(path),
        auditSink: () => auditSink,
        logger,
      }),
      ...(options.serverOptions?.interceptors ?? []),
    ],
  });

  const statuses = new Map<string, ServingStatus>([['', 'NOT_SERVING']]);
  const healthImpl = new HealthImplementation(Object.fromEntries(statuses));
  healthImpl.addToServer(server);
  const serviceNames: string[] = [];
  const health: HealthControl = {
    set(name, status) {
      statuses.set(name, status);
      healthImpl.setStatus(name, status);
    },
    setAll(status) {
      for (const name of ['', ...serviceNames]) health.set(name, status);
    },
    get: (name) => statuses.get(name),
  };

  const reflection = delegatingReflection(server);
  reflection.include(healthService);

  let port: number | undefined;
  return {
    server,
    health,
    get port() {
      return port;
    },
    setAuditSink(sink) {
      auditSink = sink;
    },
    addService(definition, implementation, addOptions = {}) {
      const name = serviceNameOf(definition);
      for (const m of addOptions.adminMethods ?? []) {
        const path = `/${name}/${m}`;
        if (!Object.values(definition).some((d) => d.path === path))
          throw new Error(`adminMethods: ${name} has no method ${m}`);
        protectedPaths.add(path);
      }
      server.addService(tolerantDecoding(definition), implementation);
      serviceNames.push(name);
      health.set(name, statuses.get('') ?? 'NOT_SERVING');
      reflection.include(definition);
    },
    async start(host = '0.0.0.0', wanted = 0) {
      // An admin method that does not exist is a typo that would leave the real one open.
      const known = new Set(reflection.paths());
      const unknown = [...protectedPaths].filter((p) => !known.has(p));
      if (unknown.length > 0) throw new Error(`adminMethods name methods no added service has: ${unknown.join(', ')}`);
      const address = host.includes(':') ? `[${host}]:${wanted}` : `${host}:${wanted}`;
      port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        );
      });
      logger.info({ host, port }, 'grpc server listening');
      return port;
    },
    async shutdown(graceMs = 10_000) {
      health.setAll('NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ graceMs }, 'grpc calls still running after the grace period; cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * Reflection over services added at any time. @grpc/reflection indexes a package definition
 * once, at construction, but services join after the server starts (the health port must
 * answer while dependencies connect), so the reflection handlers are registered once and
 * delegate to an index rebuilt whenever a service was added since the last request.
 */
function delegatingReflection(server: grpc.Server) {
  // Message type definitions carry the serialized descriptors of their whole file set; that
  // is all ReflectionService reads from a package definition, so collecting the request and
  // response types of each method is enough.
  const descriptors: Record<string, unknown> = {};
  const services = new Set<string>();
  const paths: string[] = [];
  let current: Map<string, grpc.UntypedServiceImplementation> | undefined;

  const build = () => {
    const impls = new Map<string, grpc.UntypedServiceImplementation>();
    const reflection = new ReflectionService(descriptors as ConstructorParameters<typeof ReflectionService>[0], {
      services: [...services],
    });
    reflection.addToServer({
      addService: (definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) => {
        impls.set(serviceNameOf(definition), implementation);
      },
    });
    return impls;
  };

  const include = (definition: grpc.ServiceDefinition) => {
    const name = serviceNameOf(definition);
    services.add(name);
    for (const [key, method] of Object.entries(definition)) {
      paths.push(method.path);
      for (const [side, type] of [
        ['req', (method as { requestType?: unknown }).requestType],
        ['res', (method as { responseType?: unknown }).responseType],
      ] as const) {
        if (type && typeof type === 'object' && 'fileDescriptorProtos' in type)
          descriptors[`${name}.${key}.${side}`] = type;
      }
    }
    current = undefined;
  };

  // Register the reflection services themselves, with handlers that look up the latest index.
  const first = build();
  const capture = new Map<string, grpc.ServiceDefinition>();
  new ReflectionService({}).addToServer({
    addService: (definition: grpc.ServiceDefinition) => capture.set(serviceNameOf(definition), definition),
  });
  for (const [name, definition] of capture) {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(first.get(name) ?? {})) {
      implementation[method] = ((call: unknown, callback: unknown) => {
        current ??= build();
        const fn = current.get(name)?.[method] as (c: unknown, cb: unknown) => void;
        fn(call, callback);
      }) as grpc.UntypedHandleCall;
    }
    server.addService(definition, implementation);
    include(definition);
  }
  return { include, paths: () => paths };
}
