// Worker threads that answer calls: the pool on the main thread and the serving loop inside each
// worker, one protocol between them. The services keep CPU-bound work off the event loop this
// way (inference: ONNX Runtime sessions; featurizer: tree-sitter code metrics). Node's own
// worker_threads has no request/response layer, and piscina's fixed task model (no routing of a
// key to the worker whose caches hold it, no setup reply before the first task) fits neither.
import { createRequire } from 'node:module';
import { parentPort, Worker, workerData, type Transferable } from 'node:worker_threads';

/**
 * Source for `new Worker(source, { eval: true })` that runs the TypeScript module `entry` in a
 * worker thread: tsx's hooks registered inside the worker, then the entry imported. On Node 20 a
 * Worker's execArgv `--import tsx` is not applied to the entry (nodejs/node#47747), and the
 * services run from TypeScript sources (the image's CMD is `node --import tsx`).
 */
export function typescriptWorkerSource(entry: URL): string {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
  return `require(${JSON.stringify(tsxApi)}).register();\nimport(${JSON.stringify(entry.href)});\n`;
}

/** Any integer key to one of `size` slots (a hash may be negative or beyond the pool). */
function slotIndex(slot: number, size: number): number {
  const i = Math.trunc(slot) % size;
  return Number.isNaN(i) ? 0 : i < 0 ? i + size : i;
}

/** What a pool's worker says, and what the pool sends it. */
type Reply<Res> =
  | { kind: 'ready' }
  | { kind: 'setup-failed'; message: string }
  | { kind: 'result'; id: number; value: Res }
  | { kind: 'error'; id: number; message: string };
interface Call<Req> {
  id: number;
  request: Req;
}

export interface WorkerPoolOptions<Init> {
  /** The worker module; it calls serveWorkerCalls. */
  entry: URL;
  /** Worker threads (at least 1). */
  size: number;
  /** Handed to every worker's setup (structured clone). */
  init: Init;
  /** What the workers are, for errors: "code worker", "session worker". */
  what: string;
}

export interface CallOptions {
  /**
   * The worker that answers (taken modulo the pool's size): a key's calls then go to one worker,
   * in order, where its caches are. Without it the least busy worker answers.
   */
  slot?: number;
  /** Moved to the worker rather than copied; the caller must not touch them afterwards. */
  transfer?: readonly Transferable[];
}

interface Member {
  worker: Worker;
  inflight: number;
}
interface Pending<Res> {
  resolve: (value: Res) => void;
  reject: (err: Error) => void;
  member: Member;
}

/**
 * Worker threads that run `serveWorkerCalls`, each set up once (`init`) before the pool is
 * ready. A call's answer is matched to it by id. A worker that dies fails its calls in flight
 * with the reason and is started again by the next call that needs it.
 */
export class WorkerPool<Init, Req, Res> {
  readonly #options: WorkerPoolOptions<Init>;
  readonly #members: (Member | undefined)[];
  readonly #starting: (Promise<Member> | undefined)[];
  readonly #pending = new Map<number, Pending<Res>>();
  #seq = 0;
  #closed = false;

  private constructor(options: WorkerPoolOptions<Init>) {
    this.#options = options;
    this.#members = Array.from({ length: options.size }, () => undefined);
    this.#starting = Array.from({ length: options.size }, () => undefined);
  }

