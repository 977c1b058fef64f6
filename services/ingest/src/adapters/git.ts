import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { NotFoundError, OmenError } from '@omen/errors';
import { isFullSha } from '@omen/ids';
import type { CommitDetail } from '../domain/enrich.ts';
import { GitLogParser, gitConfigArgs, gitLogDiffArgs } from '../domain/gitlog.ts';
import { canonicalOrder, type OrderNode } from '../domain/history-order.ts';

export interface GitLogOptions {
  /** Revision range or ref to walk. @default HEAD */
  rev?: string;
  /** Stops the walk (Ctrl-C in backfill); the git process is killed. */
  signal?: AbortSignal;
  /** The git executable. @default git */
  git?: string;
}

/**
 * Walks a local repository's history in canonical order (domain/history-order.ts: parents
 * first, then commit time, then sha) with numstat and diffs, one commit at a time. Two passes:
 * the graph alone (shas, parents, times: a few dozen bytes per commit) to compute the order,
 * then `git log --no-walk=unsorted --stdin` fed that order, so memory holds the graph and one
 * commit's diff, however long the history.
 */
export async function* readGitLog(repoPath: string, options: GitLogOptions = {}): AsyncGenerator<CommitDetail> {
  const order = canonicalOrder(await readGraph(repoPath, options));
  if (order.length === 0) return;
  const args = [...gitConfigArgs, 'log', '--no-walk=unsorted', '--stdin', ...gitLogDiffArgs];
  yield* runGit(repoPath, args, options, order.map((n) => `${n.sha}\n`).join(''));
}

/** Shas, parents and commit times of every commit reachable from `rev`. */
export async function readGraph(repoPath: string, options: GitLogOptions = {}): Promise<OrderNode[]> {
  const args = [...gitConfigArgs, 'log', '--format=%H %ct %P', options.rev ?? 'HEAD', '--'];
  const child = spawn(options.git ?? 'git', ['-C', repoPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let out = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((err: unknown) => {
    if (options.signal?.aborted) throw new OmenError('CANCELLED', 'git walk cancelled', { cause: err });
    throw gitError(repoPath, args, null, err instanceof Error ? err.message : String(err));
  });
  if (code !== 0) throw gitError(repoPath, args, code, stderr);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [sha = '', ct = '', ...parents] = l.split(' ');
      return { sha, parents: parents.filter((p) => p !== ''), commitTime: Number(ct) * 1000 };
    });
}

/** One commit of a local mirror, in the same shape (`git show`). */
export async function showCommit(
  repoPath: string,
  sha: string,
  options: Omit<GitLogOptions, 'rev'> = {},
): Promise<CommitDetail> {
  if (!isFullSha(sha)) throw new OmenError('INVALID_ARGUMENT', `not a full commit sha: "${sha}"`);
  const args = [...gitConfigArgs, 'show', ...gitLogDiffArgs, sha, '--'];
  for await (const detail of runGit(repoPath, args, options)) return detail;
  throw new NotFoundError(`git mirror ${repoPath} printed nothing for ${sha}`, sha);
}

export interface GitMirrorReaderOptions {
  /** Most commits asked of one git process. @default 64 */
  maxBatch?: number;
  /** Most git processes running at once for this mirror. @default 2 */
  maxProcesses?: number;
  /** The git executable. @default git */
  git?: string;
}

interface PendingShow {
  sha: string;
  resolve: (detail: CommitDetail) => void;
  reject: (err: unknown) => void;
}

/**
 * One local mirror's commits for webhook enrichment, `showCommit`'s answer for each sha, but
 * with the requests that arrive while git is busy gathered into one `git log --no-walk=unsorted
 * --stdin` (the backfill's reader). A process per commit cost more than the diff itself: at
 * 50 pushes/s on two cores the spawns queued behind each other and webhooks waited tens of
 * seconds. Nothing lingers: a request finding a free process slot starts at once, so a quiet
 * repository pays one spawn per push as before, and a busy one pays one per batch.
 * A batch that fails as a whole (an unknown sha makes git refuse the walk) is retried one sha
 * at a time, so only the bad commit gets the error.
 */
