import { UnavailableError } from '@omen/errors';

/**
 * `work`, or UNAVAILABLE naming `what` once `timeoutMs` passed: for an engine call on a request
 * path whose client has no timeout of its own for it (a NATS flush, a read on a client shared
 * with a stream pipeline that must not get a short command timeout). The call itself is not
 * cancelled; its late result is ignored.
 */
export async function withinMs<T>(work: Promise<T>, timeoutMs: number, what: string, retryAfterMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(`${what} did not answer within ${timeoutMs} ms`, { retryAfterMs })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
