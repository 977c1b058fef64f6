import { describe, expect, it } from 'vitest';
import { isOmenError } from '@omen/errors';
import { withinMs } from '../../src/deadline.ts';

describe('withinMs', () => {
  it('gives the answer, or the failure, of work that settles in time', async () => {
    await expect(withinMs(Promise.resolve('PONG'), 1000, 'Redis')).resolves.toBe('PONG');
    await expect(withinMs(Promise.reject(new Error('refused')), 1000, 'Redis')).rejects.toThrow('refused');
  });

  it('answers UNAVAILABLE naming the engine when the work never settles (a stalled engine)', async () => {
    const err: unknown = await withinMs(new Promise(() => undefined), 30, 'the online store (Redis)', 2000).catch(
      (e: unknown) => e,
    );
    expect(isOmenError(err) && err.code).toBe('UNAVAILABLE');
    expect((err as Error).message).toBe('the online store (Redis) did not answer within 30 ms');
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBe(2000);
  });
});
