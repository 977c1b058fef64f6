// The promise chain that keeps calls on one thing in order (a model's promotions, a registry
// name's writes, a detector's windows): written once here instead of once per caller. A subpath
// export (@omen/service/serial) so packages below the kit can take it without loading the rest.

/**
 * Runs tasks one after another per key: a task starts once every earlier task of its key has
 * settled — a failure does not break the chain, it only rejects its own caller — while tasks of
 * different keys run concurrently. A key whose tasks are all settled holds no memory.
 */
export class KeyedSerializer<K = string> {
  readonly #tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => Promise<T> | T): Promise<T> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
