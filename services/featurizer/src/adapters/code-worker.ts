// A code-metrics worker thread (adapters/code-workers.ts starts it): loads the tree-sitter
// grammars once, then measures files as they come, in order, with one measurer whose caches
// (metrics by content, parse trees for incremental parsing) see every version of the paths
// routed here.
import { serveWorkerCalls } from '@omen/service/worker';
import { createFileMeasurer, type MeasuredFile } from '../domain/code/analyzer.ts';
import { loadLanguages } from './tree-sitter.ts';

export interface CodeWorkerInit {
  treeCacheChars: number;
}

export interface CodeWorkerRequest {
  path: string;
  before: string | null;
  after: string | null;
}

export type CodeWorkerReply = MeasuredFile & { parses: { full: number; incremental: number } };

serveWorkerCalls<CodeWorkerInit, CodeWorkerRequest, CodeWorkerReply>(async (init) => {
  const parses = { full: 0, incremental: 0 };
  const measure = createFileMeasurer(await loadLanguages(), {
    treeCacheChars: init.treeCacheChars,
    onParse: (mode) => (parses[mode] += 1),
  });
  return (req) => {
    parses.full = 0;
    parses.incremental = 0;
    const measured = measure(req.path, req.before, req.after);
    return { value: { ...measured, parses: { ...parses } } };
  };
});
