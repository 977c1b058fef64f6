import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NotFoundError,
  STATUS_DETAILS_KEY,
  decodeStatusDetails,
  fromGrpcError,
  quote,
} from '@omen/errors';
import {
  InMemorySpanExporter,
  createLogger,
  createMetrics,
  currentTraceId,
  initTracing,
  withSpan,
  type Metrics,
  type Tracing,
} from '@omen/telemetry';
import {
  callUnary,
  clientStream,
  createClient,
  createGrpcServer,
  loadProto,
  serverStream,
  standardProtos,
  unary,
  type GrpcServer,
} from '@omen/grpc';

const proto = loadProto(path.join(import.meta.dirname, '../fixtures/echo.proto'));
const Echo = proto.client('omen.test.v1.Echo');
const healthProto = loadProto(standardProtos.health);
const Health = healthProto.client('grpc.health.v1.Health');
const reflectionProto = loadProto(standardProtos.reflectionV1alpha);
const Reflection = reflectionProto.client('grpc.reflection.v1alpha.ServerReflection');
const ReflectionV1 = loadProto(standardProtos.reflectionV1).client('grpc.reflection.v1.ServerReflection');

interface SayRequest {
  text: string;
  failWith: string;
}
interface SayReply {
  text: string;
  traceId: string;
  remainingMs: number;
}

const ADMIN_TOKEN = 'test-admin-token-0123456789';

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}

