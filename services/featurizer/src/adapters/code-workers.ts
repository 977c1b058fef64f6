// Code metrics on worker threads. Parsing and the metrics walk are synchronous WebAssembly work,
// about half of a commit's handling time on a real history; on the main thread they stop the
// commit walk, the Redis and ClickHouse I/O and the Kafka consumer meanwhile. A commit's code
// metrics feed no history state, so the walk hands each touched file to a worker and goes on.
//
// Each path always goes to the same worker (a hash of the path): a worker's caches keep the
// trees and metrics of the texts it measured, and a file's next version is parsed from its
// previous one only where that tree is. A worker answers in the order it was asked, so a file's
// versions are measured in stream order.
import { WorkerPool } from '@omen/service';
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

/** FNV-1a over the path's UTF-16 code units: stable, cheap, spreads paths over the workers. */
function slotOf(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class CodeWorkerPool {
  readonly #pool: WorkerPool<CodeWorkerInit, CodeWorkerRequest, CodeWorkerReply>;
  readonly #onParse: CodeWorkerPoolOptions['onParse'];

  private constructor(
    pool: WorkerPool<CodeWorkerInit, CodeWorkerRequest, CodeWorkerReply>,
    options: CodeWorkerPoolOptions,
  ) {
    this.#pool = pool;
    this.#onParse = options.onParse;
  }

  /** Starts the workers and waits until each has loaded the grammars. */
  static async start(options: CodeWorkerPoolOptions): Promise<CodeWorkerPool> {
    const pool = await WorkerPool.start<CodeWorkerInit, CodeWorkerRequest, CodeWorkerReply>({
      entry: WORKER_ENTRY,
      size: options.workers,
      init: { treeCacheChars: options.treeCacheChars },
      what: 'code worker',
    });
    return new CodeWorkerPool(pool, options);
  }

  /** The metrics of one file's old and new text, measured on the path's worker. */
  async measure(path: string, before: string | null, after: string | null): Promise<MeasuredFile> {
    const { parses, ...measured } = await this.#pool.call({ path, before, after }, { slot: slotOf(path) });
    if (parses.full > 0) this.#onParse?.('full', parses.full);
    if (parses.incremental > 0) this.#onParse?.('incremental', parses.incremental);
    return measured;
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

  close(): Promise<void> {
    return this.#pool.close();
  }
}
