// Code metrics on worker threads. Parsing and the metrics walk are synchronous WebAssembly work,
// about half of a commit's handling time on a real history; on the main thread they stop the
// commit walk, the Redis and ClickHouse I/O and the Kafka consumer meanwhile. A commit's code
// metrics feed no history state, so the walk hands each touched file to a worker and goes on.
//
// Each path always goes to the same worker (a hash of the path): a worker's caches keep the
// trees and metrics of the texts it measured, and a file's next version is parsed from its
// previous one only where that tree is. A worker answers in the order it was asked, so a file's
// versions are measured in stream order.
import { Worker } from 'node:worker_threads';
import { typescriptWorkerSource } from '@omen/service';
import { summarizeChange, type MeasuredFile } from '../domain/code/analyzer.ts';
import { languageOf } from '../domain/code/languages.ts';
import type { CodeAnalysis, CodeFileInput } from '../domain/code/types.ts';
import type { CodeWorkerInit, CodeWorkerReply, CodeWorkerRequest } from './code-worker.ts';

const WORKER_ENTRY = new URL('./code-worker.ts', import.meta.url);

export interface CodeWorkerPoolOptions {
  /** Worker threads (at least 1). */
  workers: number;
  /** Each worker's parse-tree cache, in characters of text (FEATURIZER_CODE_TREE_CACHE_CHARS). */
  treeCacheChars: number;
  /** Told of every parse a worker made: from scratch or from the previous version's tree. */
  onParse?: (mode: 'full' | 'incremental', count: number) => void;
}

interface Pending {
  resolve: (m: MeasuredFile) => void;
  reject: (e: Error) => void;
  slot: number;
}

/** FNV-1a over the path's UTF-16 code units: stable, cheap, spreads paths over the workers. */
function slotOf(path: string, slots: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return (h >>> 0) % slots;
}

export class CodeWorkerPool {
  readonly #options: CodeWorkerPoolOptions;
  readonly #workers: (Worker | undefined)[];
  readonly #starting: (Promise<Worker> | undefined)[];
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #closed = false;

  private constructor(options: CodeWorkerPoolOptions) {
    this.#options = options;
    this.#workers = Array.from({ length: options.workers }, () => undefined);
    this.#starting = Array.from({ length: options.workers }, () => undefined);
  }

  /** Starts the workers and waits until each has loaded the grammars. */
  static async start(options: CodeWorkerPoolOptions): Promise<CodeWorkerPool> {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new Error(`a code worker pool needs at least one worker, got ${options.workers}`);
    const pool = new CodeWorkerPool(options);
    try {
      await Promise.all(pool.#workers.map((_, slot) => pool.#worker(slot)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** The worker of `slot`, started again if it died (its requests in flight were failed then). */
  #worker(slot: number): Promise<Worker> {
    const running = this.#workers[slot];
    if (running) return Promise.resolve(running);
    const starting = (this.#starting[slot] ??= this.#spawn(slot).finally(() => (this.#starting[slot] = undefined)));
    return starting;
  }

  async #spawn(slot: number): Promise<Worker> {
    const init: CodeWorkerInit = { treeCacheChars: this.#options.treeCacheChars };
    const worker = new Worker(typescriptWorkerSource(WORKER_ENTRY), { eval: true, workerData: init });
    await new Promise<void>((resolve, reject) => {
      const onFirst = (reply: CodeWorkerReply) => {
        if (reply.kind !== 'ready' && reply.kind !== 'load-failed') return;
        worker.off('message', onFirst);
        worker.off('error', reject);
        if (reply.kind === 'ready') resolve();
        else reject(new Error(`code worker failed to load the grammars: ${reply.message}`));
      };
      worker.on('message', onFirst);
      worker.once('error', reject);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    worker.on('message', (reply: CodeWorkerReply) => {
      if (reply.kind !== 'measured' && reply.kind !== 'error') return;
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (reply.kind === 'error') {
        p.reject(new Error(`code worker: ${reply.message}`));
        return;
      }
      if (reply.parses.full > 0) this.#options.onParse?.('full', reply.parses.full);
      if (reply.parses.incremental > 0) this.#options.onParse?.('incremental', reply.parses.incremental);
      p.resolve({ before: reply.before, after: reply.after });
    });
    const lost = (err: Error) => {
      if (this.#workers[slot] === worker) this.#workers[slot] = undefined;
      for (const [id, p] of this.#pending) {
        if (p.slot !== slot) continue;
        this.#pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`code worker exited with code ${code}`)));
    if (this.#closed) {
      await worker.terminate();
      throw new Error('code worker pool closed');
    }
    this.#workers[slot] = worker;
    return worker;
  }

  /** The metrics of one file's old and new text, measured on the path's worker. */
  async measure(path: string, before: string | null, after: string | null): Promise<MeasuredFile> {
    if (this.#closed) throw new Error('code worker pool closed');
    const slot = slotOf(path, this.#workers.length);
    const worker = await this.#worker(slot);
    const id = ++this.#seq;
    return new Promise<MeasuredFile>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, slot });
      worker.postMessage({ id, path, before, after } satisfies CodeWorkerRequest);
    });
  }

  /** Code metrics of a change, its files measured on the workers and summarized here. */
  readonly analyze = async (files: readonly CodeFileInput[]): Promise<CodeAnalysis | null> => {
    const measured = await Promise.all(
      files.map((f) =>
        // A language nobody parses needs no worker (nor a copy of its text).
        languageOf(f.path) === undefined
          ? Promise.resolve<MeasuredFile>({ before: undefined, after: undefined })
          : this.measure(f.path, f.before, f.after),
      ),
    );
    return summarizeChange(files, measured);
  };

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.filter((w): w is Worker => w !== undefined);
    this.#workers.fill(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