  /** Starts every worker and waits for its setup; rejects with the first setup's failure. */
  static async start<Init, Req, Res>(options: WorkerPoolOptions<Init>): Promise<WorkerPool<Init, Req, Res>> {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`a ${options.what} pool needs at least one worker, got ${options.size}`);
    const pool = new WorkerPool<Init, Req, Res>(options);
    try {
      await Promise.all(pool.#members.map((_, slot) => pool.#member(slot)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.#members.length;
  }

  /** Sends `request` to a worker and resolves with its answer (rejects with its error). */
  call(request: Req, options: CallOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(new Error(`${this.#options.what} pool closed`));
    const slot = options.slot === undefined ? this.#leastBusy() : slotIndex(options.slot, this.size);
    // Sent at once to a running worker, so the next call of this turn sees it in flight (least
    // busy) and a slot's calls reach its worker in call order; a restarting worker takes the
    // calls that waited for it first.
    const running = this.#members[slot];
    if (running && this.#starting[slot] === undefined) return this.#send(running, request, options.transfer);
    return this.#member(slot).then((member) => {
      if (this.#closed) throw new Error(`${this.#options.what} pool closed`);
      return this.#send(member, request, options.transfer);
    });
  }

  #send(member: Member, request: Req, transfer: readonly Transferable[] | undefined): Promise<Res> {
    const id = ++this.#seq;
    member.inflight++;
    return new Promise<Res>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, member });
      try {
        member.worker.postMessage({ id, request } satisfies Call<Req>, transfer);
      } catch (err) {
        // A request that cannot be cloned (a function, a closed port) never left: nothing waits for it.
        this.#pending.delete(id);
        member.inflight--;
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** The slot with the fewest calls in flight; a stopped worker counts as idle (it restarts). */
  #leastBusy(): number {
    let best = 0;
    let fewest = Infinity;
    this.#members.forEach((m, slot) => {
      const inflight = m?.inflight ?? 0;
      if (inflight < fewest) [best, fewest] = [slot, inflight];
    });
    return best;
  }

  #member(slot: number): Promise<Member> {
    const running = this.#members[slot];
    if (running) return Promise.resolve(running);
    return (this.#starting[slot] ??= this.#spawn(slot).finally(() => (this.#starting[slot] = undefined)));
  }

  async #spawn(slot: number): Promise<Member> {
    const { what } = this.#options;
    const worker = new Worker(typescriptWorkerSource(this.#options.entry), {
      eval: true,
      workerData: this.#options.init,
    });
    const member: Member = { worker, inflight: 0 };
    await new Promise<void>((resolve, reject) => {
      const onFirst = (reply: Reply<Res>) => {
        if (reply.kind !== 'ready' && reply.kind !== 'setup-failed') return;
        worker.off('message', onFirst);
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.kind === 'ready') resolve();
        else reject(new Error(`${what} failed to set up: ${reply.message}`));
      };
      const onExit = (code: number) => reject(new Error(`${what} exited with code ${code} while setting up`));
      worker.on('message', onFirst);
      worker.once('error', reject);
      worker.once('exit', onExit);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    worker.on('message', (reply: Reply<Res>) => {
      if (reply.kind !== 'result' && reply.kind !== 'error') return;
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      p.member.inflight--;
      if (reply.kind === 'result') p.resolve(reply.value);
      else p.reject(new Error(`${what}: ${reply.message}`));
    });
    const lost = (err: Error) => {
      if (this.#members[slot] === member) this.#members[slot] = undefined;
      for (const [id, p] of this.#pending) {
        if (p.member !== member) continue;
        this.#pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', (err) => lost(new Error(`${what} failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => lost(new Error(`${what} exited with code ${code}`)));
    if (this.#closed) {
      await worker.terminate();
      throw new Error(`${what} pool closed`);
    }
    this.#members[slot] = member;
    return member;
  }

  /** Stops every worker; calls in flight fail, later calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const members = this.#members.filter((m): m is Member => m !== undefined);
    this.#members.fill(undefined);
    await Promise.all(members.map((m) => m.worker.terminate()));
  }
}

/** A worker's answer to one call, with what to move rather than copy back. */
export interface Answer<Res> {
  value: Res;
  transfer?: readonly Transferable[];
}

/**
 * The serving loop of a WorkerPool's worker (call it from the worker's entry module): `setup`
 * gets the pool's `init` once and returns the handler; its failure is the pool's start error.
 * Calls are handled as they come; a handler's throw becomes that call's rejection.
 */
export function serveWorkerCalls<Init, Req, Res>(
  setup: (
    init: Init,
  ) =>
    | ((request: Req) => Answer<Res> | Promise<Answer<Res>>)
    | Promise<(request: Req) => Answer<Res> | Promise<Answer<Res>>>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerCalls runs in a worker thread that a WorkerPool started');
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const reply = (r: Reply<Res>): void => port.postMessage(r);
  const result = (id: number, answer: Answer<Res>): void => {
    try {
      port.postMessage({ kind: 'result', id, value: answer.value } satisfies Reply<Res>, answer.transfer);
      return;
    } catch {
      // A buffer that cannot be moved (ONNX Runtime may keep one) is copied instead, below.
    }
    try {
      reply({ kind: 'result', id, value: answer.value });
    } catch (err) {
      reply({ kind: 'error', id, message: `the answer could not be sent back: ${message(err)}` });
    }
  };
  Promise.resolve(workerData as Init)
    .then(setup)
    .then(
      (handle) => {
        port.on('message', ({ id, request }: Call<Req>) => {
          let answer: Answer<Res> | Promise<Answer<Res>>;
          try {
            answer = handle(request);
          } catch (err) {
            reply({ kind: 'error', id, message: message(err) });
            return;
          }
          if (!(answer instanceof Promise)) {
            result(id, answer);
            return;
          }
          answer.then(
            (a) => result(id, a),
            (err: unknown) => reply({ kind: 'error', id, message: message(err) }),
          );
        });
        reply({ kind: 'ready' });
      },
      (err: unknown) => reply({ kind: 'setup-failed', message: message(err) }),
    );
}
