import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, initTracing, withSpan, type Tracing } from '@omen/telemetry';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (s: string) => void lines.push(s) },
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with service and level names', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest', level: 'debug', destination: out.destination });
    log.debug({ repo: 'expressjs/express' }, 'hello');
    log.trace('dropped below level');
    const [rec, ...rest] = out.records();
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({ service: 'ingest', level: 'debug', repo: 'expressjs/express', msg: 'hello' });
  });

  it('never writes credentials found in headers, metadata, or common fields', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest', destination: out.destination });
    const secrets = ['Bearer tok-AAAA', 'tok-BBBB', 'pw-CCCC', 'sk-DDDD', 'cookie-EEEE', 'adm-FFFF', 'key-GGGG'];
    log.info(
      {
        req: { headers: { authorization: secrets[0], 'set-cookie': secrets[4], host: 'example.org' } },
        token: secrets[1],
        db: { password: secrets[2] },
        scm: { clientSecret: secrets[3] },
        metadata: { authorization: secrets[0] },
        config: { ADMIN_TOKEN: secrets[5] },
        apiKey: secrets[6],
      },
      'incoming webhook',
    );
    const text = out.lines.join('');
    for (const s of secrets) expect(text).not.toContain(s);
    const [rec] = out.records();
    expect(rec).toMatchObject({
      req: { headers: { authorization: '[redacted]', host: 'example.org' } },
      token: '[redacted]',
      db: { password: '[redacted]' },
    });
  });
});

describe('createLogger inside a span', () => {
  let tracing: Tracing;
  beforeAll(() => {
    tracing = initTracing({ service: 'logger-test' });
  });
  afterAll(() => tracing.shutdown());

  it('adds trace_id and span_id so logs join traces', async () => {
    const out = capture();
    const log = createLogger({ service: 'x', destination: out.destination });
    const traceId = await withSpan('work', (span) => {
      log.info('inside');
      return span.spanContext().traceId;
    });
    log.info('outside');
    const [inside, outside] = out.records();
    expect(inside?.['trace_id']).toBe(traceId);
    expect(inside?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
    expect(outside?.['trace_id']).toBeUndefined();
  });
});
