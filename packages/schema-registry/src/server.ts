import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RegistryError } from './errors.ts';
import { parseVersion, RegistryStore } from './store.ts';

/** Options of {@link createRegistryServer}. */
export interface RegistryServerOptions {
  /** Directory holding the registry state (`registry.json`); created when missing. */
  readonly dataDir: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 18081 */
  readonly port?: number;
}

/** A running registry. */
export interface RegistryServer {
  /** Base URL, e.g. "http://127.0.0.1:18081" — what SCHEMA_REGISTRY_URL holds. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly store: RegistryStore;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED_BODY_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/octet-stream',
];

interface SchemaBody {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
}

function schemaFromBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object') {
    throw new RegistryError(
      'INVALID_SCHEMA',
      'Invalid schema: the request body must be a JSON object like {"schema": "<Avro schema JSON>"}',
    );
  }
  const { schema, schemaType, references } = body as SchemaBody;
  if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
    throw new RegistryError(
      'INVALID_SCHEMA',
      `Invalid schema: schemaType ${JSON.stringify(schemaType)} is not supported; this registry stores AVRO schemas only`,
    );
  }
  if (Array.isArray(references) ? references.length > 0 : references !== undefined && references !== null) {
    throw new RegistryError(
      'INVALID_SCHEMA',
      'Invalid schema: schema references are not supported; inline the referenced types',
    );
  }
  return schema;
}

function compatibilityFromBody(body: unknown): unknown {
  return body !== null && typeof body === 'object' ? (body as { compatibility?: unknown }).compatibility : undefined;
}

type Params = { subject: string; version: string; id: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined>; Body: unknown }>;

function schemaId(raw: string): number {
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new RegistryError('SCHEMA_NOT_FOUND', `Schema ${raw} not found`);
  return id;
}

function flag(value: string | undefined): boolean {
  return value === 'true';
}

/** Builds the HTTP app over a store (no listening); exported for tests that inject requests. */
export function buildRegistryApp(store: RegistryStore): FastifyInstance {
  const app = Fastify({ logger: false });

  // Clients send the registry content type on every request, bodyless DELETEs included, so an
  // empty body is "no body" rather than Fastify's default empty-JSON error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser([...ACCEPTED_BODY_TYPES, 'application/json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new RegistryError('BAD_REQUEST', `Unrecognized request body: not JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-type', CONTENT_TYPE);
    return payload;
  });
  app.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof RegistryError) return reply.status(err.status).send(err.toBody());
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send({ error_code: status, message: (err as Error).message });
    }
    return reply.status(500).send({ error_code: 500, message: `Internal error: ${(err as Error).message}` });
  });
  // Handlers that do no I/O are synchronous: Fastify sends what they return and routes what
  // they throw to the error handler, like an async handler's rejection.
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error_code: 404, message: `HTTP 404 Not Found: ${req.method} ${req.url}` }),
  );

  app.get('/', () => ({}));
  app.get('/schemas/types', () => ['AVRO']);

  app.get('/config', () => ({ compatibilityLevel: store.globalCompatibility }));
  app.put('/config', async (req: Req) => ({
    compatibility: await store.setGlobalCompatibility(compatibilityFromBody(req.body)),
  }));
  app.get('/config/:subject', (req: Req) => {
    const own = store.subjectCompatibility(req.params.subject);
    if (own !== undefined) return { compatibilityLevel: own };
    if (flag(req.query['defaultToGlobal'])) return { compatibilityLevel: store.globalCompatibility };
    // Confluent answers 404 here, and @kafkajs/confluent-schema-registry relies on it to tell a
    // first registration (it then sets the subject's level) from a level mismatch.
    throw new RegistryError(
      'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      `Subject '${req.params.subject}' does not have subject-level compatibility configured`,
    );
  });
  app.put('/config/:subject', async (req: Req) => ({
    compatibility: await store.setSubjectCompatibility(req.params.subject, compatibilityFromBody(req.body)),
  }));
  app.delete('/config/:subject', async (req: Req) => ({
    compatibilityLevel: await store.deleteSubjectCompatibility(req.params.subject),
  }));

  app.get('/subjects', (req: Req) => store.subjects(flag(req.query['deleted'])));
  app.get('/subjects/:subject/versions', (req: Req) => store.versions(req.params.subject));
  app.get('/subjects/:subject/versions/:version', (req: Req) =>
    store.version(req.params.subject, parseVersion(req.params.version)),
  );
  app.get('/subjects/:subject/versions/:version/schema', (req: Req, reply: FastifyReply) =>
    reply.send(store.version(req.params.subject, parseVersion(req.params.version)).schema),
  );
  app.post('/subjects/:subject/versions', async (req: Req) => ({
    id: await store.register(req.params.subject, schemaFromBody(req.body)),
  }));
  app.post('/subjects/:subject', (req: Req) => store.lookup(req.params.subject, schemaFromBody(req.body)));
  app.delete(
    '/subjects/:subject',
    async (req: Req) => await store.deleteSubject(req.params.subject, flag(req.query['permanent'])),
  );
  app.delete(
    '/subjects/:subject/versions/:version',
    async (req: Req) =>
      await store.deleteVersion(req.params.subject, parseVersion(req.params.version), flag(req.query['permanent'])),
  );

  app.get('/schemas/ids/:id', (req: Req) => store.schemaById(schemaId(req.params.id)));
  app.get('/schemas/ids/:id/schema', (req: Req, reply: FastifyReply) =>
    reply.send(store.schemaById(schemaId(req.params.id)).schema),
  );
  app.get('/schemas/ids/:id/versions', (req: Req) => store.usages(schemaId(req.params.id)));

  const compatibility = (req: Req) => {
    const version = req.params.version === undefined ? undefined : parseVersion(req.params.version);
    const result = store.testCompatibility(req.params.subject, version, schemaFromBody(req.body));
    return flag(req.query['verbose'])
      ? { is_compatible: result.compatible, messages: result.messages }
      : { is_compatible: result.compatible };
  };
  app.post('/compatibility/subjects/:subject/versions/:version', compatibility);
  app.post('/compatibility/subjects/:subject/versions', compatibility);

  return app;
}

/**
 * Starts a Confluent-compatible schema registry (the REST subset @kafkajs/confluent-schema-registry
 * and the Confluent serializers use, AVRO only) with its state in `dataDir`.
 */
export async function createRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const host = options.host ?? '127.0.0.1';
  const store = await RegistryStore.open(options.dataDir);
  const app = buildRegistryApp(store);
  await app.listen({ host, port: options.port ?? 18081 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 18081);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    store,
    app,
    async close() {
      await app.close();
      await store.flush();
    },
  };
}
