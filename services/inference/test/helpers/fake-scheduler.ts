import type { Scheduler } from '../../src/domain/batcher.ts';

/** A manual clock: time moves only through advance(), which fires due timers in order. */
export class FakeScheduler implements Scheduler {
  #now = 0;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #seq = 0;

  now(): number {
    return this.#now;
  }

  schedule(fn: () => void, delayUs: number): () => void {
    const id = ++this.#seq;
    this.#timers.push({ at: this.#now + Math.max(0, delayUs), fn, id });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves the clock forward by `us`, running every timer that falls due on the way. */
  advance(us: number): void {
    const target = this.#now + us;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
}

/** Lets pending promise callbacks run (the batcher settles through promises). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