/** The value of the sample `name{labels}` in Prometheus text (label order ignored), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string | undefined> = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1] ?? '', x[2]]),
    );
    if (
      Object.keys(got).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => got[k] === v)
    )
      return Number(m[3]);
  }
  return undefined;
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    if (isServiceError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('createGrpcServer', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let metrics: Metrics;
  let server: GrpcServer;
  let address: string;
  const slowSaw: { aborted?: boolean; reason?: string } = {};

  beforeAll(async () => {
    tracing = initTracing({ service: 'grpc-test', exporters: [exporter] });
    metrics = createMetrics({ service: 'grpc-test', defaultMetrics: false });
    server = createGrpcServer({
      service: 'grpc-test',
      logger: createLogger({ service: 'grpc-test', level: 'silent' }),
      registry: metrics.registry,
      adminToken: ADMIN_TOKEN,
    });
    server.addService(
      proto.service('omen.test.v1.Echo'),
      {
        Say: unary<SayRequest, SayReply>((req, ctx) => {
          if (req.failWith === 'invalid') throw new InvalidArgumentError('must not be empty', 'text');
          if (req.failWith === 'not-found') throw new NotFoundError('no such thing', 'thing/7');
          if (req.failWith === 'crash') throw new Error('SELECT * FROM secrets failed at 10.1.2.3');
          // The caller's text as the resource, as services echo ids they did not find.
          if (req.failWith === 'not-found-echo')
            throw new NotFoundError(`no thing ${quote(req.text)}`, `thing/${req.text}`);
          // An error the status mapping itself chokes on: the answer must still be a status, not a crash.
          if (req.failWith === 'unmappable')
            throw Object.defineProperty(new NotFoundError('x'), 'resource', {
              get: () => {
                throw new Error('boom');
              },
            });
          return { text: `you said ${req.text}`, traceId: currentTraceId() ?? '', remainingMs: ctx.remainingMs() };
        }),
        Slow: unary<{ waitMs: number }, SayReply>(async (req, ctx) => {
          try {
            await sleep(req.waitMs || 60_000, undefined, { signal: ctx.signal });
            return { text: 'woke up', traceId: '', remainingMs: ctx.remainingMs() };
          } finally {
            slowSaw.aborted = ctx.signal.aborted;
            slowSaw.reason = (ctx.signal.reason as Error | undefined)?.name;
          }
        }),
        Count: serverStream<{ upTo: number }, { n: number }>(function* (req) {
          for (let n = 1; n <= req.upTo; n++) yield { n };
        }),
        Sum: clientStream<{ value: string }, { value: string }>(async (requests) => {
          let total = 0n;
          for await (const r of requests) total += BigInt(r.value);
          return { value: total.toString() };
        }),
        Reset: unary(() => ({ done: true })),
      },
      { adminMethods: ['Reset'] },
    );
    const port = await server.start('127.0.0.1', 0);
    address = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server.shutdown(1000);
    await tracing.shutdown();
  });

  it('answers grpc.health.v1 Check with NOT_SERVING, then SERVING after set', async () => {
    const health = createClient(Health, address);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    expect(await callUnary(health, 'Check', { service: 'omen.test.v1.Echo' })).toEqual({ status: 'NOT_SERVING' });
    server.health.setAll('SERVING');
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(await callUnary(health, 'Check', { service: 'omen.test.v1.Echo' })).toEqual({ status: 'SERVING' });
    server.health.set('omen.test.v1.Echo', 'NOT_SERVING');
    expect(await callUnary(health, 'Check', { service: 'omen.test.v1.Echo' })).toEqual({ status: 'NOT_SERVING' });
    server.health.set('omen.test.v1.Echo', 'SERVING');
    expect((await failure(callUnary(health, 'Check', { service: 'no.such.Service' }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
    health.close();
  });

  it('lists the service through server reflection and describes its file', async () => {
    const client = createClient(Reflection, address);
    const stream = (
      client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, Record<string, unknown>> }
    ).ServerReflectionInfo();
    const ask = (req: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        stream.once('data', resolve);
        stream.once('error', reject);
        stream.write(req);
      });
    const listed = (await ask({ listServices: '*' })) as { listServicesResponse: { service: Array<{ name: string }> } };
    const names = listed.listServicesResponse.service.map((s) => s.name);
    expect(names).toContain('omen.test.v1.Echo');
    expect(names).toContain('grpc.health.v1.Health');

    const described = (await ask({ fileContainingSymbol: 'omen.test.v1.Echo' })) as {
      fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
    };
    const files = described.fileDescriptorResponse?.fileDescriptorProto ?? [];
    expect(files.length).toBeGreaterThan(0);
    expect(Buffer.concat(files).includes(Buffer.from('SayRequest'))).toBe(true);
    stream.end();
    client.close();

    // The v1 service answers too (newer grpcurl/Postman ask it first).
    const v1 = createClient(ReflectionV1, address);
    const v1Stream = (
      v1 as unknown as {
        ServerReflectionInfo(): grpc.ClientDuplexStream<
          unknown,
          { listServicesResponse: { service: Array<{ name: string }> } }
        >;
      }
    ).ServerReflectionInfo();
    const v1Listed = await new Promise<{ listServicesResponse: { service: Array<{ name: string }> } }>(
      (resolve, reject) => {
        v1Stream.once('data', resolve);
        v1Stream.once('error', reject);
        v1Stream.write({ listServices: '*' });
      },
    );
    expect(v1Listed.listServicesResponse.service.map((s) => s.name)).toContain('omen.test.v1.Echo');
    v1Stream.end();
    v1.close();
  });

  it('serves unary, server-streaming and client-streaming calls', async () => {
    const client = createClient(Echo, address);
    expect(await callUnary<SayReply>(client, 'Say', { text: 'hi' })).toMatchObject({ text: 'you said hi' });

    const counted: number[] = [];
    for await (const m of (client as unknown as { Count(r: unknown): AsyncIterable<{ n: number }> }).Count({ upTo: 5 }))
      counted.push(m.n);
    expect(counted).toEqual([1, 2, 3, 4, 5]);

    const sum = await new Promise<{ value: string }>((resolve, reject) => {
      const call = (
        client as unknown as {
          Sum(cb: (e: Error | null, r?: { value: string }) => void): grpc.ClientWritableStream<unknown>;
        }
      ).Sum((e, r) => (e ? reject(e) : resolve(r!)));
      for (const v of ['9007199254740993', '7']) call.write({ value: v });
      call.end();
    });
    expect(sum.value).toBe('9007199254741000');
    client.close();
  });

  it('refuses an admin method without a token (UNAUTHENTICATED), with a wrong one (PERMISSION_DENIED), accepts the right one', async () => {
    const anonymous = createClient(Echo, address);
    const wrong = createClient(Echo, address, { token: 'not-the-token' });
    const right = createClient(Echo, address, { token: ADMIN_TOKEN });
    expect((await failure(callUnary(anonymous, 'Reset', {}))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await failure(callUnary(wrong, 'Reset', {}))).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await callUnary(right, 'Reset', {})).toEqual({ done: true });
    // Non-admin methods stay open.
    expect(await callUnary(anonymous, 'Say', { text: 'x' })).toMatchObject({ text: 'you said x' });
    for (const c of [anonymous, wrong, right]) c.close();
  });

  it('maps a thrown InvalidArgumentError to INVALID_ARGUMENT naming the field; hides crashes', async () => {
    const client = createClient(Echo, address);
    const invalid = await failure(callUnary(client, 'Say', { text: '', failWith: 'invalid' }));
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(invalid.details).toBe('text: must not be empty');
    expect(invalid.metadata.get('omen-field')).toEqual(['text']);
    const back = fromGrpcError(invalid);
    expect(back).toBeInstanceOf(InvalidArgumentError);
    expect((back as InvalidArgumentError).field).toBe('text');

    const notFound = await failure(callUnary(client, 'Say', { text: '', failWith: 'not-found' }));
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);
    expect(notFound.metadata.get('omen-resource')).toEqual(['thing/7']);

    const crash = await failure(callUnary(client, 'Say', { text: '', failWith: 'crash' }));
    expect(crash.code).toBe(grpc.status.INTERNAL);
    expect(crash.details).toBe('internal error');
    client.close();
  });

  it('finding "run-é": a NOT_FOUND echoing a non-ASCII id answers with the id intact and the server keeps serving', async () => {
    const client = createClient(Echo, address);
    for (const id of ['run-é', 'x\ny', 'modèle', '\u202e\0\uffff🚀', '\ud800']) {
      const err = await failure(callUnary(client, 'Say', { text: id, failWith: 'not-found-echo' }));
      expect(err.code).toBe(grpc.status.NOT_FOUND);
      expect(err.details).not.toMatch(/[\n\0\u202e\uffff\ud800]/);
      const rich = decodeStatusDetails(err.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
      expect(rich?.errorInfo).toMatchObject({ reason: 'NOT_FOUND', domain: 'omen.dev' });
      // What UTF-8 can carry comes back as sent (an unpaired surrogate is mangled by the request encoding already).
      if (id !== '\ud800') expect((fromGrpcError(err) as NotFoundError).resource).toBe(`thing/${id}`);
    }
    expect(await callUnary(client, 'Say', { text: 'still here' })).toMatchObject({ text: 'you said still here' });
    client.close();
  });

  it('answers bytes that are not a request message with INVALID_ARGUMENT, not INTERNAL', async () => {
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    // A varint that never ends.
    const err = await failure(
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          '/omen.test.v1.Echo/Say',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0xff, 0xff, 0xff]),
          (e, r) => (e ? reject(e) : resolve(r)),
        );
      }),
    );
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe('the request is not a valid /omen.test.v1.Echo/Say request message');
    client.close();
  });

  it('turns a status that cannot be built into INTERNAL instead of a crash', async () => {
    const client = createClient(Echo, address);
    const err = await failure(callUnary(client, 'Say', { text: '', failWith: 'unmappable' }));
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toBe('internal error');
    expect(await callUnary(client, 'Say', { text: 'alive' })).toMatchObject({ text: 'you said alive' });
    client.close();
  });

  it('answers DEADLINE_EXCEEDED when a handler outlives the deadline, and aborts its signal', async () => {
    const client = createClient(Echo, address);
    const err = await failure(callUnary(client, 'Slow', { waitMs: 0 }, { deadlineMs: 200 }));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await expect.poll(() => slowSaw.aborted).toBe(true);
    expect(slowSaw.reason).toBe('DeadlineExceededError');
    // The handler sees the remaining time of the caller's deadline.
    const reply = await callUnary<SayReply>(client, 'Say', { text: 't' }, { deadlineMs: 30_000 });
    expect(reply.remainingMs).toBeGreaterThan(0);
    expect(reply.remainingMs).toBeLessThanOrEqual(30_000);
    client.close();
  });

  it('records omen_grpc_server_handling_duration_seconds by method and code', async () => {
    const text = await metrics.registry.metrics();
    const echo = { service: 'grpc-test', grpc_service: 'omen.test.v1.Echo', grpc_type: 'unary' };
    expect(
      sample(text, 'omen_grpc_server_handling_duration_seconds_bucket', {
        ...echo,
        grpc_method: 'Say',
        grpc_code: 'OK',
        le: '+Inf',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'omen_grpc_server_handling_duration_seconds_count', {
        ...echo,
        grpc_method: 'Say',
        grpc_code: 'OK',
      }),
    ).toBeGreaterThanOrEqual(1);
    // The 'invalid' call and the undecodable bytes.
    expect(
      sample(text, 'omen_grpc_server_handled_total', { ...echo, grpc_method: 'Say', grpc_code: 'INVALID_ARGUMENT' }),
    ).toBe(2);
    // The 'crash' and the 'unmappable' calls.
    expect(sample(text, 'omen_grpc_server_handled_total', { ...echo, grpc_method: 'Say', grpc_code: 'INTERNAL' })).toBe(
      2,
    );
    expect(
      sample(text, 'omen_grpc_server_handled_total', { ...echo, grpc_method: 'Reset', grpc_code: 'UNAUTHENTICATED' }),
    ).toBe(1);
    expect(
      sample(text, 'omen_grpc_server_handled_total', { ...echo, grpc_method: 'Reset', grpc_code: 'PERMISSION_DENIED' }),
    ).toBe(1);
    expect(
      sample(text, 'omen_grpc_server_handled_total', { ...echo, grpc_method: 'Slow', grpc_code: 'DEADLINE_EXCEEDED' }),
    ).toBe(1);
    expect(
      sample(text, 'omen_grpc_server_handled_total', {
        ...echo,
        grpc_type: 'server_stream',
        grpc_method: 'Count',
        grpc_code: 'OK',
      }),
    ).toBe(1);
  });

  it('continues the trace the client sent: the server span is a child of the client span', async () => {
    exporter.reset();
    const client = createClient(Echo, address);
    const { traceId, reply } = await withSpan('caller', async (span) => ({
      traceId: span.spanContext().traceId,
      reply: await callUnary<SayReply>(client, 'Say', { text: 'traced' }),
    }));
    // The handler ran inside the server span, in the caller's trace.
    expect(reply.traceId).toBe(traceId);
    await expect
      .poll(() =>
        exporter.getFinishedSpans().some((s) => s.name === 'omen.test.v1.Echo/Say' && s.kind === SpanKind.SERVER),
      )
      .toBe(true);
    const spans = exporter.getFinishedSpans();
    const serverSpan = spans.find((s) => s.name === 'omen.test.v1.Echo/Say' && s.kind === SpanKind.SERVER);
    const clientSpan = spans.find((s) => s.name === 'omen.test.v1.Echo/Say' && s.kind === SpanKind.CLIENT);
    expect(serverSpan?.spanContext().traceId).toBe(traceId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(serverSpan?.parentSpanContext?.isRemote).toBe(true);
    client.close();
  });

  it('takes a raw traceparent from metadata as the server span parent', async () => {
    exporter.reset();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentSpanId = 'b7ad6b7169203331';
    const raw = new Echo(address, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('traceparent', `00-${traceId}-${parentSpanId}-01`);
    const reply = await callUnary<SayReply>(raw, 'Say', { text: 'raw' }, { metadata: md });
    expect(reply.traceId).toBe(traceId);
    await expect
      .poll(() => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)?.parentSpanContext?.spanId)
      .toBe(parentSpanId);
    raw.close();
  });
});

describe('createGrpcServer auth configuration', () => {
  it("requireAuth 'all' protects every method but health; no server token refuses everything", async () => {
    const server = createGrpcServer({
      service: 't',
      logger: createLogger({ service: 't', level: 'silent' }),
      requireAuth: 'all',
    });
    server.addService(proto.service('omen.test.v1.Echo'), {
      Say: unary(() => ({ text: 'ok' })),
      Slow: unary(() => ({})),
      Count: serverStream(() => []),
      Sum: clientStream(() => ({})),
      Reset: unary(() => ({})),
    });
    const port = await server.start('127.0.0.1', 0);
    try {
      const anonymous = createClient(Echo, `127.0.0.1:${port}`);
      const withToken = createClient(Echo, `127.0.0.1:${port}`, { token: 'anything' });
      expect((await failure(callUnary(anonymous, 'Say', { text: 'x' }))).code).toBe(grpc.status.UNAUTHENTICATED);
      const denied = await failure(callUnary(withToken, 'Say', { text: 'x' }));
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(denied.details).toMatch(/no admin token configured/);
      const health = createClient(Health, `127.0.0.1:${port}`);
      expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
      for (const c of [anonymous, withToken, health]) c.close();
    } finally {
      await server.shutdown(500);
    }
  });

  it('refuses to start when an admin method names nothing', async () => {
    const server = createGrpcServer({
      service: 't',
      logger: createLogger({ service: 't', level: 'silent' }),
      adminMethods: ['omen.test.v1.Echo/Rest'],
    });
    server.addService(proto.service('omen.test.v1.Echo'), { Say: unary(() => ({})) });
    await expect(server.start('127.0.0.1', 0)).rejects.toThrow(/omen\.test\.v1\.Echo\/Rest/);
    expect(() => server.addService(proto.service('omen.test.v1.Echo'), {}, { adminMethods: ['Nope'] })).toThrow(
      /has no method Nope/,
    );
    await server.shutdown(100);
  });
});