export class GitMirrorReader {
  private readonly queue: PendingShow[] = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly maxProcesses: number;

  constructor(
    private readonly repoPath: string,
    private readonly options: GitMirrorReaderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
    this.maxProcesses = options.maxProcesses ?? 2;
  }

  show(sha: string): Promise<CommitDetail> {
    if (!isFullSha(sha)) return Promise.reject(new OmenError('INVALID_ARGUMENT', `not a full commit sha: "${sha}"`));
    return new Promise((resolve, reject) => {
      this.queue.push({ sha, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxProcesses && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: PendingShow[]): Promise<void> {
    const git = this.options.git === undefined ? {} : { git: this.options.git };
    if (batch.length === 1) {
      const [one] = batch as [PendingShow];
      await showCommit(this.repoPath, one.sha, git).then(one.resolve, one.reject);
      return;
    }
    const shas = [...new Set(batch.map((p) => p.sha))];
    const found = new Map<string, CommitDetail>();
    try {
      const args = [...gitConfigArgs, 'log', '--no-walk=unsorted', '--stdin', ...gitLogDiffArgs];
      for await (const detail of runGit(this.repoPath, args, git, shas.map((s) => `${s}\n`).join(''))) {
        found.set(detail.sha, detail);
      }
    } catch {
      // One unknown or unreadable commit fails git's whole walk: ask for each alone, so the
      // others are answered and the bad one gets its own error.
      await Promise.all(batch.map((p) => showCommit(this.repoPath, p.sha, git).then(p.resolve, p.reject)));
      return;
    }
    for (const p of batch) {
      const detail = found.get(p.sha);
      if (detail) p.resolve(detail);
      else p.reject(new NotFoundError(`git mirror ${this.repoPath} printed nothing for ${p.sha}`, p.sha));
    }
  }
}

async function* runGit(
  repoPath: string,
  args: string[],
  options: Omit<GitLogOptions, 'rev'>,
  input?: string,
): AsyncGenerator<CommitDetail> {
  const child = spawn(options.git ?? 'git', ['-C', repoPath, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // git stops reading when the walk is abandoned (Ctrl-C, a failed batch): not an error here.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  // Keep a failed spawn (no git, bad path) from surfacing as an unhandled rejection while the
  // stream below is still being read; the same promise is awaited after it.
  exited.catch(() => undefined);
  const parser = new GitLogParser();
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const detail of parser.push(decoder.write(chunk))) yield detail;
    }
    const code = await exited;
    if (code !== 0) throw gitError(repoPath, args, code, stderr);
    for (const detail of parser.push(decoder.end())) yield detail;
    for (const detail of parser.end()) yield detail;
  } catch (err) {
    if (options.signal?.aborted) throw new OmenError('CANCELLED', 'git walk cancelled', { cause: err });
    if (err instanceof OmenError) throw err;
    const code = await exited.catch(() => null);
    throw gitError(repoPath, args, code, stderr || (err instanceof Error ? err.message : String(err)));
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

function gitError(repoPath: string, args: readonly string[], code: number | null, stderr: string): OmenError {
  const verb = args.find((a) => a === 'log' || a === 'show') ?? 'git';
  const message = stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${String(code)}`;
  if (/unknown revision|bad object|bad revision|does not have any commits/i.test(message)) {
    return new NotFoundError(`git ${verb} in ${repoPath}: ${message}`, repoPath);
  }
  if (/not a git repository|cannot change to/i.test(message)) {
    return new OmenError('INVALID_ARGUMENT', `${repoPath} is not a git repository: ${message}`);
  }
  return new OmenError('INTERNAL', `git ${verb} in ${repoPath} failed: ${message}`);
}
