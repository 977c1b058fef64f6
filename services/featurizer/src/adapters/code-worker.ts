// A code-metrics worker thread (adapters/code-workers.ts starts it): loads the tree-sitter
// grammars once, then measures files as they come, in order, with one measurer whose caches
// (metrics by content, parse trees for incremental parsing) see every version of the paths
// routed here.
import { parentPort, workerData } from 'node:worker_threads';
import { createFileMeasurer, type MeasuredFile } from '../domain/code/analyzer.ts';
import { loadLanguages } from './tree-sitter.ts';

export interface CodeWorkerInit {
  treeCacheChars: number;
}

export interface CodeWorkerRequest {
  id: number;
  path: string;
  before: string | null;
  after: string | null;
}

export type CodeWorkerReply =
  | { kind: 'ready' }
  | { kind: 'load-failed'; message: string }
  | ({ kind: 'measured'; id: number; parses: { full: number; incremental: number } } & MeasuredFile)
  | { kind: 'error'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('code-worker.ts runs as a worker thread (adapters/code-workers.ts)');
const init = workerData as CodeWorkerInit;
const post = (reply: CodeWorkerReply): void => port.postMessage(reply);

try {
  const parses = { full: 0, incremental: 0 };
  const measure = createFileMeasurer(await loadLanguages(), {
    treeCacheChars: init.treeCacheChars,
    onParse: (mode) => (parses[mode] += 1),
  });
  port.on('message', (req: CodeWorkerRequest) => {
    parses.full = 0;
    parses.incremental = 0;
    try {
      const measured = measure(req.path, req.before, req.after);
      post({ kind: 'measured', id: req.id, parses: { ...parses }, ...measured });
    } catch (err) {
      post({ kind: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'load-failed', message: err instanceof Error ? err.message : String(err) });
}
