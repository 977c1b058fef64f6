import { performance } from 'node:perf_hooks';
import type { Scheduler } from '../domain/batcher.ts';

/**
 * The batcher's clock on Node's event loop. Node timers have millisecond resolution and a
 * `setTimeout(fn, 0)` waits a full millisecond, so a sub-millisecond delay becomes "the end of
 * this event-loop turn" (setImmediate): every request whose bytes arrived in the same poll
 * phase joins the batch, and an idle server adds no latency. Longer delays use setTimeout.
 */
export const eventLoopScheduler: Scheduler = {
  now: () => performance.now() * 1000,
  schedule(fn, delayUs) {
    if (delayUs < 1000) {
      const handle = setImmediate(fn);
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(fn, Math.floor(delayUs / 1000));
    return () => clearTimeout(handle);
  },
};
