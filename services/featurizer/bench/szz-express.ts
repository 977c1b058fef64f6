// ./scripts/omen bench szz-express — SZZ on the express history (../shared/data/express.bundle):
// fixes, fixes with a blamed origin, bug-inducing commits and the label rate a training set sees,
// with each filter of src/domain/blame.ts added in turn; the state the blame keeps and what it
// costs. Domain only (in-memory store), so the numbers are the labels' and not the engines'.
// JSON on the last line of stdout.

import { cpus, totalmem } from 'node:os';
import { LARGE_COMMIT_FILES, isBlameworthy, isReformatted, normalizedLines } from '../src/domain/blame.ts';
import type { CommitInput } from '../src/domain/commit.ts';
import { isMerge } from '../src/domain/commit.ts';
import { isFixMessage } from '../src/domain/fix.ts';
import { InMemoryHistoryStore } from '../src/domain/memory-history-store.ts';
import type { BlamedFile } from '../src/domain/processor.ts';
import { processCommits } from '../src/domain/processor.ts';
import { DEFAULT_BLAME_WINDOW } from '../src/domain/retention.ts';
import { EXPRESS_REPO } from '../test/helpers/express.ts';
import { cloneExpress, readCommitsWithHunks } from '../test/helpers/express-git.ts';

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const args = process.argv.slice(2);
const windowArg = args.indexOf('--window');
const window = windowArg >= 0 ? Number(args[windowArg + 1]) : DEFAULT_BLAME_WINDOW;

const clone = cloneExpress();
const commits = readCommitsWithHunks(clone);
clone.remove();
const byShaCommit = new Map<string, CommitInput>(commits.map((c) => [c.sha, c]));
const raw = new Map<string, readonly BlamedFile[]>();
const store = new InMemoryHistoryStore();
const szzPositives = new Set<string>();
const started = process.hrtime.bigint();
for (let i = 0; i < commits.length; i += 200) {
  const results = await processCommits(store, EXPRESS_REPO, commits.slice(i, i + 200), {
    blameWindow: window,
    onBlame: (sha, files) => void raw.set(sha, files),
  });
  for (const r of results)
    for (const l of r.outputs?.labels ?? []) if (l.method === 'szz' && l.is_bug_inducing) szzPositives.add(l.sha);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

const fixes = commits.filter((c) => !isMerge(c) && isFixMessage(c.message));
// Text files a fix deleted lines from whose blame was unknown (a binary change before, or pruned).
const unknownFixFiles = fixes.reduce(
  (n, c) =>
    n +
    c.files.filter((f) => !f.binary && f.lines_deleted > 0 && !raw.get(c.sha)?.some((b) => b.path === f.path)).length,
  0,
);
const rows = commits.filter((c) => !isMerge(c)).length;

interface Filters {
  cosmetic: boolean;
  reformatted: boolean;
  merges: boolean;
  largeFixes: boolean;
  largeInducers: boolean;
}

/** Inducers of each fix under a filter set, from the lines the processor blamed. */
function count(f: Filters): Record<string, number> {
  const inducers = new Set<string>();
  let withOrigin = 0;
  let lines = 0;
  for (const fix of fixes) {
    if (f.largeFixes && fix.files.length > LARGE_COMMIT_FILES) continue;
    const found = new Set<string>();
    for (const file of raw.get(fix.sha) ?? []) {
      const added = normalizedLines(fix.files.find((x) => x.path === file.path)?.hunks ?? []);
      for (const d of file.deleted) {
        if (f.cosmetic && !isBlameworthy(d.content)) continue;
        if (f.reformatted && isReformatted(d.content, added)) continue;
        const origin = byShaCommit.get(d.origin);
        if (origin === undefined || origin.sha === fix.sha) continue;
        if (f.merges && isMerge(origin)) continue;
        if (f.largeInducers && origin.files.length > LARGE_COMMIT_FILES) continue;
        found.add(d.origin);
        lines += 1;
      }
    }
    if (found.size > 0) withOrigin += 1;
    for (const s of found) inducers.add(s);
  }
  return {
    fixes_with_origin: withOrigin,
    bug_inducing: inducers.size,
    blamed_lines: lines,
    label_rate: Math.round((inducers.size / rows) * 10000) / 10000,
  };
}

const none: Filters = { cosmetic: false, reformatted: false, merges: false, largeFixes: false, largeInducers: false };
const steps: [string, Filters][] = [
  ['none (git blame of every deleted line)', none],
  ['+ blank, punctuation-only and comment-only lines', { ...none, cosmetic: true }],
  ['+ re-indented or re-spaced lines', { ...none, cosmetic: true, reformatted: true }],
  ['+ merge commits as inducers', { ...none, cosmetic: true, reformatted: true, merges: true }],
  [
    `+ fixes touching more than ${LARGE_COMMIT_FILES} files`,
    { ...none, cosmetic: true, reformatted: true, merges: true, largeFixes: true },
  ],
  [
    `+ inducers touching more than ${LARGE_COMMIT_FILES} files`,
    { cosmetic: true, reformatted: true, merges: true, largeFixes: true, largeInducers: true },
  ],
];
const table = steps.map(([name, f]) => ({ filters: name, ...count(f) }));
for (const t of table) log(JSON.stringify(t));

// State the blame keeps, as the stores serialise it (JSON).
const bigPaths = new Map<string, number>();
for (const k of store.keys(EXPRESS_REPO, 'blame')) {
  const path = k.slice(41);
  bigPaths.set(path, (bigPaths.get(path) ?? 0) + JSON.stringify(store.peek(EXPRESS_REPO, 'blame', k)).length);
}
log(JSON.stringify([...bigPaths].sort((a, b) => b[1] - a[1]).slice(0, 8)));
const bytes = (ns: 'blame' | 'versions' | 'dag' | 'commit'): number =>
  store
    .keys(EXPRESS_REPO, ns)
    .reduce((n, k) => n + k.length + JSON.stringify(store.peek(EXPRESS_REPO, ns, k)).length, 0);
const result = {
  bench: 'szz-express',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', mem_gb: Math.round(totalmem() / 2 ** 30) },
  commits: commits.length,
  training_rows: rows,
  fixes: fixes.length,
  fix_files_without_blame: unknownFixFiles,
  // The processor applies every filter below: this must equal the last row's bug_inducing.
  labels_emitted_bug_inducing: szzPositives.size,
  filters: table,
  blame_window: window,
  state_bytes: { blame: bytes('blame'), versions: bytes('versions'), dag: bytes('dag'), commit: bytes('commit') },
  blame_records: store.keys(EXPRESS_REPO, 'blame').length,
  domain_seconds: Math.round(seconds * 10) / 10,
  commits_per_s: Math.round(commits.length / seconds),
};
console.log(JSON.stringify(result));
