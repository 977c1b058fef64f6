import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../dataset.ts';
import type { TrainAlgorithm, TrainParams, TrainResult } from '../training/train-model.ts';
import type { TrainReply, TrainRequest } from './messages.ts';

/** A training job that failed inside the worker; `code` carries the original error's code. */
export class TrainWorkerError extends Error {
  override readonly name = 'TrainWorkerError';
  constructor(
    message: string,
    readonly code: string,
    readonly remoteName: string,
    readonly remoteStack?: string,
  ) {
    super(message);
  }
}

const ENTRY = new URL('./train-worker.ts', import.meta.url).href;

/**
 * Worker bootstrap: register tsx's ESM hooks inside the worker, then import the TypeScript entry.
 * `execArgv: ['--import', 'tsx']` does not work here: on Node 20 ESM loader hooks passed through
 * a Worker's execArgv are not applied to the worker's entry (nodejs/node#47747), which then fails
 * with ERR_UNKNOWN_FILE_EXTENSION. tsx's register() API run inside the worker does work.
 */
function bootstrapSource(): string {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
  return `require(${JSON.stringify(tsxApi)}).register();\nimport(${JSON.stringify(ENTRY)});\n`;
}

export interface TrainInWorkerOptions {
  /** Aborts the job (terminates the worker). */
  readonly signal?: AbortSignal;
  /** V8 old-space limit for the worker, MiB. @default Node's default */
  readonly maxOldGenerationSizeMb?: number;
}

export interface WorkerTrainResult extends TrainResult {
  /** Wall time of trainModel inside the worker. */
  readonly durationMs: number;
}

/**
 * Runs `trainModel(kind, dataset, params)` on a worker thread so a long fit never blocks the
 * service's event loop (gRPC, health checks, NATS keep flowing). The dataset is copied to the
 * worker (structured clone); the caller's arrays stay usable.
 *
 * The worker entry is TypeScript, loaded through tsx like the rest of the service (no build step).
 */
export function trainInWorker(
  kind: TrainAlgorithm,
  dataset: Dataset,
  params: TrainParams = {},
  options: TrainInWorkerOptions = {},
): Promise<WorkerTrainResult> {
  const request: TrainRequest = { kind, dataset, params };
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new TrainWorkerError('training aborted before it started', 'TRAIN_ABORTED', 'AbortError'));
      return;
    }
    const worker = new Worker(bootstrapSource(), {
      eval: true,
      workerData: request,
      ...(options.maxOldGenerationSizeMb
        ? { resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb } }
        : {}),
    });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      settle(() => reject(new TrainWorkerError('training aborted', 'TRAIN_ABORTED', 'AbortError')));
      void worker.terminate();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: TrainReply) => {
      settle(() => {
        if (reply.ok) resolve({ ...reply.result, durationMs: reply.durationMs });
        else
          reject(
            new TrainWorkerError(
              reply.error.message,
              reply.error.code ?? 'TRAIN_FAILED',
              reply.error.name,
              reply.error.stack,
            ),
          );
      });
    });
    worker.once('error', (err) =>
      settle(() =>
        reject(
          new TrainWorkerError(`training worker crashed: ${err.message}`, 'TRAIN_WORKER_CRASHED', err.name, err.stack),
        ),
      ),
    );
    worker.once('exit', (code) =>
      settle(() =>
        reject(
          new TrainWorkerError(
            `training worker exited with code ${code} before replying`,
            'TRAIN_WORKER_EXITED',
            'Error',
          ),
        ),
      ),
    );
  });
}
