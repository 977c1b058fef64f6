/** What one request learns from the limiter. */
export interface WindowState {
  /** Over the limit: answer 429. */
  limited: boolean;
  /** Requests the source may still send in this window. */
  remaining: number;
  /** Whole seconds until the source's window ends (Retry-After, x-ratelimit-reset). */
  resetSeconds: number;
}

interface Window {
  count: number;
  endsAt: number;
}

/**
 * A fixed window per key, started by the key's first request, in this process's memory: the
 * rule `@fastify/rate-limit`'s local store applied before the webhook server left fastify.
 * Written here because the limit is one map lookup on the hot path, and the libraries of the
 * field are framework middleware or asynchronous stores built for shared backends.
 */
export class FixedWindowLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  /**
   * @param maxKeys sources remembered at most; past it, ended windows are dropped, and should
   *   every window still be running (a flood from that many addresses), the oldest ones.
   */
  constructor(max: number, windowMs: number, options: { maxKeys?: number; now?: () => number } = {}) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  hit(key: string): WindowState {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      if (window === undefined && this.#windows.size >= this.#maxKeys) this.#evict(now);
      window = { count: 0, endsAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return {
      limited: window.count > this.#max,
      remaining: Math.max(0, this.#max - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.endsAt - now) / 1000)),
    };
  }

  #evict(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    // A Map iterates in insertion order: the first keys are the oldest windows.
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.#maxKeys) break;
      this.#windows.delete(key);
    }
  }
}
