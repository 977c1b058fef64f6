import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestIngest } from '../helpers/app.ts';

// Regression, issue 11 "limits everywhere": webhooks took any number of requests from one sender,
// each costing an HMAC over its body before it could be refused.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

describe('webhook rate limit', () => {
  it('answers 429 RESOURCE_EXHAUSTED with Retry-After past the limit of one source, signed or not, and counts each provider apart', async () => {
    const t = await startTestIngest(cleanup, { env: { INGEST_RATE_LIMIT: '3', INGEST_RATE_LIMIT_WINDOW: '60s' } });
    for (let i = 0; i < 3; i++) expect((await t.github('ping', { zen: 'hi', hook_id: i })).status).toBe(202);

    const limited = await t.github('ping', { zen: 'hi', hook_id: 4 });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      error: { code: 'RESOURCE_EXHAUSTED', message: expect.stringContaining('more than 3 requests') as unknown },
    });
    // Refused before the signature is looked at: a forged flood gets the same 429, not 401.
    expect((await t.github('ping', { zen: 'hi' }, { secret: 'wrong' })).status).toBe(429);

    // GitLab deliveries from the same address are another source.
    expect((await t.gitlab('System Hook', { event_name: 'ping' })).status).not.toBe(429);
  });

  it('is off with INGEST_RATE_LIMIT=0', async () => {
    const t = await startTestIngest(cleanup, { env: { INGEST_RATE_LIMIT: '0' } });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.github('ping', { zen: 'hi', hook_id: i }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 202)).toBe(true);
  });
});
